"""Reasons for a whole schedule file: the same words as `explain`, kept across a re-solve where
nothing they are made of changed, worked out in two processes, and the short form past the time limit."""

from __future__ import annotations

import time

import pytest
from conftest import A_AT_NINE_B_AT_HALF_PAST, BASE, make_instance, meeting, resolve_and_verify, solve_and_verify
from test_explain import A_AND_THREE_OTHERS_FOR_AN_HOUR_AND_A_HALF, solved

from scheduler import explain, explanation, reasons
from scheduler.explain import Explainer
from scheduler.model import Instance
from scheduler.solution import Schedule, Unscheduled
from scheduler.verify import verify


def test_the_schedule_file_gives_the_same_reason_as_explain() -> None:
    """`with_reasons` writes explain's kind as `reason` and its sentence as `detail`."""
    sections = dict(A_AND_THREE_OTHERS_FOR_AN_HOUR_AND_A_HALF)
    sections["venues"] = BASE["venues"]
    instance, schedule, explainer = solved(**sections)
    annotated = reasons.with_reasons(instance, schedule)
    assert [(u.meeting, u.reason) for u in annotated.unscheduled] == [("m3", explanation.LOST)]
    assert annotated.unscheduled[0].detail == explainer.explain("m3").headline
    assert verify(instance, annotated) == []


def test_reasons_past_the_time_limit_keep_the_solvers_short_form() -> None:
    """A command out of time writes the solver's own reason rather than overrun its --time-limit."""
    sections = dict(A_AND_THREE_OTHERS_FOR_AN_HOUR_AND_A_HALF)
    sections["venues"] = BASE["venues"]
    instance, schedule, _ = solved(**sections)
    late = reasons.with_reasons(instance, schedule, deadline=time.monotonic() - 1)
    assert late.unscheduled[0].detail is None
    assert late.unscheduled[0].reason == reasons.kind_of_short_reason(schedule.unscheduled[0].reason)
    assert late.unscheduled[0].reason in explanation.KINDS
    in_time = reasons.with_reasons(instance, schedule, deadline=time.monotonic() + 60)
    assert in_time.unscheduled[0].reason == explanation.LOST
    assert verify(instance, late) == [] and verify(instance, in_time) == []


def test_a_re_solve_keeps_the_reason_of_a_request_no_schedule_can_hold_while_its_people_stand() -> None:
    """Such a reason comes from the instance and the request's people alone, so a re-solve takes
    it from the earlier file (7 s saved at 60,000 requests); with one of its people gone it is
    worked out again. The table seats two: g (a, b, c) and h (a, b, c, d) never fit."""
    groups = [meeting("g", "a", "b", "c"), meeting("h", "a", "b", "c", "d"), meeting("ab", "a", "b")]
    instance = make_instance(meetings=groups)
    first = reasons.with_reasons(instance, solve_and_verify(instance))
    assert {u.meeting: u.reason for u in first.unscheduled} == {"g": explanation.NO_ROOM, "h": explanation.NO_ROOM}
    marked = [u.model_copy(update={"detail": "as the earlier file says"}) for u in first.unscheduled]
    earlier = first.model_copy(update={"unscheduled": marked, "reasons_sha256": reasons.reasons_digest(marked)})
    resolved, _ = resolve_and_verify(instance, earlier, ["participant:d"])
    details = {u.meeting: u.detail for u in resolved.unscheduled}
    assert details["g"] == "as the earlier file says"
    assert details["h"] is not None and "seats for 3 people" in details["h"]  # d left: three people now
    edited = resolved.model_copy(update={"instance_sha256": "1" * 64})  # made from an edited instance
    again = reasons.with_reasons(instance, edited, earlier=earlier)
    assert {u.meeting: u.detail for u in again.unscheduled}["g"] != "as the earlier file says"
    # A kind no instance-only reason has (a hand edit) is worked out again, not carried forward.
    banana = [u.model_copy(update={"reason": "banana"}) for u in marked]
    banana_file = first.model_copy(update={"unscheduled": banana, "reasons_sha256": reasons.reasons_digest(banana)})
    redone = reasons.with_reasons(instance, resolved, earlier=banana_file)
    assert {u.meeting: u.reason for u in redone.unscheduled}["g"] == explanation.NO_ROOM


def _reason_before_and_after(instance: Instance, cancel: str, mid: str) -> tuple[Schedule, Unscheduled]:
    """A first solve with its reasons, and `mid`'s reason after a re-solve cancelling `cancel`;
    every reason the re-solve kept or worked out is what a fresh look gives."""
    first = reasons.with_reasons(instance, solve_and_verify(instance))
    resolved, _ = resolve_and_verify(instance, first, [cancel])
    assert resolved.unscheduled == reasons.with_reasons(instance, resolved).unscheduled
    return first, {u.meeting: u for u in resolved.unscheduled}[mid]


