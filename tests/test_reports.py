"""What commands say when done: solve summaries, rule names, changes by person, statistics."""

from __future__ import annotations

from conftest import ROOT, hand_made, make_instance, meeting, solve_and_verify
from test_render import text_of

from scheduler import reports
from scheduler.solution import Cancellation, Unscheduled
from scheduler.store import load_instance


def test_every_rule_check_can_report_is_named_in_the_format_reference() -> None:
    import re

    checker = "".join(path.read_text() for path in sorted((ROOT / "scheduler" / "verify").glob("*.py")))
    labels = set(re.findall(r'bad\(\s*"([^"]+)"', checker))
    assert {"1", "5", "9", "ids", "objective", "programme", "interpreters", "travel", "breaks"} <= labels
    reference = (ROOT / "docs" / "FORMAT.md").read_text()
    for label in labels:
        assert f"| {reports.rule_name(label)} |" in reference, label


def test_solve_summary_lists_every_reason_or_says_how_many_more() -> None:
    """Eleven reasons fit (shown whole); with twelve, ten are shown and one row counts the other two."""
    instance, _ = load_instance(ROOT / "instances" / "sample.yaml")
    schedule = solve_and_verify(instance)
    for reasons, hidden in ((11, 0), (12, 2)):
        waiting = [Unscheduled(meeting=f"x{k}", reason=f"reason {k:02d}") for k in range(reasons)]
        waiting.append(Unscheduled(meeting="y", reason="reason 00"))
        text = text_of(reports.solve_summary(instance, schedule.model_copy(update={"unscheduled": waiting}), "x", None))
        shown = [k for k in range(reasons) if f"reason {k:02d}" in text]
        assert len(shown) == reasons - hidden
        if hidden:
            assert f"… and {hidden} more reasons: see `schedule stats`" in text
    assert "Meetings per person" in text and "Idle gaps" in text and "People without a meeting" in text


def test_solve_summary_counts_many_cancellations_and_says_when_reasons_are_short() -> None:
    """After hundreds of cancellations the summary names twenty and counts the rest per kind
    (it printed 421 lines); reasons the time limit left in the solver's short form are counted."""
    instance, _ = load_instance(ROOT / "instances" / "sample.yaml")
    schedule = solve_and_verify(instance)
    cancelled = [Cancellation(kind="meeting", id=f"m{k}") for k in range(24)]
    cancelled.append(Cancellation(kind="room", id="BJ-R1"))
    waiting = [Unscheduled(meeting=m.id, reason="no common availability") for m in instance.meetings[:3]]
    waiting[0] = waiting[0].model_copy(update={"detail": "In full."})
    crowded = schedule.model_copy(update={"cancelled": cancelled, "unscheduled": waiting})
    text = " ".join(text_of(reports.solve_summary(instance, crowded, "x", None), 200).split())
    # Latest first: in a chain of re-solves, what this one cancelled (the organiser trial).
    assert "25 (24 meetings, 1 room), latest first: room:BJ-R1, meeting:m23, meeting:m22," in text
    assert "meeting:m5," in text and "meeting:m4," not in text
    assert "(the file lists them all)" in text
    assert "2 of 3 reasons are the solver's short form" in text
    # A request left with fewer than two people is cancelled with them: counted as theirs.
    people = [Cancellation(kind="participant", id=p.id) for p in instance.participants]
    theirs = [Cancellation(kind="meeting", id=instance.meetings[0].id)]
    with_people = schedule.model_copy(update={"cancelled": [*people, *theirs, *cancelled[:12]]})
    people_text = " ".join(text_of(reports.solve_summary(instance, with_people, "x", None), 200).split())
    assert "participant:" in people_text and "; and 1 of their requests, left with fewer than two people" in people_text
    with_more = schedule.model_copy(update={"cancelled": [*people, *theirs, *cancelled]})
    more_text = " ".join(text_of(reports.solve_summary(instance, with_more, "x", None), 200).split())
    assert (
        "33 (8 participants, 24 meetings, 1 room), latest first:" in more_text
        and "; and 1 of their requests" in more_text
    )
    few = schedule.model_copy(update={"cancelled": cancelled[:2]})
    few_text = " ".join(text_of(reports.solve_summary(instance, few, "x", None), 200).split())
    assert "Cancelled │ meeting:m0, meeting:m1 │" in few_text


def test_the_interpreter_taken_off_a_meeting_reads_no_longer_interpreting_not_new_interpreter() -> None:
    """m moves from interpreter x to y at the same place: its people and y read 'new interpreter';
    x reads 'no longer interpreting m (Y instead)', without repeating the cause that says just that."""
    from scheduler.changes import diff
    from scheduler.solution import Assignment

    instance = make_instance(
        participants=[{"id": "a", "name": "A", "languages": ["it"]}, {"id": "b", "name": "B", "languages": ["zh"]}],
        meetings=[meeting("m", "a", "b")],
        interpreters=[{"id": i, "name": i.upper(), "languages": ["it", "zh"]} for i in ("x", "y")],
        venues=[
            {
                "id": "bj",
                "city": "Beijing",
                "days": [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "10:00"}]}],
                "rooms": [{"id": "T", "capacity": 3}],
            }
        ],
    )
    place = {"meeting": "m", "date": "2025-11-13", "start": "09:00", "end": "09:30", "city": "Beijing"}
    before, after = (
        hand_made(
            instance,
            Assignment(**place, venue="bj", room="T", participants=["a", "b"], interpreter=who),
            status="OPTIMAL",
        )
        for who in ("x", "y")
    )
    (change,) = diff(instance, before, after)
    assert change.notify == ["a", "b", "x", "y"]
    lines = [
        " ".join(line.split()) for line in text_of(reports.changes_by_person(instance, [change]), 120).splitlines()
    ]
    x_row = next(k for k, line in enumerate(lines) if line.startswith("X (interpreter)"))
    assert lines[x_row].endswith("no longer interpreting m (Y instead): 2025-11-13 09:00 Beijing T")
    assert "new interpreter" not in lines[x_row] and "why" not in " ".join(lines[x_row : x_row + 2])
    y_row = next(k for k, line in enumerate(lines) if line.startswith("Y (interpreter)"))
    assert lines[y_row].endswith("new interpreter m: 2025-11-13 09:00 Beijing T")
    assert "why: Y interprets instead of X" in " ".join(lines[y_row : y_row + 3])
    first_two = text_of(reports.changes_by_person(instance, [change], most=2), 120)
    rows = {line.split()[0] for line in first_two.splitlines() if line.strip()}
    assert {"A", "B"} <= rows and "X (interpreter)" not in first_two and "Y (interpreter)" not in first_two
    assert "... and 2 more people to notify (the first 2 are above)." in first_two


