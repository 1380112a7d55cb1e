"""`explanation`: the kinds waiting requests are counted by, and what a file keeps of one explanation."""

from __future__ import annotations

from scheduler.explanation import KINDS, MAX_MEETINGS, SCHEDULED, Explanation


def test_the_short_form_is_the_headline_then_each_broken_promise() -> None:
    """A timetable and a schedule file keep the headline and any missed min_meetings, not the details."""
    found = Explanation(
        "m",
        MAX_MEETINGS,
        "max_meetings reached: A already has 2, the most allowed.",
        details=["A may have at most 2 meeting(s) and has: r1, r2."],
        promised=["B was promised 3 meeting(s) (min_meetings) and has 1."],
    )
    assert found.in_short == (
        "max_meetings reached: A already has 2, the most allowed. B was promised 3 meeting(s) (min_meetings) and has 1."
    )
    assert Explanation("m", MAX_MEETINGS, "Headline.").in_short == "Headline."


def test_each_kind_is_counted_apart_and_scheduled_is_not_a_reason_to_wait() -> None:
    assert len(set(KINDS)) == len(KINDS)
    assert SCHEDULED not in KINDS