def test_a_re_solve_works_out_again_the_reason_of_a_request_whose_person_changed_meetings() -> None:
    """a may have one meeting and ab holds it, so ac waits; c was promised two and has cd. With d
    gone c has none: ac's words must say so, not what the earlier file said (c's day changed)."""
    people = [
        {"id": "a", "name": "A", "max_meetings": 1},
        {"id": "b", "name": "B"},
        {"id": "c", "name": "C", "min_meetings": 2},
        {"id": "d", "name": "D"},
    ]
    requests = [meeting("ab", "a", "b", priority=5), meeting("ac", "a", "c"), meeting("cd", "c", "d")]
    instance = make_instance(participants=people, meetings=requests)
    first, reason = _reason_before_and_after(instance, "participant:d", "ac")
    assert "C was promised 2 meeting(s) (min_meetings) and has 1" in str(first.unscheduled[0].detail)
    assert reason.reason == explanation.MAX_MEETINGS and "and has 0" in str(reason.detail)


def test_a_re_solve_works_out_again_the_reason_of_a_request_whose_room_changed_hands() -> None:
    """One table, two times, held by ab and cd (priority 5); gh needs both (priority 3), ef one
    (priority 2). With a gone ef takes ab's time: gh's people are as they were, but the table's
    holder now has a lower priority than gh, so its reason is redone: taken, not lost."""
    people = [{"id": p, "name": p.upper()} for p in "abcdefgh"]
    requests = [
        meeting("ab", "a", "b", priority=5),
        meeting("cd", "c", "d", priority=5),
        meeting("ef", "e", "f", priority=2),
        meeting("gh", "g", "h", priority=3, slots=2),
    ]
    instance = make_instance(participants=people, meetings=requests)
    first, reason = _reason_before_and_after(instance, "participant:a", "gh")
    assert {u.meeting: u.reason for u in first.unscheduled}["gh"] == explanation.LOST
    assert reason.reason == explanation.TAKEN and "(ef)" in str(reason.detail)


def test_a_re_solve_redoes_a_reason_from_the_instance_whose_promise_changed() -> None:
    """cx can never happen (c is free at 09:00 only, x at 09:30 only), and its words also say
    that c, promised two meetings, has one (cd). With d gone c has none: the same kind of
    reason, but its words are worked out again."""
    at_nine, at_half_past = (p["available"] for p in A_AT_NINE_B_AT_HALF_PAST)
    people = [
        {"id": "c", "name": "C", "min_meetings": 2, "available": at_nine},
        {"id": "x", "name": "X", "available": at_half_past},
        {"id": "d", "name": "D"},
    ]
    instance = make_instance(participants=people, meetings=[meeting("cx", "c", "x"), meeting("cd", "c", "d")])
    first, reason = _reason_before_and_after(instance, "participant:d", "cx")
    assert "and has 1" in str(first.unscheduled[0].detail)
    assert reason.reason == explanation.NO_COMMON_TIME and "and has 0" in str(reason.detail)


def test_a_re_solve_keeps_the_words_of_a_request_nothing_around_changed() -> None:
    """ac waits for a's one meeting (ab); cd's cancellation changes nothing of a's or c's day, so
    ac's reason is taken from the earlier file as it stands (marked here to tell)."""
    people = [{"id": "a", "name": "A", "max_meetings": 1}, *({"id": p, "name": p.upper()} for p in "bcde")]
    requests = [meeting("ab", "a", "b", priority=5), meeting("ac", "a", "c"), meeting("de", "d", "e")]
    instance = make_instance(participants=people, meetings=requests)
    first = reasons.with_reasons(instance, solve_and_verify(instance))
    marked = [u.model_copy(update={"detail": "as the earlier file says"}) for u in first.unscheduled]
    as_written = reasons.reasons_digest(marked)  # as if we had written these words
    earlier = first.model_copy(update={"unscheduled": marked, "reasons_sha256": as_written})
    resolved, _ = resolve_and_verify(instance, earlier, ["participant:e"])
    assert {u.meeting: u.detail for u in resolved.unscheduled} == {"ac": "as the earlier file says"}
    # Edited by hand since (the digest no longer matches): every reason is worked out again.
    resolved, _ = resolve_and_verify(instance, first.model_copy(update={"unscheduled": marked}), ["participant:e"])
    assert {u.meeting: u.detail for u in resolved.unscheduled} == {u.meeting: u.detail for u in first.unscheduled}


