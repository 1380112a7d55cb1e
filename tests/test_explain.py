"""`explain`: the right reason, in words, for each way a request stays out; and the cost of forcing it in.

Each instance is tiny and its schedule is solved and checked; the expected reason is worked
out by hand in the docstring.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from conftest import (
    A_ANYWHERE_B_IN_BEIJING_C_IN_HANGZHOU,
    A_AT_NINE_B_AT_HALF_PAST,
    BASE,
    energy_seminar,
    hand_made,
    make_instance,
    meeting,
    resolve_and_verify,
    solve_and_verify,
)
from hypothesis import HealthCheck, given, settings
from test_cli import run
from test_cli import solved as solved_file
from test_property import instances
from test_render import text_of
from test_solve import TWO_CITIES_SAME_DAY

from scheduler import explanation, reasons, reports
from scheduler.explain import Explainer
from scheduler.model import Instance
from scheduler.solution import Assignment, Schedule, Unscheduled
from scheduler.stats import stats
from scheduler.store import load_instance, load_schedule
from scheduler.verify import verify

BASE_EVENT: dict[str, Any] = BASE["event"]


def solved(**sections: Any) -> tuple[Instance, Schedule, Explainer]:
    instance = make_instance(**sections)
    schedule = solve_and_verify(instance)
    return instance, schedule, Explainer(instance, schedule)


def test_max_meetings_names_the_meetings_that_used_it_up_and_forcing_drops_one() -> None:
    """a may have one meeting: hi (5) wins over lo (1); forcing lo in drops hi, 5 -> 1."""
    people = [{"id": "a", "name": "Anna", "max_meetings": 1}, {"id": "b", "name": "Bo"}, {"id": "c", "name": "Cy"}]
    _, schedule, explainer = solved(
        participants=people, meetings=[meeting("hi", "a", "b", priority=5), meeting("lo", "a", "c")]
    )
    assert [u.meeting for u in schedule.unscheduled] == ["lo"]
    found = explainer.force("lo", time_limit=10, workers=2)
    assert found.kind == explanation.MAX_MEETINGS
    assert "Anna already has 1, the most allowed" in found.headline
    assert "hi (priority 5, 2025-11-13" in found.details[0]
    assert found.forced is not None and found.forced.dropped == ["hi"]
    assert (found.forced.priority_before, found.forced.priority_after) == (5, 1)
    assert found.forced.proven
    assert any(line.startswith("It would drop hi (priority 5") for line in found.sentences)


def test_one_city_per_date_says_who_is_elsewhere_and_for_what() -> None:
    """On the one date a meets b (5) in Beijing, so a cannot meet c (1), who is only in Hangzhou."""
    _, _, explainer = solved(
        venues=TWO_CITIES_SAME_DAY,
        participants=A_ANYWHERE_B_IN_BEIJING_C_IN_HANGZHOU,
        meetings=[meeting("ab", "a", "b", priority=5), meeting("ac", "a", "c", priority=1)],
    )
    found = explainer.force("ac", time_limit=10, workers=2)
    assert found.kind == explanation.ONE_CITY
    assert any(line.startswith("On 2025-11-13 A is in Beijing for ab (priority 5") for line in found.details)
    assert found.forced is not None and found.forced.dropped == ["ab"]
    assert found.forced.place is not None and found.forced.place.city == "Hangzhou"


def test_lost_to_higher_priority_names_the_meetings_and_what_forcing_would_displace() -> None:
    """One table, two slots; a is in all three requests: m1 and m2 (5 each) take both slots,
    m3 (1) is lost to them; forcing m3 in drops one of them (10 -> 6)."""
    _, _, explainer = solved(
        meetings=[
            meeting("m1", "a", "b", priority=5),
            meeting("m2", "a", "c", priority=5),
            meeting("m3", "a", "d", priority=1),
        ]
    )
    found = explainer.force("m3", time_limit=10, workers=2)
    assert found.kind == explanation.LOST
    assert "meetings of priority 1 or more (2 meeting(s) in all)" in found.headline
    assert found.details[0].startswith("A is then in m")  # in time order, whichever comes first
    assert "m1 (priority 5, 2025-11-13 " in found.details[0] and "m2 (priority 5, 2025-11-13 " in found.details[0]
    forced = found.forced
    assert forced is not None and len(forced.dropped) == 1 and forced.dropped[0] in {"m1", "m2"}
    assert (forced.priority_before, forced.priority_after) == (10, 6)
    assert (
        "Total priority 10 -> 6 (-4). No change that holds it keeps more of the schedule's priority." in found.sentences
    )


def test_a_scheduled_meeting_says_where_why_there_and_who_took_the_other_time() -> None:
    """Two slots, one table: m1 (5) and m2 (3) share a; each had the other's slot as its alternative."""
    _, schedule, explainer = solved(meetings=[meeting("m1", "a", "b", priority=5), meeting("m2", "a", "c", priority=3)])
    place = schedule.assignment_by_meeting["m1"]
    found = explainer.explain("m1")
    assert found.kind == explanation.SCHEDULED
    assert found.headline == f"Scheduled 2025-11-13 {place.start}-{place.end} in Beijing, bj, room T-1."
    assert "are all free at: 2025-11-13 Beijing 09:00-10:00." in found.details[0]
    assert "It needs seats for 2: room T-1 seats 2" in found.details[1]
    assert found.details[2].startswith("At other times it could have had, A is then in m2 (priority 3")


def test_a_request_whose_people_left_is_cancelled() -> None:
    """b cancelled: the pair a-b has one person left, so it is cancelled, not waiting."""
    instance = make_instance(meetings=[meeting("ab", "a", "b")])
    schedule = solve_and_verify(instance)
    resolved, _ = resolve_and_verify(instance, schedule, ["participant:b"])
    found = Explainer(instance, resolved).explain("ab")
    assert found.kind == explanation.CANCELLED
    assert "B can no longer attend" in found.headline


