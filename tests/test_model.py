"""Instance models: derived look-ups and the cross-reference rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from conftest import BASE, make_instance, meeting
from pydantic import ValidationError

from scheduler.errors import InputError
from scheduler.model import Instance, to_clock, to_minutes


def test_rooms_are_expanded_from_count() -> None:
    venues = [{**BASE["venues"][0], "rooms": [{"id": "T", "count": 3, "capacity": 2}, {"id": "R", "capacity": 6}]}]
    instance = make_instance(venues=venues)
    assert [r.id for r in instance.rooms] == ["T-1", "T-2", "T-3", "R"]
    assert instance.room_by_id["R"].capacity == 6


def test_meeting_options_follow_sessions_and_availability() -> None:
    """One hour 09:00-10:00 on a 30-minute grid: two starts, or one for a 2-slot meeting."""
    instance = make_instance(meetings=[meeting("m", "a", "b"), meeting("long", "c", "d", slots=2)])
    starts = [to_clock(o.start) for o in instance.meeting_options(instance.meeting_by_id["m"])]
    assert starts == ["09:00", "09:30"]
    (only,) = instance.meeting_options(instance.meeting_by_id["long"])
    assert (only.date, only.start, only.end) == (dt.date(2025, 11, 13), to_minutes("09:00"), to_minutes("10:00"))


def test_several_problems_are_reported_together_with_places() -> None:
    with pytest.raises(InputError) as caught:
        make_instance(meetings=[meeting("m", "a", "zz"), meeting("m", "a", "a")])
    places = {p.place: p.message for p in caught.value.problems}
    assert places["meetings[0].participants[1]"] == "unknown participant 'zz'"
    assert places["meetings[1].id"].startswith("duplicate meeting id 'm'")
    assert places["meetings[1].participants[1]"] == "participant 'a' is listed twice"


def test_times_off_the_grid_and_backwards_sessions_are_rejected() -> None:
    venues = [{**BASE["venues"][0], "days": [{"date": "2025-11-13", "sessions": [{"start": "09:10", "end": "09:00"}]}]}]
    with pytest.raises(InputError) as caught:
        make_instance(venues=venues)
    messages = [p.render(None) for p in caught.value.problems]
    assert any("venues[0].days[0].sessions[0].start: 09:10 is not on the 30-minute grid" in m for m in messages)
    assert any("ends (09:00) before it starts (09:10)" in m for m in messages)


def test_input_models_are_frozen_and_strict_about_fields() -> None:
    instance = make_instance()
    with pytest.raises(Exception, match="frozen"):
        instance.event.slot_minutes = 15
    data = {**BASE, "meetings": [{"id": "m", "participants": ["a", "b"], "priorty": 3}]}
    with pytest.raises(Exception, match="priorty"):
        Instance.model_validate(data)


def test_min_meetings_above_max_meetings_and_meetings_longer_than_max_consecutive_are_refused() -> None:
    people = [{"id": "a", "name": "A", "min_meetings": 3, "max_meetings": 2}, {"id": "b", "name": "B"}]
    with pytest.raises(Exception, match="min_meetings 3 is more than max_meetings 2"):
        make_instance(participants=people)
    with pytest.raises(InputError) as caught:
        make_instance(event={"name": "x", "max_consecutive": 1}, meetings=[meeting("m", "a", "b", slots=2)])
    assert "more than the event's max_consecutive 1" in caught.value.problems[0].message
    valid = make_instance(
        event={"name": "x", "max_consecutive": 2},
        participants=[{"id": "a", "name": "A", "min_meetings": 1, "host": True}, {"id": "b", "name": "B"}],
    )
    assert valid.participant_by_id["a"].host and valid.event.max_consecutive == 2


@pytest.mark.parametrize("value", [True, "2", 2.0])
@pytest.mark.parametrize("field", ["slots", "priority"])
def test_integers_are_strict(field: str, value: object) -> None:
    with pytest.raises(ValidationError, match=f"meetings.0.{field}\n  Input should be a valid integer"):
        make_instance(meetings=[meeting("m", "a", "b", **{field: value})])


def test_meetings_may_be_empty_but_not_missing() -> None:
    assert make_instance(meetings=[]).meetings == []
    data = {k: v for k, v in BASE.items() if k != "meetings"}
    with pytest.raises(ValidationError, match="meetings"):
        Instance.model_validate(data)


@pytest.mark.parametrize(
    ("field", "value"),
    [("id", "m\u0000x"), ("id", "a\x1b[31m"), ("name", "B\x01"), ("name", "red\x1b[31m")],
)
def test_control_characters_are_refused_in_ids_and_names(field: str, value: str) -> None:
    """A name or id with control characters would reach terminals, file names and sheets."""
    people = [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}]
    people[1] = {**people[1], field: value}
    with pytest.raises(ValidationError):
        make_instance(participants=people, meetings=[meeting("ab", "a", people[1]["id"])])


def test_tabs_and_line_breaks_are_fine_in_free_text() -> None:
    instance = make_instance(meetings=[meeting("ab", "a", "b", topic="energy\tstorage\nand grids")])
    assert instance.meetings[0].topic == "energy\tstorage\nand grids"


def test_a_programme_item_takes_its_attendees_time_with_buffer_and_keeps_them_in_its_city() -> None:
    venues = [
        {**BASE["venues"][0], "days": [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "12:00"}]}]},
        {**BASE["venues"][0], "id": "hz", "city": "Hangzhou", "rooms": [{"id": "H", "capacity": 2}]},
    ]
    item = {
        "id": "s",
        "title": "Seminar",
        "city": "Beijing",
        "date": "2025-11-13",
        "start": "10:15",
        "end": "10:45",
        "attendees": {"organisation": "ENEA"},
        "buffer_minutes": 15,
    }
    people = [
        {"id": "a", "name": "A", "organisation": "ENEA"},
        {"id": "b", "name": "B", "organisation": "CNR"},
    ]
    instance = make_instance(venues=venues, participants=people, programme=[item])
    day = dt.date(2025, 11, 13)
    assert instance.programme_attendees["s"] == {"a"}
    free = instance.free_ticks("a", day, "Beijing")
    assert free is not None and set(range(0, 1440, 30)) - free == {600, 630}  # 10:15-10:45 +15 min: 10:00-11:00
    assert 570 in free and 660 in free
    assert instance.free_ticks("a", day, "Hangzhou") == frozenset()
    assert instance.free_ticks("b", day, "Beijing") is None


def test_languages_decide_who_needs_an_interpreter_and_who_can_be_one() -> None:
    people = [
        {"id": "a", "name": "A", "languages": ["it"]},
        {"id": "b", "name": "B", "languages": ["ZH"]},
        {"id": "c", "name": "C", "languages": ["zh", "en"]},
        {"id": "d", "name": "D"},
    ]
    interpreters = [
        {"id": "x", "name": "X", "languages": ["it", "zh"]},
        {"id": "y", "name": "Y", "languages": ["en", "zh"]},
    ]
    meetings = [meeting("ab", "a", "b"), meeting("bc", "b", "c"), meeting("ad", "a", "d")]
    instance = make_instance(participants=people, meetings=meetings, interpreters=interpreters)
    ab, bc, ad = (instance.meeting_by_id[m] for m in ("ab", "bc", "ad"))
    assert instance.needs_interpreter(ab.participants) and instance.interpreter_candidates(ab) == ["x"]
    assert not instance.needs_interpreter(bc.participants)  # zh in common (case does not matter)
    assert not instance.needs_interpreter(ad.participants)  # D lists no languages: nothing to go on
    assert instance.seats(ab) == 3 and instance.seats(bc) == 2
    without = make_instance(participants=people, meetings=meetings)
    assert without.seats(ab) == 2 and without.interpreter_candidates(ab) == []


def test_an_interpreter_id_may_not_be_a_participant_id() -> None:
    with pytest.raises(InputError, match="already a participant's id"):
        make_instance(interpreters=[{"id": "a", "name": "A", "languages": ["it", "zh"]}])


def test_people_share_a_profile_exactly_when_they_are_free_at_the_same_times() -> None:
    """Profiles are worked out once per list of windows: the same windows share one, unless a
    programme item takes someone's time; no windows (never free) is not 'always free'."""
    morning = [{"date": "2025-11-13", "city": "Beijing", "start": "09:00", "end": "10:00"}]
    item = {
        "id": "s",
        "title": "Seminar",
        "city": "Beijing",
        "date": "2025-11-13",
        "start": "09:00",
        "end": "09:30",
        "attendees": ["c"],
    }
    people: list[dict[str, Any]] = [
        {"id": "a", "name": "A", "available": morning},
        {"id": "b", "name": "B", "available": morning},
        {"id": "c", "name": "C", "available": morning},
        {"id": "d", "name": "D"},
        {"id": "e", "name": "E", "available": []},
    ]
    instance = make_instance(participants=people, programme=[item])
    profile = {p["id"]: instance.profile_of(p["id"]) for p in people}
    assert profile["a"] == profile["b"]
    assert len({profile[pid] for pid in "acde"}) == 4


