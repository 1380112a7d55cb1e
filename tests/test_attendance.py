"""Who attends a scheduled meeting: the listed people, else the request less cancellations in force."""

from __future__ import annotations

from conftest import make_instance, meeting

from scheduler.attendance import attendees
from scheduler.solution import Assignment, Cancellation

INSTANCE = make_instance(meetings=[meeting("abc", "a", "b", "c")])


def at(start: str, people: list[str] | None = None) -> Assignment:
    end = {"09:00": "09:30", "09:30": "10:00"}[start]
    return Assignment(
        meeting="abc",
        date="2025-11-13",
        start=start,
        end=end,
        city="Beijing",
        venue="bj",
        room="T-1",
        participants=people,
    )


def test_a_listed_people_list_is_the_answer() -> None:
    assert attendees(INSTANCE, [Cancellation(kind="participant", id="a")], at("09:00", ["a", "b"])) == ["a", "b"]


def test_a_cancellation_counts_from_its_moment_even_in_history() -> None:
    """c cancelled from 09:30: still at the 09:00 meeting, gone from the 09:30 one, frozen or not."""
    gone = [Cancellation(kind="participant", id="c", from_="2025-11-13T09:30")]
    assert attendees(INSTANCE, gone, at("09:00"), "2025-11-13T10:00") == ["a", "b", "c"]
    assert attendees(INSTANCE, gone, at("09:30"), "2025-11-13T10:00") == ["a", "b"]


def test_an_older_file_s_cancellation_without_a_moment_spared_history() -> None:
    gone = [Cancellation(kind="participant", id="c")]
    assert attendees(INSTANCE, gone, at("09:00"), "2025-11-13T09:30") == ["a", "b", "c"]
    assert attendees(INSTANCE, gone, at("09:30"), "2025-11-13T09:30") == ["a", "b"]


def test_a_cancelled_participant_attends_no_programme_item_from_their_cancellation_on() -> None:
    """a attends the 10:00 plenary; cancelled from 09:30 they are no longer at it, from 10:30 (after
    it began) they were (a timetable still listed it: the organiser trial)."""
    from conftest import energy_seminar

    from scheduler.attendance import programme_attended

    instance = make_instance(programme=[energy_seminar("10:00", "10:30")])
    assert [i.id for i in programme_attended(instance, [], "a")] == ["sem"]
    for moment, attended in (("2025-11-13T09:30", []), ("2025-11-13T10:30", ["sem"]), (None, [])):
        gone = [Cancellation(kind="participant", id="a", from_=moment)]
        assert [i.id for i in programme_attended(instance, gone, "a")] == attended
    assert [i.id for i in programme_attended(instance, [Cancellation(kind="participant", id="b")], "a")] == ["sem"]