def test_cli_explain_says_why_and_what_forcing_in_would_drop(sample_copy: Path) -> None:
    """In the sample, r08 waits because cn-tsinghua-01 already has max_meetings (3)."""
    schedule_path = solved_file(sample_copy)
    code, output = run("explain", str(sample_copy), str(schedule_path), "--meeting", "r08", "-t", "10", "-w", "2")
    assert code == 0, output
    text = " ".join(output.split())
    assert "max_meetings reached" in text and "already has 3, the most allowed" in text
    assert "If it had to be scheduled:" in text and "It would drop" in text
    code, output = run("explain", str(sample_copy), str(schedule_path), "--meeting", "r99", "--no-solve")
    assert code == 2 and "unknown meeting 'r99'" in output


def test_full_rooms_and_a_forced_solve_that_only_moves_a_meeting() -> None:
    """One table, two slots; c is free only at 09:00, where a hand-made schedule put a-b.

    c-d waits because the only room is taken then by a-b, of equal priority (nobody is busy); forcing it in moves
    a-b to 09:30 and loses nothing: total priority 1 -> 2.
    """
    people: list[dict[str, Any]] = [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}, {"id": "d", "name": "D"}]
    people.append({"id": "c", "name": "C", "available": [A_AT_NINE_B_AT_HALF_PAST[0]["available"][0]]})
    instance = make_instance(participants=people, meetings=[meeting("ab", "a", "b"), meeting("cd", "c", "d")])
    schedule = solve_and_verify(instance)
    nine = Assignment(
        meeting="ab", date="2025-11-13", start="09:00", end="09:30", city="Beijing", venue="bj", room="T-1"
    )
    schedule = schedule.model_copy(
        update={
            "assignments": [nine],
            "unscheduled": [Unscheduled(meeting="cd", reason="by hand")],
            "objective": 1,
            "status": "FEASIBLE",
        }
    )
    assert verify(instance, schedule) == []
    found = Explainer(instance, schedule).force("cd", time_limit=10, workers=2)
    assert found.kind == explanation.LOST  # the room's holder, a-b, has the same priority
    assert found.details == [
        "Every room large enough is taken or closed at 2025-11-13 Beijing 09:00-09:30, "
        "by ab (priority 1, 2025-11-13 09:00, with A and B)."
    ]
    forced = found.forced
    assert forced is not None and forced.dropped == [] and forced.place is not None
    assert [(a.start, b.start) for a, b in forced.moved] == [("09:00", "09:30")]
    assert (forced.priority_before, forced.priority_after) == (1, 2)
    assert "It would move ab from 2025-11-13 09:00 to 2025-11-13 09:30." in found.sentences
    assert any(line.startswith("It even raises total priority: the solve that made") for line in found.sentences)
    assert "Total priority 1 -> 2 (+1)." in found.sentences


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_every_request_of_an_optimal_schedule_has_a_reason_and_none_finds_a_free_place(instance: Instance) -> None:
    """A free place for an unscheduled request would raise total priority: never so when OPTIMAL."""
    schedule = solve_and_verify(instance, time_limit=5)
    explainer = Explainer(instance, schedule)
    for item in schedule.unscheduled:
        found = explainer.explain(item.meeting)
        assert found.kind in explanation.KINDS and found.headline
        if schedule.status == "OPTIMAL":
            assert found.kind != explanation.FITS, found.headline
    for a in schedule.assignments:
        assert explainer.explain(a.meeting).kind == explanation.SCHEDULED


A_AND_THREE_OTHERS_FOR_AN_HOUR_AND_A_HALF: dict[str, Any] = {
    "venues": [
        {
            "id": "bj",
            "city": "Beijing",
            "days": [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "10:30"}]}],
            "rooms": [{"id": "T", "count": 1, "capacity": 2}],
        }
    ],
    "meetings": [
        meeting("m1", "a", "b", priority=5),
        meeting("m2", "a", "c", priority=5),
        meeting("m3", "a", "d", priority=1),
    ],
}
"""Three slots; a is in all three requests; m1 and m2 (5 each) come before m3 (1)."""


def test_a_break_due_is_the_reason_when_only_max_consecutive_stands_in_the_way() -> None:
    """max_consecutive 2 and three slots: a meets at most twice, and m3 (1) waits. Whichever
    two slots m1 and m2 took, the third is free for a and d but would make three in a row."""
    event = {**BASE_EVENT, "max_consecutive": 2}
    _, _, explainer = solved(event=event, **A_AND_THREE_OTHERS_FOR_AN_HOUR_AND_A_HALF)
    found = explainer.force("m3", time_limit=10, workers=2)
    assert found.kind == explanation.BREAKS
    assert "A would then have more than 2 meeting slots in a row (the event's max_consecutive)" in found.headline
    assert any(line.startswith("A would have more than 2 meeting slots in a row") for line in found.details)
    forced = found.forced
    assert forced is not None and len(forced.dropped) == 1 and forced.dropped[0] in {"m1", "m2"}
    assert (forced.priority_before, forced.priority_after) == (10, 6)


def test_without_max_consecutive_the_same_request_has_a_free_place() -> None:
    """The same three slots without a break rule: all three meetings fit, nothing to explain."""
    _, schedule, _ = solved(**A_AND_THREE_OTHERS_FOR_AN_HOUR_AND_A_HALF)
    assert schedule.unscheduled == [] and schedule.objective == 11


def test_a_missed_min_meetings_promise_is_said_with_the_reason() -> None:
    """d was promised one meeting, but its only request m3 (1) loses to m1 and m2 (5 each)."""
    sections = dict(A_AND_THREE_OTHERS_FOR_AN_HOUR_AND_A_HALF)
    sections["venues"] = BASE["venues"]  # two slots: a meets b and c, d waits
    people = [{"id": p, "name": p.upper()} for p in "abc"] + [{"id": "d", "name": "D", "min_meetings": 1}]
    instance, schedule, explainer = solved(participants=people, **sections)
    found = explainer.explain("m3")
    assert found.kind == explanation.LOST
    assert found.promised == ["D was promised 1 meeting(s) (min_meetings) and has 0."]
    assert explainer.force("m3", time_limit=10, workers=2).promised == found.promised
    assert found.in_short == f"{found.headline} {found.promised[0]}"
    assert reasons.with_reasons(instance, schedule).unscheduled[0].detail == found.in_short
    assert stats(instance, schedule).promises_missed == {"d": (0, 1)}


