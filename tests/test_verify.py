"""The checker catches each rule broken on purpose, and accepts what is valid."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import AROUND_MIDNIGHT, DATA, hand_made, make_instance, meeting, solve_and_verify
from typer.testing import CliRunner

from scheduler.cli import app
from scheduler.solution import Assignment, Cancellation, Schedule, Unscheduled
from scheduler.verify import review, verify

VENUES: list[dict[str, Any]] = [
    {
        "id": "bj",
        "city": "Beijing",
        "days": [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "10:00"}]}],
        "rooms": [{"id": "T", "count": 2, "capacity": 2}, {"id": "R", "capacity": 4}],
    },
    {
        "id": "hz",
        "city": "Hangzhou",
        "days": [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "10:00"}]}],
        "rooms": [{"id": "H", "capacity": 2}],
    },
]
PEOPLE: list[dict[str, Any]] = [
    {"id": "a", "name": "A", "max_meetings": 1},
    {"id": "b", "name": "B"},
    {
        "id": "c",
        "name": "C",
        "available": [{"date": "2025-11-13", "city": "Beijing", "start": "09:00", "end": "09:30"}],
    },
    {"id": "d", "name": "D"},
]
MEETINGS: list[dict[str, Any]] = [
    meeting("ab", "a", "b", priority=2),
    meeting("cd", "c", "d", priority=3),
    meeting("bd", "b", "d", priority=1, city="Beijing"),
    meeting("bcd", "b", "c", "d", priority=1),
]
INSTANCE = make_instance(venues=VENUES, participants=PEOPLE, meetings=MEETINGS)


def place(
    mid: str, start: str = "09:00", end: str = "09:30", room: str = "T-1", venue: str = "bj", city: str = "Beijing"
) -> Assignment:
    return Assignment(meeting=mid, date="2025-11-13", start=start, end=end, city=city, venue=venue, room=room)


def schedule_of(*assignments: Assignment, **extra: Any) -> Schedule:
    placed = {a.meeting for a in assignments}
    priority = {m["id"]: m["priority"] for m in MEETINGS}
    total = sum(priority[m] for m in placed)
    fields: dict[str, Any] = {
        "instance": "x.yaml",
        "instance_sha256": "0" * 64,
        "created": "2026-01-01T10:00:00+08:00",
        "status": "FEASIBLE",
        "objective": total,
        "bound": total + 10,
        "assignments": list(assignments),
        "unscheduled": [Unscheduled(meeting=m["id"], reason="test") for m in MEETINGS if m["id"] not in placed],
    }
    fields.update(extra)
    return Schedule(**fields)


VALID = schedule_of(place("ab", room="T-1"), place("cd", room="T-2"), place("bd", start="09:30", end="10:00"))


def rules(schedule: Schedule) -> set[str]:
    return {v.rule for v in verify(INSTANCE, schedule)}


def test_a_valid_schedule_is_accepted() -> None:
    assert verify(INSTANCE, VALID) == []


@pytest.mark.parametrize(
    ("schedule", "rule"),
    [
        (schedule_of(place("ab", room="T-1"), place("cd", room="T-1")), "3"),
        (schedule_of(place("ab"), place("bd", room="T-2")), "4"),
        (schedule_of(place("bcd", room="T-1")), "2"),
        (schedule_of(place("cd", start="09:30", end="10:00")), "5"),
        (
            schedule_of(
                place("ab", room="T-1"), place("bd", start="09:30", end="10:00", room="T-2"), place("cd", room="T-2")
            ),
            "ok",
        ),
        (schedule_of(place("ab", start="09:30", end="10:30")), "1"),
        (schedule_of(place("ab", start="09:00", end="10:00")), "1"),
        (schedule_of(place("ab", room="H")), "1"),
        (schedule_of(place("ab", room="nowhere")), "1"),
        (schedule_of(place("bd", room="H", venue="hz", city="Hangzhou")), "8"),
        (schedule_of(place("ab", room="H", venue="hz", city="Hangzhou"), place("bd", start="09:30", end="10:00")), "6"),
    ],
    ids=[
        "room-clash",
        "person-clash",
        "capacity",
        "availability",
        "valid-variant",
        "outside-session",
        "wrong-length",
        "room-of-other-venue",
        "unknown-room",
        "city-bound",
        "two-cities",
    ],
)
def test_each_broken_rule_is_named(schedule: Schedule, rule: str) -> None:
    found = rules(schedule)
    if rule == "ok":
        assert found == set()
    else:
        assert rule in found


def test_max_meetings_is_checked() -> None:
    people = [dict(p) for p in PEOPLE]
    people[1] = {"id": "b", "name": "B", "max_meetings": 1}
    instance = make_instance(venues=VENUES, participants=people, meetings=MEETINGS)
    schedule = schedule_of(place("ab"), place("bd", start="09:30", end="10:00"))
    assert "7" in {v.rule for v in verify(instance, schedule)}


def test_every_meeting_must_be_accounted_for_once() -> None:
    missing = VALID.model_copy(update={"unscheduled": []})
    assert any("is missing" in v.message for v in verify(INSTANCE, missing))
    twice = VALID.model_copy(update={"unscheduled": [*VALID.unscheduled, Unscheduled(meeting="ab", reason="x")]})
    assert "9" in rules(twice)


def test_objective_and_bound_must_be_honest() -> None:
    assert "objective" in rules(VALID.model_copy(update={"objective": 99, "bound": 99}))
    assert "objective" in rules(VALID.model_copy(update={"bound": VALID.objective - 1}))
    assert "objective" in rules(VALID.model_copy(update={"status": "OPTIMAL"}))


def test_cancellations_are_checked() -> None:
    """A cancelled participant leaves b-d alone (too few people) and a cancelled room is unusable."""
    cancelled = [Cancellation(kind="participant", id="d")]
    schedule = schedule_of(place("bd", start="09:30", end="10:00"), cancelled=cancelled)
    assert "cancel" in rules(schedule)
    room_gone = schedule_of(place("ab", room="T-1"), cancelled=[Cancellation(kind="room", id="T-1")])
    assert "cancel" in rules(room_gone)


def test_messages_read_as_sentences() -> None:
    clash = schedule_of(place("ab", room="T-1"), place("cd", room="T-1"))
    messages = [v.message for v in verify(INSTANCE, clash)]
    assert "room T-1 holds 2 meetings at once on 2025-11-13 at 09:00: ab, cd" in messages


def test_a_run_longer_than_max_consecutive_is_named_with_who_and_when() -> None:
    """Planted: b in ab 09:00 and bd 09:30, d in cd then bd: two slots in a row, max_consecutive 1."""
    strict = make_instance(
        event={"name": "Test week", "slot_minutes": 30, "max_consecutive": 1},
        venues=VENUES,
        participants=PEOPLE,
        meetings=MEETINGS,
    )
    assert verify(INSTANCE, VALID) == []
    found = [v for v in verify(strict, VALID) if v.rule == "breaks"]
    assert [v.message for v in found] == [
        "b has 2 meeting slots in a row on 2025-11-13 from 09:00 to 10:00 (ab, bd) without a break: "
        "max_consecutive is 1",
        "d has 2 meeting slots in a row on 2025-11-13 from 09:00 to 10:00 (bd, cd) without a break: "
        "max_consecutive is 1",
    ]


# ---- History: what a frozen moment may excuse, and what it never does ----


def test_meetings_off_the_grid_overlap_by_real_minutes() -> None:
    """ab 09:00-09:30 and cd 09:15-09:45 in one room share no grid tick but overlap: rule 3."""
    clash = schedule_of(place("ab", room="T-1"), place("cd", start="09:15", end="09:45", room="T-1"))
    assert "3" in rules(clash)
    shared = schedule_of(place("ab", room="T-1"), place("bd", start="09:15", end="09:45", room="T-2"))
    assert "4" in rules(shared)  # b in both


def test_a_frozen_moment_alone_excuses_nothing() -> None:
    """History that breaks availability (c is free only 09:00-09:30) is excused only when the
    schedule it was re-solved from confirms it; a bare frozen_until in the future confirms nothing."""
    late = place("cd", start="09:30", end="10:00", room="T-2")
    claimed = schedule_of(late, frozen_until="2099-01-01T00:00")
    bare = review(INSTANCE, claimed)
    assert any(v.rule == "5" and "no earlier schedule confirms" in v.message for v in bare.violations)
    confirmed = review(INSTANCE, claimed, previous=schedule_of(late))
    assert confirmed.violations == [] and [v.rule for v in confirmed.warnings] == ["5"]


def test_cancellations_cannot_count_from_after_the_frozen_moment() -> None:
    gone = Cancellation(kind="participant", id="c", from_="2025-11-13T09:30")
    lowered = schedule_of(place("ab"), cancelled=[gone], frozen_until="2025-11-13T09:00")
    assert any("after frozen_until" in v.message for v in verify(INSTANCE, lowered))
    removed = schedule_of(place("ab"), cancelled=[gone])
    assert any("after frozen_until" in v.message for v in verify(INSTANCE, removed))


def test_a_cancellation_twice_or_of_an_unknown_room_is_refused() -> None:
    twice = [Cancellation(kind="participant", id="c"), Cancellation(kind="participant", id="c", from_=None)]
    assert "cancel" in rules(schedule_of(place("ab"), cancelled=twice))
    ghost = [Cancellation(kind="room", id="ghost-room")]
    assert "ids" in rules(schedule_of(place("ab"), cancelled=ghost))


def test_a_history_meeting_without_its_people_list_still_loses_who_cancelled_before_it() -> None:
    """d cancelled from 09:00 (a moment: this version's file). bd at 09:30 lists nobody: d is not
    counted in it, so b and d's other meetings are judged without d, and bd has one person left."""
    gone = Cancellation(kind="participant", id="d", from_="2025-11-13T09:00")
    history = schedule_of(place("bd", start="09:30", end="10:00"), cancelled=[gone], frozen_until="2025-11-13T10:00")
    report = review(INSTANCE, history, previous=history)
    assert any("fewer than two participants" in v.message for v in report.warnings)


# ---- programme, interpreters, travel: each planted violation is named ----

WEEK_VENUES: list[dict[str, Any]] = [
    {
        "id": "bj",
        "city": "Beijing",
        "days": [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "12:00"}]}],
        "rooms": [{"id": "T", "count": 2, "capacity": 2}, {"id": "R", "count": 2, "capacity": 3}],
    },
    {
        "id": "hz",
        "city": "Hangzhou",
        "days": [{"date": "2025-11-14", "sessions": [{"start": "09:00", "end": "12:00"}]}],
        "rooms": [{"id": "H", "count": 2, "capacity": 3}],
    },
]
WEEK = make_instance(
    venues=WEEK_VENUES,
    participants=[
        {"id": "it1", "name": "I1", "languages": ["it"]},
        {"id": "it2", "name": "I2", "languages": ["it"]},
        {"id": "cn1", "name": "C1", "languages": ["zh"]},
        {"id": "cn2", "name": "C2", "languages": ["zh"]},
    ],
    meetings=[meeting("a", "it1", "cn1"), meeting("b", "it2", "cn2"), meeting("c", "it1", "it2")],
    interpreters=[
        {"id": "x", "name": "X", "languages": ["it", "zh"], "max_meetings": 1},
        {
            "id": "y",
            "name": "Y",
            "languages": ["it", "zh"],
            "available": [{"date": "2025-11-13", "city": "Beijing", "start": "09:00", "end": "10:00"}],
        },
    ],
    programme=[
        {
            "id": "opening",
            "title": "Opening plenary",
            "kind": "plenary",
            "city": "Beijing",
            "date": "2025-11-13",
            "start": "10:00",
            "end": "11:00",
            "attendees": ["it2"],
            "buffer_minutes": 30,
        }
    ],
    travel=[{"from": "Beijing", "to": "Hangzhou", "min_hours": 22}],
)