def test_programme_for_all_takes_those_in_its_city_that_date() -> None:
    """b is at the event only on the 14th and c is in Hangzhou on the 13th: the Beijing opening on
    the 13th for `all` is neither's (it must not cost c a day in Hangzhou); an item that names b is."""
    from conftest import make_instance

    people = [
        {"id": "a", "name": "A"},
        {"id": "b", "name": "B", "available": [{"date": "2025-11-14", "city": "Beijing"}]},
        {"id": "c", "name": "C", "available": [{"date": "2025-11-13", "city": "Hangzhou"}]},
    ]
    item = {"title": "T", "kind": "plenary", "city": "Beijing", "date": "2025-11-13", "start": "09:00", "end": "09:30"}
    day = [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "10:00"}]}]
    venues = [
        {"id": "bj", "city": "Beijing", "days": day, "rooms": [{"id": "T", "count": 1, "capacity": 2}]},
        {"id": "hz", "city": "Hangzhou", "days": day, "rooms": [{"id": "H", "count": 1, "capacity": 2}]},
    ]
    instance = make_instance(
        venues=venues,
        participants=people,
        programme=[{**item, "id": "opening"}, {**item, "id": "named", "attendees": ["a", "b"]}],
    )
    assert instance.programme_attendees == {"opening": frozenset({"a"}), "named": frozenset({"a", "b"})}
    assert 540 in (instance.free_ticks("c", dt.date(2025, 11, 13), "Hangzhou") or ())  # her 09:00 in Hangzhou stays