def test_forcing_in_changes_only_what_it_must_and_adds_nothing_else() -> None:
    """One table, three slots; c is free only at 09:00, where a hand-made schedule put a-b; e-f
    waits though a slot is free. Forcing c-d in moves a-b and leaves e-f as it is: the
    answer is what c-d costs, not a better schedule found on the way."""
    people: list[dict[str, Any]] = [{"id": p, "name": p.upper()} for p in "abdef"]
    people.append({"id": "c", "name": "C", "available": [A_AT_NINE_B_AT_HALF_PAST[0]["available"][0]]})
    sections = dict(A_AND_THREE_OTHERS_FOR_AN_HOUR_AND_A_HALF)
    sections["meetings"] = [meeting("ab", "a", "b"), meeting("cd", "c", "d"), meeting("ef", "e", "f")]
    instance = make_instance(participants=people, **sections)
    nine = Assignment(
        meeting="ab", date="2025-11-13", start="09:00", end="09:30", city="Beijing", venue="bj", room="T-1"
    )
    schedule = solve_and_verify(instance).model_copy(
        update={
            "assignments": [nine],
            "unscheduled": [Unscheduled(meeting=m, reason="by hand") for m in ("cd", "ef")],
            "objective": 1,
            "status": "FEASIBLE",
        }
    )
    assert verify(instance, schedule) == []
    explainer = Explainer(instance, schedule)
    assert explainer.explain("ef").kind == explanation.FITS
    found = explainer.force("cd", time_limit=10, workers=2)
    forced = found.forced
    assert forced is not None and forced.place is not None and forced.place.start == "09:00"
    assert forced.dropped == []
    assert [a.start for a, _ in forced.moved] == ["09:00"]
    assert (forced.priority_before, forced.priority_after) == (1, 2)


def test_cli_stats_explain_and_resolve_warn_about_a_schedule_check_rejects(sample_copy: Path) -> None:
    """Two meetings put in one room at one time: the figures still come, after a warning."""
    schedule_path = solved_file(sample_copy)
    data = json.loads(schedule_path.read_text())
    first, second = data["assignments"][:2]
    second.update({k: first[k] for k in ("date", "start", "end", "city", "venue", "room")})
    schedule_path.write_text(json.dumps(data))
    for command in (["stats"], ["explain", "--no-solve", "--meeting", first["meeting"]]):
        code, output = run(*command, str(sample_copy), str(schedule_path))
        text = " ".join(output.split())
        assert code == 0 and "Warning:" in text and "breaks" in text and "schedule check" in text, text
    out = sample_copy.with_name("re.json")
    code, output = run("resolve", str(sample_copy), "-p", str(schedule_path), "-o", str(out), "-t", "5")
    assert code == 0 and "Warning:" in output and "schedule check" in " ".join(output.split()), output


def test_cli_explain_unknown_meeting_names_the_instance(sample_copy: Path) -> None:
    schedule_path = solved_file(sample_copy)
    code, output = run("explain", str(sample_copy), str(schedule_path), "--meeting", "r8", "--no-solve")
    text = " ".join(output.split())
    assert code == 2 and f"{sample_copy}: unknown meeting 'r8'" in text and "did you mean" in text, text


def test_cli_solve_writes_the_reasons_stats_gives(sample_copy: Path) -> None:
    """The file's reasons, the solve summary's counts and `stats` come from one classification."""
    schedule_path = solved_file(sample_copy)
    data = json.loads(schedule_path.read_text())
    assert data["unscheduled"], "the sample leaves requests out"
    instance, schedule = load_instance(sample_copy)[0], load_schedule(schedule_path)
    figures = stats(instance, schedule)
    by_kind: dict[str, list[str]] = {}
    for item in data["unscheduled"]:
        assert item["reason"] in explanation.KINDS and item["detail"]
        by_kind.setdefault(item["reason"], []).append(item["meeting"])
    assert by_kind == figures.unscheduled


ONE_SLOT = [
    {
        "id": "bj",
        "city": "Beijing",
        "days": [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "09:30"}]}],
        "rooms": [{"id": "T", "capacity": 2}],
    }
]


def test_a_room_held_by_a_higher_priority_meeting_is_lost_to_it() -> None:
    """One slot, one table: a-b (5) holds the room, c-d (1) has nobody busy but no room."""
    _, _, explainer = solved(venues=ONE_SLOT, meetings=[meeting("m1", "a", "b", priority=5), meeting("m2", "c", "d")])
    found = explainer.explain("m2")
    assert found.kind == explanation.LOST
    assert found.details == [
        "Every room large enough is taken or closed at 2025-11-13 Beijing 09:00-09:30, "
        "by m1 (priority 5, 2025-11-13 09:00, with A and B)."
    ]


def test_a_room_held_by_a_lower_priority_meeting_is_named() -> None:
    """Hand-made: m1 (5) holds a at 09:00, m3 (1) holds the only room at 09:30; m2 (3) waits.
    Its times are taken, and m3, of lower priority, is named: moving it lets m2 in."""
    people = [{"id": p, "name": p.upper()} for p in "abcde"]
    instance = make_instance(
        participants=people,
        meetings=[meeting("m1", "a", "b", priority=5), meeting("m2", "a", "e", priority=3), meeting("m3", "c", "d")],
    )
    at: dict[str, Any] = {"date": "2025-11-13", "city": "Beijing", "venue": "bj", "room": "T-1"}
    schedule = solve_and_verify(instance).model_copy(
        update={
            "assignments": [
                Assignment(meeting="m1", start="09:00", end="09:30", **at),
                Assignment(meeting="m3", start="09:30", end="10:00", **at),
            ],
            "unscheduled": [Unscheduled(meeting="m2", reason="by hand")],
            "objective": 6,
            "status": "FEASIBLE",
        }
    )
    assert verify(instance, schedule) == []
    found = Explainer(instance, schedule).explain("m2")
    assert found.kind == explanation.TAKEN and "some of lower priority than its 3 (m3)" in found.headline


def test_a_closed_room_is_named_when_no_other_is_large_enough() -> None:
    """The only room for three is closed by a re-solve."""
    venues = [{**BASE["venues"][0], "rooms": [{"id": "T", "capacity": 2}, {"id": "BIG", "capacity": 4}]}]
    instance = make_instance(venues=venues, meetings=[meeting("m", "a", "b", "c")])
    resolved, _ = resolve_and_verify(instance, solve_and_verify(instance), ["room:BIG"])
    found = Explainer(instance, resolved).explain("m")
    assert found.kind == explanation.NO_ROOM and found.headline.endswith("BIG was closed.")