@pytest.mark.parametrize(
    ("short", "kind"),
    [
        ("it-08350 already has max_meetings (6)", explanation.MAX_MEETINGS),
        ("it-00646 is not available in any session", explanation.NO_COMMON_TIME),
        ("no common availability", explanation.NO_COMMON_TIME),
        ("no room holds 3 people", explanation.NO_ROOM),
        ("longer (90 min) than any session", explanation.NO_PLACE),
        ("no session in Hangzhou", explanation.NO_PLACE),
        ("no common language, and no interpreter speaks a language of each participant", explanation.NO_INTERPRETER),
        ("no common availability with an interpreter who could attend", explanation.NO_INTERPRETER),
        ("no time left with all participants and a room free; d got 0 of min_meetings 1", explanation.TAKEN),
        ("every possible time is before the frozen time", explanation.FROZEN),
        ("no interpreter left who speaks a language of each participant", explanation.NO_INTERPRETER),
        ("a reason from another version", "a reason from another version"),
    ],
)
def test_a_solvers_short_reason_is_counted_by_its_kind(short: str, kind: str) -> None:
    """Past the time limit a reason keeps only its kind: by person, the summary of a 60,000-request
    solve listed 'it-08350 already has max_meetings (6)' and 1,695 more such 'reasons'."""
    assert reasons.kind_of_short_reason(short) == kind


def test_reasons_worked_out_in_two_processes_are_those_of_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past REASONS_IN_TWO_ABOVE a child explains every other waiting request; the file is the same.
    One table, two slots: of five pairs among a, b, c, d, three wait."""
    pairs = [("a", "b"), ("c", "d"), ("a", "c"), ("b", "d"), ("a", "d")]
    instance = make_instance(meetings=[meeting(f"m{k}", *pair) for k, pair in enumerate(pairs)])
    schedule = solve_and_verify(instance)
    assert len(schedule.unscheduled) == 3
    in_one = reasons.with_reasons(instance, schedule)
    monkeypatch.setattr(reasons, "REASONS_IN_TWO_ABOVE", 0)
    in_two = reasons.with_reasons(instance, schedule)
    assert in_two.unscheduled == in_one.unscheduled
    assert all(u.detail for u in in_two.unscheduled) and verify(instance, in_two) == []


def test_after_a_ctrl_c_the_childs_half_is_taken_when_it_is_done(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Ctrl-C while this process did other work (a re-solve's change list, `meanwhile`) had the
    child's finished half worked out again here in short form (the attacker's)."""
    pairs = [("a", "b"), ("c", "d"), ("a", "c"), ("b", "d"), ("a", "d")]
    instance = make_instance(meetings=[meeting(f"m{k}", *pair) for k, pair in enumerate(pairs)])
    schedule = solve_and_verify(instance)
    monkeypatch.setattr(reasons, "REASONS_IN_TWO_ABOVE", 0)
    stopped: list[bool] = []

    def ctrl_c_caught_meanwhile() -> None:
        time.sleep(1.0)  # (the child's three requests take milliseconds)
        stopped.append(True)

    annotated = reasons.with_reasons(instance, schedule, ctrl_c=stopped, meanwhile=ctrl_c_caught_meanwhile)
    assert stopped and annotated.unscheduled == reasons.with_reasons(instance, schedule).unscheduled
    assert all(u.detail for u in annotated.unscheduled)


@pytest.mark.parametrize("in_two", [False, True])
def test_ctrl_c_while_reasons_are_worked_out_keeps_the_short_form_for_the_rest(
    monkeypatch: pytest.MonkeyPatch, in_two: bool
) -> None:
    """The schedule in hand is still written: the request being explained, and every one after it,
    keep the kind of the solver's short reason (in two processes, the child's half too)."""
    pairs = [("a", "b"), ("c", "d"), ("a", "c"), ("b", "d"), ("a", "d")]
    instance = make_instance(meetings=[meeting(f"m{k}", *pair) for k, pair in enumerate(pairs)])
    schedule = solve_and_verify(instance)
    full = [u.detail for u in reasons.with_reasons(instance, schedule).unscheduled]
    if in_two:
        monkeypatch.setattr(reasons, "REASONS_IN_TWO_ABOVE", 0)
    calls: list[str] = []
    original = Explainer.explain

    def ctrl_c_on_the_second(self: Explainer, mid: str) -> explain.Explanation:
        calls.append(mid)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(self, mid)

    monkeypatch.setattr(Explainer, "explain", ctrl_c_on_the_second)
    annotated = reasons.with_reasons(instance, schedule)
    assert [u.meeting for u in annotated.unscheduled] == [u.meeting for u in schedule.unscheduled]
    details = [u.detail for u in annotated.unscheduled]
    assert details[0] is not None and details[2] is None
    # In two processes, the child's half is taken if it is done (not waited for), else short too.
    assert details[1] is None or (in_two and details[1] == full[1])
    assert all(u.reason in explanation.KINDS for u in annotated.unscheduled) and verify(instance, annotated) == []