def week_place(mid: str, start: str, room: str, interpreter: str | None = None, **fields: str) -> Assignment:
    end = f"{int(start[:2]) + (start[3:] == '30'):02d}:{'00' if start[3:] == '30' else '30'}"
    base = {"date": "2025-11-13", "city": "Beijing", "venue": "bj"} | fields
    return Assignment(meeting=mid, start=start, end=end, room=room, interpreter=interpreter, **base)  # type: ignore[arg-type]


def week_rules(*assignments: Assignment) -> set[str]:
    return {v.rule for v in verify(WEEK, hand_made(WEEK, *assignments))}


def test_a_valid_week_schedule_is_accepted() -> None:
    assert week_rules(week_place("a", "09:00", "R-1", "x"), week_place("b", "09:00", "R-2", "y")) == set()


@pytest.mark.parametrize(
    ("assignments", "rule"),
    [
        ((week_place("b", "09:30", "R-1", "y"),), "programme"),  # it2 within the opening's buffer
        ((week_place("a", "09:00", "R-1"),), "interpreters"),  # no common language, nobody interprets
        ((week_place("a", "09:00", "R-1", "nobody"),), "interpreters"),  # unknown interpreter
        ((week_place("a", "09:00", "R-1", "y"), week_place("b", "09:00", "R-2", "y")), "interpreters"),  # twice
        ((week_place("a", "11:00", "R-1", "y"),), "interpreters"),  # y is not available then
        ((week_place("a", "09:00", "R-1", "x"), week_place("b", "11:30", "R-1", "x")), "interpreters"),  # x's max
        ((week_place("a", "09:00", "T-1", "x"),), "2"),  # the interpreter's seat: a table for two is full
        (
            (
                week_place("c", "11:30", "T-1"),
                week_place("a", "09:00", "H-1", "x", date="2025-11-14", city="Hangzhou", venue="hz"),
            ),
            "travel",
        ),
    ],
)
def test_each_planted_programme_interpreter_or_travel_violation_is_named(
    assignments: tuple[Assignment, ...], rule: str
) -> None:
    assert rule in week_rules(*assignments)