def test_times_held_by_meetings_that_already_started_are_said_to_be_history() -> None:
    """m1 (a-b, 1, an hour from 10:00) started before the frozen 10:30; c is free only at 10:30,
    so m2 (a-c, 5) waits for a meeting that cannot move, whatever its priority."""
    venues = [
        {
            **BASE["venues"][0],
            "days": [{"date": "2025-11-13", "sessions": [{"start": "10:00", "end": "11:30"}]}],
            "rooms": [{"id": "T", "capacity": 2, "count": 2}],
        }
    ]
    people: list[dict[str, Any]] = [{"id": p, "name": p.upper()} for p in "abef"]
    people.append(
        {
            "id": "c",
            "name": "C",
            "available": [{"date": "2025-11-13", "city": "Beijing", "start": "10:30", "end": "11:00"}],
        }
    )
    meetings = [meeting("m1", "a", "b", slots=2), meeting("m2", "a", "c", priority=5), meeting("m3", "e", "f")]
    instance = make_instance(venues=venues, participants=people, meetings=meetings)
    ten: dict[str, Any] = {"date": "2025-11-13", "city": "Beijing", "venue": "bj"}
    schedule = solve_and_verify(instance).model_copy(
        update={
            "assignments": [
                Assignment(meeting="m1", start="10:00", end="11:00", room="T-1", **ten),
                Assignment(meeting="m3", start="10:00", end="10:30", room="T-2", **ten),
            ],
            "unscheduled": [Unscheduled(meeting="m2", reason="by hand")],
            "objective": 2,
            "status": "FEASIBLE",
        }
    )
    resolved, _ = resolve_and_verify(instance, schedule, ["participant:e"], frozen="2025-11-13T10:30")
    found = Explainer(instance, resolved).force("m2", time_limit=10, workers=2)
    assert found.kind == explanation.TAKEN
    assert found.headline.startswith("Its times are held by meetings that have already started (m1)")
    assert found.forced is not None and found.forced.place is None
    assert "(proven)" in (found.forced.impossible or "")


def test_max_meetings_zero_needs_no_solve_to_say_it_cannot_happen() -> None:
    people = [{"id": "a", "name": "A", "max_meetings": 0}, {"id": "b", "name": "B"}]
    _, _, explainer = solved(participants=people, meetings=[meeting("m", "a", "b")])
    found = explainer.force("m")
    assert found.kind == explanation.MAX_MEETINGS and found.headline == "max_meetings reached: A may have none."
    assert found.forced is None
    assert found.sentences == ["It cannot be scheduled at all while A may have no meetings (max_meetings 0)."]


def test_a_meeting_kept_after_its_request_was_deleted_is_explained(sample_copy: Path) -> None:
    """A meeting happened, then its request was deleted: the re-solve keeps it as history and
    explain still says where it was."""
    schedule_path = solved_file(sample_copy)
    first = json.loads(schedule_path.read_text())
    kept = min(first["assignments"], key=lambda a: (a["date"], a["start"]))
    data = yaml.safe_load(sample_copy.read_text())
    data["meetings"] = [m for m in data["meetings"] if m["id"] != kept["meeting"]]
    sample_copy.write_text(yaml.safe_dump(data, allow_unicode=True))
    frozen = f"{kept['date']}T{kept['end']}"
    code, output = run("resolve", str(sample_copy), "-p", str(schedule_path), "--frozen-until", frozen, "-t", "10")
    assert code == 0, output
    code, output = run("explain", str(sample_copy), str(schedule_path), "--meeting", kept["meeting"])
    text = " ".join(output.split())
    assert code == 0 and "request deleted" in text and "no longer in the instance (kept as history" in text, text


def test_stats_skips_an_unscheduled_entry_the_instance_does_not_know(sample_copy: Path) -> None:
    schedule_path = solved_file(sample_copy)
    data = json.loads(schedule_path.read_text())
    data["unscheduled"].append({"meeting": "zzz", "reason": "made up"})
    schedule_path.write_text(json.dumps(data))
    code, output = run("stats", str(sample_copy), str(schedule_path))
    assert code == 0 and "Warning:" in output and "Meetings per person" in output, output


def test_forcing_in_keeps_the_interpreters_of_interpreted_meetings() -> None:
    """Two slots, one interpreter (x) for it0-cn0 and it1-cn1 (priority 5 each); it2-cn2 (1) waits.
    Forcing it in drops one of the others and the forced schedule, interpreters and all, is checked."""
    from test_solve import ITALIANS_AND_CHINESE

    venues = [{**BASE["venues"][0], "rooms": [{"id": "R", "count": 3, "capacity": 3}]}]
    instance = make_instance(
        venues=venues,
        participants=ITALIANS_AND_CHINESE,
        meetings=[meeting(f"m{k}", f"it{k}", f"cn{k}", priority=1 if k == 2 else 5) for k in range(3)],
        interpreters=[{"id": "x", "name": "X", "languages": ["it", "zh"]}],
    )
    schedule = solve_and_verify(instance)
    assert {a.meeting: a.interpreter for a in schedule.assignments} == {"m0": "x", "m1": "x"}
    about = Explainer(instance, schedule).explain("m0").details
    assert "X (interpreter) interprets (its people share no language)." in about
    assert any(line.startswith("It needs seats for 3 with the interpreter: room R-") for line in about)
    found = Explainer(instance, schedule).force("m2", time_limit=10, workers=2)
    forced = found.forced
    assert forced is not None and forced.place is not None and forced.place.interpreter == "x", found.sentences
    assert len(forced.dropped) == 1 and (forced.priority_before, forced.priority_after) == (10, 6)


# ---- programme items and interpreters named as causes ----

SEMINAR: dict[str, Any] = energy_seminar()


def test_a_seminar_and_its_buffer_are_named_where_they_take_the_only_common_time() -> None:
    """One hour, 09:00-10:00; a attends a seminar 09:00-09:30 with a 30-minute buffer: the seminar
    takes 09:00, its buffer 09:30, so a and b never meet, and the reason names both."""
    _, schedule, explainer = solved(meetings=[meeting("m", "a", "b")], programme=[{**SEMINAR, "buffer_minutes": 30}])
    assert schedule.assignments == []
    found = explainer.explain("m")
    assert found.kind == explanation.PROGRAMME
    assert found.headline == (
        "At programme items: at every time its people are otherwise free together, one of them is at a "
        "programme item: the seminar 'Energy' (2025-11-13 09:00-09:30) holds A, including its 30-minute buffer."
    )