def test_stats_names_at_most_thirty_requests_per_reason_and_counts_the_rest() -> None:
    """At 60,000 requests every id per reason made about 9,000 lines: 30 are named, then a count."""
    from scheduler.stats import Stats

    waiting = [f"r{k:05d}" for k in range(100)]
    figures = Stats({}, {}, {}, [], [], [], unscheduled={"its times are taken": waiting, "no room": ["r99999"]})
    text = " ".join(text_of(reports.stats_view(make_instance(), figures), width=400).split())
    assert "r00029, … and 70 more" in text and "r00030" not in text
    assert " 100 " in text  # the count is of all of them
    assert "r99999" in text and "more" not in text.split("r99999")[1]


def test_after_a_re_solve_placed_cancelled_and_waiting_add_up_and_the_frozen_moment_is_said() -> None:
    """Two requests of the sample cancelled, three waiting: the placed row says both counts, a
    frozen moment is shown, and a Ctrl-C stop says the schedule is the best found so far."""
    instance, _ = load_instance(ROOT / "instances" / "sample.yaml")
    schedule = solve_and_verify(instance)
    off = [m.id for m in instance.meetings[:2]]
    waiting = [Unscheduled(meeting=m.id, reason="no common availability") for m in instance.meetings[2:5]]
    placed = [a for a in schedule.assignments if a.meeting not in {m.id for m in instance.meetings[:5]}]
    after = schedule.model_copy(
        update={
            "assignments": placed,
            "unscheduled": waiting,
            "cancelled": [Cancellation(kind="meeting", id=m) for m in off],
            "frozen_until": "2025-11-14T12:00",
        }
    )
    text = " ".join(text_of(reports.solve_summary(instance, after, "x", None, interrupted=True), 200).split())
    total = len(instance.meetings)
    assert f"Meetings placed │ {len(placed)} of {total}" in text and "; 2 requests cancelled, 3 waiting" in text
    assert "Frozen until │ 2025-11-14T12:00" in text
    assert "Stopped │ by Ctrl-C: the best schedule found so far" in text
    plain = " ".join(text_of(reports.solve_summary(instance, schedule, "x", None), 200).split())
    assert "cancelled," not in plain and "Frozen until" not in plain and "Stopped" not in plain
    one = after.model_copy(update={"cancelled": after.cancelled[:1]})
    single = " ".join(text_of(reports.solve_summary(instance, one, "x", None), 200).split())
    assert "; 1 request cancelled, 3 waiting" in single  # (the organiser trial read "1 requests cancelled")


def test_history_names_twenty_new_cancellations_and_counts_the_rest() -> None:
    """500 cancelled participants made some 200 lines in `history` (the organiser trial): twenty are
    named, after their count by kind; a few are all named."""
    from pathlib import Path

    from scheduler.history import NewCancellations, Version

    instance = make_instance()
    for many, shown in ((25, 20), (3, 3)):
        cancelled = [Cancellation(kind="participant", id=f"p{k:02d}") for k in range(many)]
        version = Version(
            Path("ev.schedule.json"), None, hand_made(instance), matches_instance=True, new=NewCancellations(cancelled)
        )
        text = " ".join(text_of(reports.history([version], "ev.yaml")).split())
        assert [k for k in range(many) if f"participant p{k:02d}" in text] == list(range(shown))
        assert ("(the file lists them all)" in text) == (many > shown)
        if many > shown:
            assert f"cancelled: {many} ({many} participants): participant p00," in text


def test_a_meeting_the_organiser_named_is_not_counted_as_lost_with_a_participant() -> None:
    """r05 (three people) named by the organiser with cn-most-01 cancelled: two of its people are
    left, so it is one the organiser gave, not 'one of their requests' (the second attacker's);
    r01 (two people) is left with one, and is."""
    from scheduler.history import EventFacts, new_cancellations

    instance, _ = load_instance(ROOT / "instances" / "sample.yaml")
    cancelled = [
        Cancellation(kind="participant", id="cn-most-01"),
        Cancellation(kind="meeting", id="r05"),
        Cancellation(kind="meeting", id="r01"),
    ]
    schedule = hand_made(instance, cancelled=cancelled)
    text = " ".join(text_of(reports.solve_summary(instance, schedule, "x", None), 200).split())
    assert "participant:cn-most-01, meeting:r05; and 1 of their requests, left with fewer than two people" in text
    facts = EventFacts(people_of={m.id: set(m.participants) for m in instance.meetings})
    new = new_cancellations(schedule, None, facts)
    assert [c.id for c in new.direct] == ["cn-most-01", "r05"] and new.knock_on == ["r01"]
