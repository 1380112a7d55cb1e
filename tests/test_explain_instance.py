"""`explain_instance`: why a request can have no place at all, from the instance alone (said
through `Explainer.explain`, as every command says it). Each instance is tiny and solved, and
its schedule checked; the expected reason is worked out by hand in the docstring."""

from __future__ import annotations

from conftest import A_AT_NINE_B_AT_HALF_PAST, BASE, meeting
from test_explain import solved
from test_solve import TWO_CITIES_SAME_DAY

from scheduler import explanation
from scheduler.explain_instance import cannot_at_all, no_place


def test_no_common_availability_names_both_people_and_their_windows() -> None:
    """a is free 09:00-09:30 only, b 09:30-10:00 only: they never meet."""
    _, _, explainer = solved(participants=A_AT_NINE_B_AT_HALF_PAST, meetings=[meeting("m", "a", "b")])
    found = explainer.force("m")
    assert found.kind == explanation.NO_COMMON_TIME
    assert "A and B are never free at the same time" in found.headline
    assert "A: available only 2025-11-13 Beijing 09:00-09:30." in found.details
    assert "B: available only 2025-11-13 Beijing 09:30-10:00." in found.details
    assert found.forced is None  # nothing to force: no schedule could hold it


def test_no_room_large_enough_gives_the_size_and_the_largest_room() -> None:
    """Three people, and the only table seats two."""
    _, _, explainer = solved(meetings=[meeting("g", "a", "b", "c")])
    found = explainer.explain("g")
    assert found.kind == explanation.NO_ROOM
    assert "seats for 3 people" in found.headline
    assert "(T-1 at bj) seats 2" in found.headline


def test_a_room_too_small_where_people_are_free_is_no_room_not_no_common_time() -> None:
    """All three are free in Beijing, where the table seats 2; the room for 4 is in Hangzhou."""
    venues = [*BASE["venues"], {**TWO_CITIES_SAME_DAY[1], "rooms": [{"id": "R", "capacity": 4}]}]
    people = [{"id": p, "name": p.upper(), "available": [{"date": "2025-11-13", "city": "Beijing"}]} for p in "abc"]
    _, _, explainer = solved(venues=venues, participants=people, meetings=[meeting("m", "a", "b", "c")])
    found = explainer.explain("m")
    assert found.kind == explanation.NO_ROOM
    assert found.headline.startswith("No room is large enough where they are all free: it needs seats for 3")


def test_a_window_shorter_than_the_meeting_says_for_how_long() -> None:
    """a is free 09:00-09:30 only; the meeting lasts an hour."""
    people = [A_AT_NINE_B_AT_HALF_PAST[0], {"id": "b", "name": "B"}]
    _, _, explainer = solved(participants=people, meetings=[meeting("m", "a", "b", slots=2)])
    found = explainer.explain("m")
    assert found.kind == explanation.NO_COMMON_TIME
    assert "A is not free for 60 min at a stretch in any session" in found.headline


def test_long_lists_of_people_and_pairs_are_cut_with_a_count() -> None:
    """Twenty people each free at a different hour: 190 pairs never meet; eight are named."""
    hours = [f"{9 + k // 2:02d}:{30 * (k % 2):02d}" for k in range(21)]
    people = [
        {
            "id": f"p{k}",
            "name": f"P{k}",
            "available": [{"date": "2025-11-13", "city": "Beijing", "start": hours[k], "end": hours[k + 1]}],
        }
        for k in range(20)
    ]
    venues = [
        {
            **BASE["venues"][0],
            "days": [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "19:00"}]}],
            "rooms": [{"id": "R", "capacity": 20}],
        }
    ]
    _, _, explainer = solved(venues=venues, participants=people, meetings=[meeting("m", *(f"p{k}" for k in range(20)))])
    found = explainer.explain("m")
    assert found.kind == explanation.NO_COMMON_TIME
    assert "; and 182 more pairs are never free" in found.headline and len(found.in_short) < 600
    assert found.details[-1] == "… and 12 more people."


def test_no_interpreter_is_named_as_the_cause_not_the_room() -> None:
    """it0 and cn0 share no language; the one interpreter speaks Italian only, then is available
    at no time: either way the request waits for an interpreter, not for a room."""
    from test_solve import ITALIANS_AND_CHINESE

    venues = [{**BASE["venues"][0], "rooms": [{"id": "R", "count": 2, "capacity": 3}]}]
    for interpreter, words in (
        ({"id": "x", "name": "X", "languages": ["it", "en"]}, "No interpreter speaks a language of each of them"),
        (
            {"id": "x", "name": "X", "languages": ["it", "zh"], "available": []},
            "No interpreter who could sit in is available",
        ),
    ):
        _, _, explainer = solved(
            venues=venues,
            participants=ITALIANS_AND_CHINESE,
            meetings=[meeting("m", "it0", "cn0")],
            interpreters=[interpreter],
        )
        found = explainer.explain("m")
        assert found.kind == explanation.NO_INTERPRETER and found.headline.startswith(words), found.headline


def test_a_reason_from_the_instance_alone_names_the_edit_that_could_make_room() -> None:
    """a and b never share a time: no schedule can hold it, and the sentence names what to edit
    (their availability); a meeting of three at a table for two names a larger room."""
    instance, _, explainer = solved(
        participants=[*A_AT_NINE_B_AT_HALF_PAST, {"id": "c", "name": "C"}],
        meetings=[meeting("m", "a", "b"), meeting("g", "a", "b", "c")],
    )
    apart = cannot_at_all(no_place(explainer, instance.meeting_by_id["m"], ["a", "b"]))
    assert apart.kind == explanation.NO_COMMON_TIME and apart.impossible
    assert apart.sentences == [
        "It cannot be scheduled at all: moving or dropping other meetings cannot change that (no solve needed); "
        "only an edit of the instance can (its people's availability)."
    ]
    crowded = cannot_at_all(no_place(explainer, instance.meeting_by_id["g"], ["a", "b", "c"]))
    assert crowded.kind == explanation.NO_ROOM and crowded.sentences[0].endswith("(a larger room, or fewer people).")
    assert explainer.explain("m").sentences == apart.sentences