def test_a_seminar_without_buffer_names_no_buffer_and_a_visit_elsewhere_names_its_city() -> None:
    """a's seminar takes 09:00 (no buffer); b is on a visit in Hangzhou that date, so b is not in
    Beijing at all: every time is held, by one item or the other."""
    visit = {**SEMINAR, "id": "v", "title": "West Lake", "kind": "visit", "city": "Hangzhou", "attendees": ["b"]}
    venues = [
        BASE["venues"][0],
        {
            **BASE["venues"][0],
            "id": "hz",
            "city": "Hangzhou",
            "days": [{"date": "2025-11-14", "sessions": [{"start": "09:00", "end": "10:00"}]}],
            "rooms": [{"id": "H", "capacity": 2}],
        },
    ]
    _, schedule, explainer = solved(
        venues=venues, meetings=[meeting("m", "a", "b", city="Beijing")], programme=[SEMINAR, visit]
    )
    assert schedule.assignments == []
    found = explainer.explain("m")
    assert found.kind == explanation.PROGRAMME
    assert found.headline == (
        "At programme items: at every time its people are otherwise free together, one of them is at a programme "
        "item or a programme item keeps one of them in another city that date (one city per date): "
        "the seminar 'Energy' (2025-11-13 09:00-09:30) holds A; "
        "the visit 'West Lake' (2025-11-13 09:00-09:30) keeps B in Hangzhou that date."
    ), found.headline


def test_a_programme_item_in_another_city_is_named_as_one_city_per_date_not_as_its_time() -> None:
    """The tester's case: Anna and Zhou are both free in Hangzhou all day, 09:30-12:30; Anna's
    seminar is in Beijing 11:00-12:00, so that date she is in Beijing, and they never meet. The
    cause is one city per date (naming the item and its city), not the seminar's hour; and as no
    schedule can hold it, explain says so under 'If it had to be scheduled'."""
    venues = [
        {
            "id": city[:2].lower(),
            "city": city,
            "days": [{"date": "2025-11-14", "sessions": [{"start": "09:30", "end": "12:30"}]}],
            "rooms": [{"id": f"{city[:2]}-T", "count": 3, "capacity": 2}],
        }
        for city in ("Beijing", "Hangzhou")
    ]
    hangzhou = [{"date": "2025-11-14", "city": "Hangzhou"}]
    seminar = {
        "id": "sem-bj",
        "title": "Seminar in Beijing",
        "kind": "seminar",
        "city": "Beijing",
        "date": "2025-11-14",
        "start": "11:00",
        "end": "12:00",
        "attendees": ["p"],
    }
    instance, schedule, explainer = solved(
        venues=venues,
        participants=[
            {"id": "p", "name": "Anna Verdi", "organisation": "A", "available": hangzhou},
            {"id": "q", "name": "Zhou Min", "organisation": "B", "available": hangzhou},
        ],
        meetings=[meeting("m1", "p", "q")],
        programme=[seminar],
    )
    assert schedule.assignments == []
    found = explainer.force("m1")
    assert found.kind == explanation.PROGRAMME and found.forced is None
    assert found.headline == (
        "One city per date: at every time its people are otherwise free together, a programme item keeps one of "
        "them in another city that date: 'Seminar in Beijing' (2025-11-14 11:00-12:00) keeps "
        "Anna Verdi (A) in Beijing that date."
    )
    assert found.impossible and found.sentences[0].startswith("It cannot be scheduled at all")
    text = text_of(reports.explanation(instance, found))
    assert "If it had to be scheduled:" in text and "At programme items" not in text


def test_a_time_free_of_the_programme_keeps_the_old_reason() -> None:
    """The seminar takes 09:00 only: 09:30 is free of it, but there b meets c (free only from 09:30)
    at a higher priority, so the cause is the schedule, and the seminar is a detail."""
    c_late = {
        "id": "c",
        "name": "C",
        "available": [{"date": "2025-11-13", "city": "Beijing", "start": "09:30", "end": "10:00"}],
    }
    _, schedule, explainer = solved(
        participants=[*BASE["participants"][:2], c_late],
        meetings=[meeting("m", "a", "b"), meeting("top", "b", "c", priority=5)],
        programme=[SEMINAR],
    )
    assert {a.meeting for a in schedule.assignments} == {"top"}
    found = explainer.explain("m")
    assert found.kind != explanation.PROGRAMME
    assert (
        "At the other times they are otherwise free together: the seminar 'Energy' (2025-11-13 09:00-09:30) holds A."
        in found.details
    )


def test_no_interpreter_free_says_for_each_interpreter_why() -> None:
    """Two slots, rooms for two interpreted meetings at once; x may interpret one meeting only
    (max_meetings 1), y is available at 09:00 only. m0 and m1 (priority 5) get one each; m2 (1)
    waits: x has used up max_meetings, y is in a meeting at 09:00 and not available at 09:30."""
    from test_solve import ITALIANS_AND_CHINESE, TABLES_AND_TWO_ROOMS

    nine = [{"date": "2025-11-13", "city": "Beijing", "start": "09:00", "end": "09:30"}]
    _, schedule, explainer = solved(
        venues=TABLES_AND_TWO_ROOMS,
        participants=ITALIANS_AND_CHINESE,
        meetings=[meeting(f"m{k}", f"it{k}", f"cn{k}", priority=5 if k < 2 else 1) for k in range(3)],
        interpreters=[
            {"id": "x", "name": "X", "languages": ["it", "zh"], "max_meetings": 1},
            {"id": "y", "name": "Y", "languages": ["zh", "it"], "available": nine},
        ],
    )
    by_y = [a.meeting for a in schedule.assignments if a.interpreter == "y"]
    assert sorted(a.meeting for a in schedule.assignments) == ["m0", "m1"] and len(by_y) == 1
    found = explainer.explain("m2")
    assert found.kind == explanation.NO_INTERPRETER
    assert found.headline == (
        "No interpreter free: X (it, zh) and Y (it, zh) speak a language of each of its people, and none can "
        f"sit in: X already interprets 1 meeting, as many as max_meetings allows; Y is in other meetings ({by_y[0]} "
        "(2025-11-13 09:00)) or not available at each time its people are free."
    )
    written = {u.meeting: u for u in reasons.with_reasons(explainer.instance, schedule).unscheduled}["m2"]
    assert (written.reason, written.detail) == (explanation.NO_INTERPRETER, found.headline)


