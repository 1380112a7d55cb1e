"""`instance_warnings`: what a valid instance is warned about on loading (likely slips: the solve
goes on). Each instance is tiny; the warning expected is worked out in the docstring."""

from __future__ import annotations

from conftest import energy_seminar, make_instance, meeting

from scheduler.instance_warnings import instance_warnings


def test_availability_where_no_venue_is_open_is_a_warning_not_an_error() -> None:
    people = [
        {"id": "a", "name": "A", "available": [{"date": "2025-11-14", "city": "Beijing"}]},
        {"id": "b", "name": "B", "available": [{"date": "2025-11-13", "city": "Beijing"}]},
    ]
    instance = make_instance(participants=people, meetings=[meeting("m", "a", "b")])
    [warning] = instance_warnings(instance)
    assert warning.render("i.yaml") == (
        "i.yaml: participants[0].available[0]: no venue in Beijing is open on 2025-11-14: "
        "this entry gives no time to meet"
    )


def test_an_interpreter_named_where_none_is_needed_is_a_warning() -> None:
    from conftest import make_instance, meeting

    people = [{"id": "a", "name": "A", "languages": ["it"]}, {"id": "b", "name": "B", "languages": ["it", "zh"]}]
    instance = make_instance(
        participants=people,
        meetings=[meeting("ab", "a", "b", interpreter="x")],
        interpreters=[{"id": "x", "name": "X", "languages": ["it", "zh"]}],
    )
    assert [w.message for w in instance_warnings(instance)] == [
        "names x, but its people share a language: it is scheduled without an interpreter"
    ]


def test_attendees_whose_availability_misses_a_programme_item_are_one_warning_per_item() -> None:
    """`attendees: all` takes ten people available only 14:00-15:00 on the date of a 09:30
    plenary, and one available 09:00-10:00 then 10:00-12:00 (adjacent windows cover it). The
    ten are one warning, eight named and two counted; the covered one is not named."""
    from conftest import make_instance

    late = [
        {
            "id": f"p{k}",
            "name": f"P{k}",
            "available": [{"date": "2025-11-13", "city": "Beijing", "start": "14:00", "end": "15:00"}],
        }
        for k in range(10)
    ]
    split = [
        {"date": "2025-11-13", "city": "Beijing", "start": "09:00", "end": "10:00"},
        {"date": "2025-11-13", "city": "Beijing", "start": "10:00", "end": "12:00"},
    ]
    item = {"id": "open", "title": "Opening", "kind": "plenary", "city": "Beijing", "date": "2025-11-13"}
    instance = make_instance(
        participants=[*late, {"id": "ok", "name": "OK", "available": split}],
        meetings=[],
        programme=[{**item, "start": "09:30", "end": "10:30"}],
    )
    assert "p0" in instance.programme_attendees["open"]  # what the warning is about
    [warning] = instance_warnings(instance)
    assert warning.message == (
        "10 attendees of open (2025-11-13 09:30-10:30) are not available for all of it, yet their timetables "
        "show it: p0, p1, p2, p3, p4, p5, p6, p7 and 2 more (list its attendees by id instead of 'all', or widen "
        "their availability)"
    )
    # Advice per case: an item that already lists its attendees is told to take them off, a filter to list them.
    listed = make_instance(
        participants=late, meetings=[], programme=[{**item, "start": "09:30", "end": "10:30", "attendees": ["p0"]}]
    )
    [warning] = instance_warnings(listed)
    assert warning.message.endswith("show it: p0 (take them off its attendees, or widen their availability)")
    filtered = make_instance(
        participants=[{**late[0], "organisation": "ENEA"}, *late[1:]],
        meetings=[],
        programme=[{**item, "start": "09:30", "end": "10:30", "attendees": {"organisation": "ENEA"}}],
    )
    [warning] = instance_warnings(filtered)
    assert warning.message.endswith(
        "show it: p0 (list its attendees by id instead of a filter, or widen their availability)"
    )


def test_an_item_where_no_venue_is_open_that_date_is_a_warning() -> None:
    item = {"id": "p", "title": "T", "kind": "visit", "city": "Beijing", "date": "2025-11-14"}
    instance = make_instance(programme=[item | {"start": "09:00", "end": "10:00"}])
    (warning,) = [w for w in instance_warnings(instance) if w.loc[0] == "programme"]
    assert warning.message == (
        "no venue in Beijing is open on 2025-11-14: its 4 attendee(s) are kept in Beijing that date and have no "
        "meetings then"
    )


def test_an_attendee_with_no_availability_that_date_is_said_to_give_none() -> None:
    """a is listed for a seminar on the 13th but gives availability only for the 14th: the
    warning says they give none that date (it said 'not available for all of it')."""
    seminar = energy_seminar("09:30", "10:00")
    people = [
        {"id": "a", "name": "A", "available": [{"date": "2025-11-14", "city": "Beijing"}]},
        {"id": "b", "name": "B"},
    ]
    instance = make_instance(participants=people, programme=[seminar])
    messages = [w.message for w in instance_warnings(instance)]
    assert any(
        "1 attendee of sem (Beijing, 2025-11-13) gives no availability at all that date" in m and ": a (" in m
        for m in messages
    ), messages