def test_sentences_name_who_which_item_and_when() -> None:
    schedule = hand_made(WEEK, week_place("b", "11:00", "R-1", "y"))
    messages = [str(v) for v in verify(WEEK, schedule)]
    assert any("it2 has meeting b (2025-11-13 11:00-11:30) during programme item opening" in m for m in messages)
    assert any("interpreter y is not available for meeting b" in m for m in messages)


WEEK_FILES = DATA / "week"


@pytest.mark.parametrize(
    ("name", "rule", "words"),
    [
        (
            "broken-seminar-buffer.json",
            "programme",
            "it2 has meeting b (2025-11-13 09:30-10:00) during programme item ai",
        ),
        ("broken-interpreter-twice.json", "interpreters", "interpreter x1 is in 2 meetings at once on 2025-11-13"),
        ("broken-no-interpreter.json", "interpreters", "it1, cn1 share no language and no interpreter sits in"),
        ("broken-travel.json", "travel", "travel from Beijing to Hangzhou takes 22 h"),
    ],
)
def test_check_names_each_planted_violation_in_the_week_files(name: str, rule: str, words: str) -> None:
    result = CliRunner().invoke(app, ["check", str(WEEK_FILES / "week.yaml"), str(WEEK_FILES / name)])
    assert result.exit_code == 1, result.output
    text = " ".join(result.output.split())
    assert "1 rule violation(s)" in text and rule in text and words in text