def test_an_interpreter_in_meetings_at_every_free_time_is_named_with_a_count() -> None:
    """One interpreter, x, two hours (four slots): m0 … m3 (priority 5) take x at 09:00, 09:30,
    10:00 and 10:30; m4 (1) waits. The first two of x's meetings are named, the other two counted."""
    from test_solve import ITALIANS_AND_CHINESE, TABLES_AND_TWO_ROOMS

    two_hours = [
        {**TABLES_AND_TWO_ROOMS[0], "days": [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "11:00"}]}]}
    ]
    _, schedule, explainer = solved(
        venues=two_hours,
        participants=ITALIANS_AND_CHINESE,
        meetings=[meeting(f"m{k}", f"it{k}", f"cn{k}", priority=5 if k < 4 else 1) for k in range(5)],
        interpreters=[{"id": "x", "name": "X", "languages": ["it", "zh"]}],
    )
    held = sorted(schedule.assignments, key=lambda a: a.start)
    assert [a.start for a in held] == ["09:00", "09:30", "10:00", "10:30"]
    found = explainer.explain("m4")
    assert found.headline == (
        "No interpreter free: X (it, zh) speaks a language of each of its people, and cannot sit in: X is in "
        f"other meetings ({held[0].meeting} (2025-11-13 09:00), {held[1].meeting} (2025-11-13 09:30) and 2 more) "
        "at every time its people are free."
    )


def test_a_long_list_of_an_interpreters_meetings_is_cut_with_a_count() -> None:
    """One interpreter, x, five hours (ten slots) and ten IT-ZH meetings of priority 5 (each pair
    once): x is in one at every slot, so w (1) waits; the line naming x's meetings names eight and
    counts the other two (it used to list all of them: 22 at the Week)."""
    from test_solve import ITALIANS_AND_CHINESE, TABLES_AND_TWO_ROOMS

    five_hours = [
        {**TABLES_AND_TWO_ROOMS[0], "days": [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "14:00"}]}]}
    ]
    busy = [meeting(f"m{k}{j}", f"it{k}", f"cn{(k + j) % 5}", priority=5) for k in range(5) for j in (1, 2)]
    _, schedule, explainer = solved(
        venues=five_hours,
        participants=ITALIANS_AND_CHINESE,
        meetings=[*busy, meeting("w", "it0", "cn0")],
        interpreters=[{"id": "x", "name": "X", "languages": ["it", "zh"]}],
    )
    assert len(schedule.assignments) == 10 and "w" not in schedule.assignment_by_meeting
    found = explainer.explain("w")
    line = next(d for d in found.details if d.startswith("The interpreters who could sit in are then in "))
    assert line.count("(priority 5,") == 8 and line.endswith(" and 2 more meetings."), line


def test_no_time_to_travel_names_the_rule_and_both_places() -> None:
    """a meets c in Hangzhou on the 14th (priority 3) and b in Beijing on the 13th (2); with a 22 h
    rule Beijing -> Hangzhou no Beijing slot (ending 12:30 or 13:00) is 22 h before a Hangzhou one
    (09:00 or 09:30): ab waits, for the travel rule, and the reason says where a is and when."""
    from test_resolve import travel_week

    instance = travel_week(22)
    schedule = solve_and_verify(instance)
    assert [a.meeting for a in schedule.assignments] == ["ac"]
    ac = schedule.assignment_by_meeting["ac"]
    found = Explainer(instance, schedule).explain("ab")
    assert found.kind == explanation.TRAVEL
    assert found.headline.startswith(
        "No time to travel: at every time its people are free, a travel rule leaves one of them too little time "
        "to come from or go on to another city; for one, the travel rule Beijing -> Hangzhou asks 22 h between, "
        f"A is in Hangzhou from 2025-11-14 {ac.start} (meeting ac), and this meeting is in Beijing until 2025-11-13 "
    ), found.headline
    assert any(line.startswith("The travel rule Beijing -> Hangzhou asks 22 h") for line in found.details)


def test_a_time_too_close_to_a_programme_item_elsewhere_is_not_called_free() -> None:
    """a attends a Beijing seminar on the 13th until 13:00; with a 21 h rule ac (Hangzhou, the 14th,
    09:00 or 09:30) is too soon after it: the solver leaves it out, and explain says why (it used to
    say a place was free, checking travel against meetings only)."""
    from test_resolve import travel_week

    seminar = {**SEMINAR, "start": "12:00", "end": "13:00"}
    instance = travel_week(21, [seminar])
    schedule = solve_and_verify(instance)
    assert schedule.assignments == []
    found = Explainer(instance, schedule).explain("ac")
    assert found.kind == explanation.TRAVEL
    assert "A is in Beijing until 2025-11-13 13:00 (the seminar 'Energy')" in found.headline


def test_an_interpreter_in_the_other_city_that_date_is_said_so() -> None:
    """One interpreter, x; Beijing and Hangzhou both meet on the 13th. hz (priority 5) must be in
    Hangzhou, bj (1) in Beijing: x, one city per date, takes hz, and bj waits for x being in Hangzhou."""
    from test_solve import ITALIANS_AND_CHINESE

    day = [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "10:00"}]}]
    _, schedule, explainer = solved(
        venues=[
            {"id": "bj", "city": "Beijing", "days": day, "rooms": [{"id": "BJ", "count": 2, "capacity": 3}]},
            {"id": "hz", "city": "Hangzhou", "days": day, "rooms": [{"id": "HZ", "count": 2, "capacity": 3}]},
        ],
        participants=ITALIANS_AND_CHINESE,
        meetings=[
            meeting("hz", "it0", "cn0", priority=5, city="Hangzhou"),
            meeting("bj", "it1", "cn1", city="Beijing"),
        ],
        interpreters=[{"id": "x", "name": "X", "languages": ["it", "zh"]}],
    )
    assert [(a.meeting, a.interpreter) for a in schedule.assignments] == [("hz", "x")]
    assert explainer.explain("bj").headline == (
        "No interpreter free: X (it, zh) speaks a language of each of its people, and cannot sit in: "
        "X is in Hangzhou on 2025-11-13 at every time its people are free."
    )


