"""`cancellations`: `--cancel` and `--frozen-until` read or refused in plain words, merged with
the previous file's cancellations, and who is left in each request after them."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import hand_made, make_instance, meeting

from scheduler.cancellations import (
    People,
    format_moment,
    merge_cancellations,
    parse_cancel,
    parse_moment,
    read_moment,
)
from scheduler.errors import InputError
from scheduler.solution import Cancellation

SHANGHAI = "Asia/Shanghai"


def test_bad_cancellations_are_input_errors() -> None:
    with pytest.raises(InputError, match="expected KIND:ID"):
        parse_cancel("person:a")
    with pytest.raises(InputError, match="expected KIND:ID"):
        parse_cancel("participant:")
    with pytest.raises(InputError, match="is not an id"):
        parse_cancel("participant: a")


def test_an_interpreter_is_not_cancelled_on_the_command_line() -> None:
    with pytest.raises(InputError, match="take them out of the instance"):
        parse_cancel("interpreter:x")


def test_an_id_may_itself_hold_colons() -> None:
    assert parse_cancel("room:BJ:T-1") == Cancellation(kind="room", id="BJ:T-1")


def test_a_moment_is_local_to_the_minute_or_converted_from_its_offset() -> None:
    """09:30 in Shanghai is 01:30 UTC; seconds, a bare date and words are refused, naming the option."""
    assert parse_moment("2025-11-13T09:30", SHANGHAI) == dt.datetime(2025, 11, 13, 9, 30)
    assert parse_moment("2025-11-13T01:30Z", SHANGHAI) == dt.datetime(2025, 11, 13, 9, 30)
    assert parse_moment("2025-11-13T02:30+01:00", SHANGHAI) == dt.datetime(2025, 11, 13, 9, 30)
    for text, says in (
        ("2025-11-13T09:30:15", "to the minute"),
        ("2025-11-13", "no time of day"),
        ("tomorrow", "not a date-time"),
    ):
        with pytest.raises(InputError, match=says) as refused:
            parse_moment(text, SHANGHAI)
        assert refused.value.problems[0].loc == ("--frozen-until",)


def test_a_moment_is_written_and_read_back_to_the_minute() -> None:
    moment = dt.datetime(2025, 11, 14, 12, 0)
    assert format_moment(moment) == "2025-11-14T12:00"
    assert read_moment(format_moment(moment)) == moment
    assert format_moment(None) is None and read_moment(None) is None


def test_earlier_cancellations_that_name_nothing_now_are_dropped_and_new_ones_are_stamped() -> None:
    """The previous file cancelled participant zz (since taken out of the instance) and room T-1 from
    09:30; cancelling b now, frozen at 10:00, counts from 10:00. An unknown id is refused."""
    instance = make_instance(meetings=[meeting("ab", "a", "b")])
    previous = hand_made(
        instance,
        cancelled=[
            Cancellation(kind="participant", id="zz"),
            Cancellation(kind="room", id="T-1", from_="2025-11-13T09:30"),
        ],
    )
    frozen = dt.datetime(2025, 11, 13, 10, 0)
    merged, notes = merge_cancellations(instance, previous, [parse_cancel("participant:b")], frozen)
    assert merged == [
        Cancellation(kind="room", id="T-1", from_="2025-11-13T09:30"),
        Cancellation(kind="participant", id="b", from_="2025-11-13T10:00"),
    ]
    assert notes == ["earlier cancellation of participant 'zz' dropped: it is no longer in the instance"]
    with pytest.raises(InputError, match="unknown participant 'q'"):
        merge_cancellations(instance, previous, [parse_cancel("participant:q")], frozen)


def test_a_request_left_with_one_person_is_cancelled_and_a_larger_one_goes_on_without_them() -> None:
    """b cancels: ab has one person left and is cancelled; abc goes on as a and c; cd is untouched."""
    instance = make_instance(meetings=[meeting("ab", "a", "b"), meeting("abc", "a", "b", "c"), meeting("cd", "c", "d")])
    previous = hand_made(instance)
    cancels = [parse_cancel("participant:b")]
    merged, _ = merge_cancellations(instance, previous, cancels, None)
    people = People(instance, previous, cancels, merged, None)
    people.apply({})
    assert people.gone_meetings == {"ab"}
    assert people.of("abc") == ["a", "c"] and people.of("cd") == ["c", "d"]
    assert people.causes == {"ab": "B can no longer attend", "abc": "B can no longer attend"}
    assert Cancellation(kind="meeting", id="ab") in people.all_cancels


def test_a_lower_case_t_is_read_and_an_interpreter_named_as_a_participant_is_explained() -> None:
    """'2025-11-13t09:30' is the same moment (it was refused as 'no time of day'); cancelling an
    interpreter as a participant says what to do instead of 'unknown participant'."""
    assert parse_moment("2025-11-13t09:30", SHANGHAI) == dt.datetime(2025, 11, 13, 9, 30)
    instance = make_instance(
        meetings=[meeting("ab", "a", "b")], interpreters=[{"id": "x", "name": "X", "languages": ["it", "zh"]}]
    )
    with pytest.raises(InputError, match="x is an interpreter, not a participant"):
        merge_cancellations(instance, hand_made(instance), [parse_cancel("participant:x")], None)


def test_a_request_is_lost_with_its_people_only_with_fewer_than_two_left() -> None:
    from scheduler.cancellations import lost_with_its_people

    assert lost_with_its_people(["a", "b"], {"b"})
    assert not lost_with_its_people(["a", "b", "c"], {"b"})  # two left: one the organiser named is theirs
    assert not lost_with_its_people(["a", "b"], set())  # nobody of it gone
    assert lost_with_its_people(["a", "b", "c"], {"a", "c"})