@pytest.mark.parametrize(
    ("mid", "date", "start", "item"),
    [("ac", "2025-11-14", "00:00", "late"), ("bc", "2025-11-13", "23:30", "early")],
)
def test_a_meeting_in_a_buffer_across_midnight_is_caught(mid: str, date: str, start: str, item: str) -> None:
    """a's dinner on the 13th (to 23:30, an hour's buffer) holds a until 00:30 on the 14th; b's visit
    at 00:15 on the 14th (30 minutes' buffer) holds b from 23:45 on the 13th."""
    instance = make_instance(**AROUND_MIDNIGHT)
    end = {"00:00": "00:30", "23:30": "24:00", "00:30": "01:00", "23:00": "23:30"}

    def schedule_with(when: str, at: str) -> Schedule:
        placed = Assignment(meeting=mid, date=when, start=at, end=end[at], city="Beijing", venue="bj", room="T-1")
        return hand_made(instance, placed)

    [violation] = verify(instance, schedule_with(date, start))
    assert violation.rule == "programme" and f"during programme item {item}" in violation.message
    fine = ("2025-11-14", "00:30") if mid == "ac" else ("2025-11-13", "23:00")
    assert verify(instance, schedule_with(*fine)) == []


def test_travel_names_the_closest_meeting_even_behind_a_later_programme_item() -> None:
    """a meets in Beijing until 12:00 on the 13th, then attends a Beijing seminar to 13:00, then a
    Hangzhou visit at 09:00 on the 14th, under a 22-hour rule. Seminar to visit (20 h) is the
    instance's own clash, not the schedule's; meeting to visit (21 h) is the schedule's."""
    item = {"kind": "visit", "attendees": ["a"], "title": "T"}
    instance = make_instance(
        venues=WEEK_VENUES,
        meetings=[meeting("ab", "a", "b")],
        programme=[
            {**item, "id": "sem", "city": "Beijing", "date": "2025-11-13", "start": "12:00", "end": "13:00"},
            {**item, "id": "visit", "city": "Hangzhou", "date": "2025-11-14", "start": "09:00", "end": "10:00"},
        ],
        travel=[{"from": "Beijing", "to": "Hangzhou", "min_hours": 22}],
    )
    [violation] = verify(instance, hand_made(instance, week_place("ab", "11:30", "T-1")))
    assert violation.rule == "travel"
    assert violation.message.startswith("a has programme item visit (2025-11-14 09:00-10:00) in Hangzhou only 21 h")
    assert "after meeting ab (2025-11-13 11:30-12:00) in Beijing" in violation.message