def test_an_interpreter_too_close_to_travel_is_not_called_free() -> None:
    """One interpreter, x; with a 22 h rule nobody meets in Beijing on the 13th (12:00-13:00) and in
    Hangzhou the next morning (09:00-10:00). bj (priority 5) takes x in Beijing; hz (1) waits, for
    x's travel (it used to be called free: travel was checked for its people only)."""
    from test_resolve import BEIJING_13TH_NOON_HANGZHOU_14TH_MORNING as VENUES
    from test_solve import ITALIANS_AND_CHINESE

    _, schedule, explainer = solved(
        venues=[{**v, "rooms": [{"id": f"{v['id']}-R", "capacity": 3}]} for v in VENUES],
        participants=ITALIANS_AND_CHINESE,
        meetings=[
            meeting("bj", "it0", "cn0", priority=5, city="Beijing"),
            meeting("hz", "it1", "cn1", city="Hangzhou"),
        ],
        interpreters=[{"id": "x", "name": "X", "languages": ["it", "zh"]}],
        travel=[{"from": "Beijing", "to": "Hangzhou", "min_hours": 22}],
    )
    assert [(a.meeting, a.interpreter) for a in schedule.assignments] == [("bj", "x")]
    found = explainer.explain("hz")
    assert (found.kind, found.headline) == (
        explanation.NO_INTERPRETER,
        "No interpreter free: X (it, zh) speaks a language of each of its people, and cannot sit in: X is too "
        "close to its meetings in another city under the travel rules (for one, the travel rule Beijing -> "
        "Hangzhou asks 22 h between, X is in Beijing until 2025-11-13 12:30 (meeting bj), and this meeting is in "
        "Hangzhou from 2025-11-14 09:00) at every time its people are free.",
    )


def test_a_meeting_the_programme_and_travel_rule_out_is_called_impossible_not_an_interpreter(
    tmp_path: Path,
) -> None:
    """m5 is in Hangzhou on the 14th, where Feng Fang is free 09:30-10:30 only; the opening plenary
    holds everyone in Beijing until 10:30 on the 13th and Beijing -> Hangzhou needs 24 h: no schedule
    can hold m5. It used to blame the interpreter and say no schedule was "found in 20 s"."""
    source = Path(__file__).parent / "data" / "week" / "plenary-travel.yaml"
    copy = tmp_path / "week.yaml"
    copy.write_text(source.read_text())
    schedule_path = solved_file(copy)
    instance, _ = load_instance(copy)
    schedule = load_schedule(schedule_path)
    assert verify(instance, schedule) == []
    assert "m5" in {u.meeting for u in schedule.unscheduled}
    code, output = run("explain", str(copy), str(schedule_path), "--meeting", "m5")
    assert code == 0, output
    words = " ".join(output.split())
    assert "No time to travel: it cannot happen at all." in words
    assert "the travel rule Beijing -> Hangzhou asks 24 h between" in words
    assert "Bruno Verdi is in Beijing until 2025-11-13 10:30 (the plenary 'Opening plenary')" in words
    assert "interpreter" not in words.lower()
    assert "It cannot be scheduled at all" in words and "found in" not in words


def test_a_forced_solve_that_gives_nothing_says_how_it_ended() -> None:
    """Proven, refused before any search, stopped early, or out of time: four different sentences,
    never "not found in 20 s" for a solve that ended after 3."""
    from scheduler.forcing import _no_schedule
    from scheduler.solver.request import NoSchedule

    assert "(proven)" in _no_schedule(NoSchedule("x", proven=True), 1.0, 20)
    before = _no_schedule(NoSchedule("required meeting m5 cannot be placed: no time"), 0.1, 20)
    assert before == "it has no possible place at all (no time)"
    early = _no_schedule(NoSchedule("CP-SAT found no schedule (interrupted)"), 3.0, 20)
    assert early.startswith("the solve stopped after 3.0 s without one, not proving there is none")
    late = _no_schedule(NoSchedule("CP-SAT found no schedule (UNKNOWN within the time limit)"), 20.1, 20)
    assert late == "no schedule holding it was found in the 20 s allowed (not proven impossible)"


def test_forcing_in_after_an_edit_that_contradicts_history_excuses_history_as_resolve_does() -> None:
    """ab (1) happened at 09:00, then a was narrowed to 09:30-10:00; cd (2) holds the one table at
    09:30 and bc (1) waits. Forcing bc in must drop cd (priority 3 -> 2): ab, history, is excused
    from a's new availability here as in `resolve` and `check`, not called a broken rule."""
    meetings = [meeting("ab", "a", "b"), meeting("cd", "c", "d", priority=2), meeting("bc", "b", "c")]
    original = make_instance(meetings=meetings)
    nine: dict[str, Any] = {"date": "2025-11-13", "city": "Beijing", "venue": "bj", "room": "T-1"}
    schedule = solve_and_verify(original).model_copy(
        update={
            "assignments": [
                Assignment(meeting="ab", start="09:00", end="09:30", **nine),
                Assignment(meeting="cd", start="09:30", end="10:00", **nine),
            ],
            "unscheduled": [Unscheduled(meeting="bc", reason="by hand")],
            "objective": 3,
            "status": "FEASIBLE",
        }
    )
    assert verify(original, schedule) == []
    late_a = {
        "id": "a",
        "name": "A",
        "available": [{"date": "2025-11-13", "city": "Beijing", "start": "09:30", "end": "10:00"}],
    }
    edited = make_instance(participants=[late_a, *BASE["participants"][1:]], meetings=meetings)
    resolved, resolve_plan = resolve_and_verify(edited, schedule, frozen="2025-11-13T09:30")
    assert any("A is" in note for note in resolve_plan.notes)  # the edit contradicts history
    assert [u.meeting for u in resolved.unscheduled] == ["bc"]
    found = Explainer(edited, resolved).force("bc", time_limit=10, workers=2)
    forced = found.forced
    assert forced is not None and forced.impossible is None and forced.place is not None
    assert (forced.place.start, forced.dropped) == ("09:30", ["cd"])
    assert (forced.priority_before, forced.priority_after, forced.proven) == (3, 2, True)