def test_languages_compare_without_case_and_each_is_listed_once() -> None:
    """`it` and `IT` are one language: two people writing it differently share it, and a list that
    has it twice (in any case) is refused, for participants and interpreters alike."""
    people = [{"id": "a", "name": "A", "languages": ["it"]}, {"id": "b", "name": "B", "languages": ["IT", "en"]}]
    instance = make_instance(participants=people, interpreters=[{"id": "x", "name": "X", "languages": ["it", "zh"]}])
    assert not instance.needs_interpreter(["a", "b"])
    twice = [{"id": "a", "name": "A", "languages": ["it", "en", "It"]}, {"id": "b", "name": "B"}]
    with pytest.raises(ValidationError, match="'It' is listed twice"):
        make_instance(participants=twice)
    with pytest.raises(ValidationError, match="'IT' is listed twice"):
        make_instance(interpreters=[{"id": "x", "name": "X", "languages": ["it", "IT"]}])


def test_programme_attendees_listing_nobody_or_someone_twice_are_refused() -> None:
    item = {"id": "s", "title": "S", "city": "Beijing", "date": "2025-11-13", "start": "09:00", "end": "09:30"}
    with pytest.raises(InputError) as caught:
        make_instance(programme=[{**item, "attendees": []}, {**item, "id": "t", "attendees": ["a", "b", "a"]}])
    places = {p.place: p.message for p in caught.value.problems}
    assert places["programme[0].attendees"].startswith("lists nobody")
    assert places["programme[1].attendees[2]"] == "participant 'a' is listed twice"


def test_travel_is_written_from_and_one_rule_per_pair_of_cities() -> None:
    venues = [
        BASE["venues"][0],
        {**BASE["venues"][0], "id": "hz", "city": "Hangzhou", "rooms": [{"id": "H", "capacity": 2}]},
    ]
    with pytest.raises(ValidationError, match="from_"):
        make_instance(venues=venues, travel=[{"from_": "Beijing", "to": "Hangzhou", "min_hours": 4}])
    rules = [{"from": "Beijing", "to": "Hangzhou", "min_hours": h} for h in (4, 16)]
    with pytest.raises(InputError) as caught:
        make_instance(venues=venues, travel=rules)
    [problem] = caught.value.problems
    assert problem.place == "travel[1]" and "first at travel[0]" in problem.message


def test_a_title_that_starts_with_its_kind_is_not_prefixed_again() -> None:
    from scheduler.model import ProgrammeItem

    base = {"id": "s", "city": "Beijing", "date": "2025-11-13", "start": "09:00", "end": "10:00"}
    energy = ProgrammeItem.model_validate({**base, "title": "Energy", "kind": "seminar"})
    space = ProgrammeItem.model_validate({**base, "title": "SEMINAR: space science", "kind": "seminar"})
    assert (energy.label, energy.named) == ("seminar: Energy", "the seminar 'Energy'")
    assert (space.label, space.named) == ("SEMINAR: space science", "'SEMINAR: space science'")


def test_language_codes_with_spaces_or_numbers_are_refused() -> None:
    """' zh' once made an interpreter useless in silence, and 1 passed as a language."""
    from scheduler.store import problems_from_validation

    for bad in (["it ", " zh"], [1, 2]):
        with pytest.raises(ValidationError) as refused:
            make_instance(interpreters=[{"id": "x", "name": "X", "languages": bad}])
        messages = [p.message for p in problems_from_validation(refused.value)]
        assert messages and all("language code" in m or "valid string" in m for m in messages), messages