def test_the_checker_reads_languages_without_case() -> None:
    """it1 writes `it`, the other `IT`: they share a language, so the checker wants no interpreter
    there (and names one who sits in needlessly), by its own reading of the raw fields."""
    people = [
        {"id": "it1", "name": "I1", "languages": ["it"]},
        {"id": "up", "name": "U", "languages": ["IT", "en"]},
    ]
    instance = make_instance(
        venues=WEEK_VENUES,
        participants=people,
        meetings=[meeting("a", "it1", "up")],
        interpreters=[{"id": "x", "name": "X", "languages": ["it", "zh"]}],
    )

    def rules(interpreter: str | None) -> list[str]:
        return [str(v) for v in verify(instance, hand_made(instance, week_place("a", "09:00", "R-1", interpreter)))]

    assert rules(None) == []
    [needless] = rules("x")
    assert "has interpreter x, but its people share a language" in needless


def test_meeting_in_another_city_on_the_date_of_an_attended_item_is_a_violation() -> None:
    """a attends a Beijing plenary on the 13th: a meeting of a's in Hangzhou that date breaks one
    city per date, as the solver sees it (it was once only a warning, and check passed what solve refused)."""
    day = [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "12:00"}]}]
    instance = make_instance(
        venues=[
            {"id": "bj", "city": "Beijing", "days": day, "rooms": [{"id": "T", "count": 1, "capacity": 2}]},
            {"id": "hz", "city": "Hangzhou", "days": day, "rooms": [{"id": "H", "count": 1, "capacity": 2}]},
        ],
        participants=[{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
        meetings=[meeting("ab", "a", "b")],
        programme=[
            {"id": "p", "title": "Plenary", "kind": "plenary", "city": "Beijing", "date": "2025-11-13"}
            | {"start": "09:00", "end": "09:30", "attendees": ["a"]}
        ],
    )
    hangzhou = Assignment(
        meeting="ab", date="2025-11-13", start="10:00", end="10:30", city="Hangzhou", venue="hz", room="H-1"
    )
    (violation,) = verify(instance, hand_made(instance, hangzhou))
    assert violation.rule == "programme"
    assert (
        violation.message
        == "a meets in Hangzhou on 2025-11-13 (ab) but attends p in Beijing that date (one city per date)"
    )
    assert solve_and_verify(instance).objective == 1  # the solver places it in Beijing after the plenary


def test_history_keeps_its_interpreter_against_the_previous_file() -> None:
    """a was interpreted by x at 09:00, before the frozen 09:30: a file that says y (or nobody)
    sat in breaks history, though either would be valid on its own."""
    frozen = "2025-11-13T09:30"
    previous = hand_made(WEEK, week_place("a", "09:00", "R-1", "x"), frozen_until=frozen)
    assert review(WEEK, previous).violations == []
    for other in ("y", None):
        edited = hand_made(WEEK, week_place("a", "09:00", "R-1", other), frozen_until=frozen)
        report = review(WEEK, edited, previous)
        assert [v.rule for v in report.violations] == ["history"], report.violations
        assert f"with interpreter x; this schedule has {other or 'none'}" in report.violations[0].message


def test_a_frozen_moment_taken_out_of_a_re_solved_file_is_said_as_missing() -> None:
    """The previous file froze history at 09:30; this one has no frozen_until: the message says
    it is missing (it read 'frozen_until None is earlier than the previous')."""
    previous = hand_made(WEEK, week_place("a", "09:00", "R-1", "x"), frozen_until="2025-11-13T09:30")
    edited = hand_made(WEEK, week_place("a", "09:00", "R-1", "x"))
    messages = [v.message for v in review(WEEK, edited, previous).violations]
    assert "frozen_until is missing (null), though the previous file froze history until 2025-11-13T09:30" in messages