def test_a_cap_lowered_below_what_already_happened_is_said_as_history() -> None:
    """ab at 09:00 and ac at 09:30 happened (frozen 10:00); then a's max_meetings became 1. ad,
    free at 10:00, waits: a holds 2, more than the cap, both history; not 'the most allowed'."""
    venues = [{**BASE["venues"][0], "days": [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "10:30"}]}]}]
    meetings = [meeting("ab", "a", "b"), meeting("ac", "a", "c"), meeting("ad", "a", "d")]
    original = make_instance(venues=venues, meetings=meetings)
    where: dict[str, Any] = {"date": "2025-11-13", "city": "Beijing", "venue": "bj", "room": "T-1"}
    schedule = solve_and_verify(original).model_copy(
        update={
            "assignments": [
                Assignment(meeting="ab", start="09:00", end="09:30", **where),
                Assignment(meeting="ac", start="09:30", end="10:00", **where),
            ],
            "unscheduled": [Unscheduled(meeting="ad", reason="by hand")],
            "objective": 2,
            "status": "FEASIBLE",
        }
    )
    assert verify(original, schedule) == []
    capped = [{"id": "a", "name": "A", "max_meetings": 1}, *BASE["participants"][1:]]
    edited = make_instance(venues=venues, participants=capped, meetings=meetings)
    resolved, _ = resolve_and_verify(edited, schedule, frozen="2025-11-13T10:00")
    found = Explainer(edited, resolved).explain("ad")
    assert found.kind == explanation.MAX_MEETINGS
    assert found.headline == (
        "max_meetings reached: A already has 2, more than max_meetings 1 allows now (2 happened before "
        "2025-11-13T10:00: they stand as history, and no more are given)."
    )


def test_an_interpreter_cap_lowered_below_what_they_already_interpreted_is_said_as_history() -> None:
    """x interpreted a at 09:00 and b at 09:30 (frozen 10:00); then x's max_meetings became 1. c,
    which only x could interpret, waits: x holds 2, more than the cap, both history."""
    from test_resolve import INTERPRETED_WEEK, interpreted

    x = {"id": "x", "name": "X", "languages": ["it", "zh"]}
    week = make_instance(**{**INTERPRETED_WEEK, "interpreters": [x]})
    previous = hand_made(
        week,
        interpreted("a", ["it1", "cn1"], "09:00", "R-1", "x"),
        interpreted("b", ["it2", "cn2"], "09:30", "R-1", "x"),
    )
    assert verify(week, previous) == []
    edited = make_instance(**{**INTERPRETED_WEEK, "interpreters": [{**x, "max_meetings": 1}]})
    resolved, _ = resolve_and_verify(edited, previous, frozen="2025-11-13T10:00")
    assert [u.meeting for u in resolved.unscheduled] == ["c"]
    found = Explainer(edited, resolved).explain("c")
    words = " ".join([found.headline, *found.details])
    assert (
        "X already interprets 2 meetings, more than max_meetings 1 allows now (2 happened before "
        "2025-11-13T10:00: they stand as history, and no more are given)"
    ) in words
    assert "as many as max_meetings allows" not in words


def _two_dates_two_cities_schedule(away_priority: int) -> tuple[Instance, Explainer]:
    """a-d (2) could meet in Beijing on the 13th or the 14th: on the 13th a is in Hangzhou for a-x,
    on the 14th a meets y at Beijing's only table."""
    one_slot = [{"start": "09:00", "end": "09:30"}]
    venues = [
        {
            "id": "bj",
            "city": "Beijing",
            "days": [{"date": d, "sessions": one_slot} for d in ("2025-11-13", "2025-11-14")],
            "rooms": [{"id": "T", "count": 1, "capacity": 2}],
        },
        {
            "id": "hz",
            "city": "Hangzhou",
            "days": [{"date": "2025-11-13", "sessions": one_slot}],
            "rooms": [{"id": "H", "count": 1, "capacity": 2}],
        },
    ]
    people = [{"id": p, "name": p.upper()} for p in "adxy"]
    meetings = [
        meeting("ad", "a", "d", priority=2),
        meeting("ax", "a", "x", priority=away_priority),
        meeting("ay", "a", "y", priority=3),
    ]
    instance = make_instance(venues=venues, participants=people, meetings=meetings)

    def at(mid: str, venue: str, city: str, room: str, date: str, people: list[str]) -> Assignment:
        return Assignment(
            meeting=mid, date=date, start="09:00", end="09:30", city=city, venue=venue, room=room, participants=people
        )

    schedule = Schedule(
        instance="x.yaml",
        instance_sha256="0" * 64,
        created="2026-01-01T10:00:00+08:00",
        status="FEASIBLE",
        objective=away_priority + 3,
        bound=99,
        event=instance.event.name,
        assignments=[
            at("ax", "hz", "Hangzhou", "H-1", "2025-11-13", ["a", "x"]),
            at("ay", "bj", "Beijing", "T-1", "2025-11-14", ["a", "y"]),
        ],
        unscheduled=[Unscheduled(meeting="ad", reason="its times are taken")],
    )
    assert verify(instance, schedule) == []
    return instance, Explainer(instance, schedule)


def test_a_meeting_keeping_someone_in_another_city_on_one_date_counts_among_what_holds_the_request() -> None:
    """On one date a is away, on the other busy: "lost to higher priority" had counted only the
    meeting that holds a at the table (1 of the 2 it named), though a-x, keeping a in Hangzhou,
    was of lower priority and could give way (the trial found it). Now a-x counts: lower, so the
    times are taken; of higher priority, the request is lost to both, and the headline says a is
    elsewhere on some dates."""
    _, explainer = _two_dates_two_cities_schedule(away_priority=1)
    found = explainer.explain("ad")
    assert found.kind == explanation.TAKEN and "some of lower priority than its 2 (ax)" in found.headline
    _, explainer = _two_dates_two_cities_schedule(away_priority=4)
    found = explainer.explain("ad")
    assert found.kind == explanation.LOST
    assert "they (on some dates in another city) or every room" in found.headline
    assert "(2 meeting(s) in all)" in found.headline
