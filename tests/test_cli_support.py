"""What the commands share: a schedule goes with its own instance; a recorded instance is found beside it."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from test_cli import solved
from test_verify import INSTANCE, VALID, place, schedule_of

from scheduler import cli_support
from scheduler.cli_support import CheckAhead, load_pair, placements_of, recorded_instance, same_placements
from scheduler.errors import InputError
from scheduler.solution import Cancellation, Change, Schedule, Unscheduled
from scheduler.verify import review


def test_load_pair_refuses_a_schedule_made_for_another_instance(sample_copy: Path) -> None:
    schedule_path = solved(sample_copy)
    instance, schedule = load_pair(sample_copy, schedule_path)
    assert schedule.objective > 0 and len(instance.meetings) == 10
    sample_copy.write_text(sample_copy.read_text() + "\n# edited\n")
    with pytest.raises(InputError, match="was made for another instance"):
        load_pair(sample_copy, schedule_path)


def test_recorded_instance_is_found_beside_the_schedule_or_named(tmp_path: Path) -> None:
    (tmp_path / "event.yaml").write_text("x")
    schedule_path = tmp_path / "event.schedule.json"
    assert recorded_instance("elsewhere/event.yaml", schedule_path) == tmp_path / "event.yaml"
    with pytest.raises(InputError, match="neither here nor beside it; pass --instance"):
        recorded_instance("missing.yaml", schedule_path)


def _worded(schedule: Schedule) -> Schedule:
    """The same placements with words: reasons, a change, the command line, a previous file."""
    reasons = [u.model_copy(update={"reason": "lost", "detail": "Lost to ab."}) for u in schedule.unscheduled]
    return schedule.model_copy(
        update={
            "unscheduled": reasons,
            "changes": [Change(meeting="ab", change="added", notify=["a"])],
            "command": "schedule solve x.yaml",
            "previous": "x.schedule.v1.json",
            "previous_sha256": "1" * 64,
            "reasons_sha256": "2" * 64,
        }
    )


BROKEN = [
    schedule_of(place("ab", room="T-1"), place("cd", room="T-1")),
    schedule_of(place("bcd", room="T-1")),
    schedule_of(place("cd", start="09:30", end="10:00")),
    schedule_of(place("ab", room="nowhere")),
    schedule_of(place("bd", start="09:30", end="10:00"), cancelled=[Cancellation(kind="participant", id="d")]),
    VALID.model_copy(update={"unscheduled": []}),
    VALID.model_copy(update={"unscheduled": [*VALID.unscheduled, Unscheduled(meeting="ab", reason="x")]}),
    VALID.model_copy(update={"objective": 99, "bound": 99}),
    VALID.model_copy(update={"status": "OPTIMAL"}),
    VALID.model_copy(update={"frozen_until": "2025-13-45T09:30"}),
]


@pytest.mark.parametrize("schedule", [VALID, *BROKEN])
def test_the_checker_reads_nothing_placements_of_leaves_out(schedule: Schedule) -> None:
    """What `CheckAhead` rests on: the words never change the checker's verdict."""
    worded = _worded(schedule)
    assert placements_of(worded) == placements_of(schedule)
    assert same_placements(worded, schedule) and same_placements(schedule, worded)
    assert same_placements(schedule, VALID) == (schedule is VALID)  # (each broken one differs in placements)
    assert review(INSTANCE, placements_of(worded)).violations == review(INSTANCE, worded).violations
    assert review(INSTANCE, worded).violations or schedule is VALID


def test_check_ahead_answers_from_its_child_for_new_words(monkeypatch: pytest.MonkeyPatch) -> None:
    """Checked on another core before the words came; asked about the worded schedule, the parent
    checks nothing itself (here it could not), and the child's verdict is the checker's."""
    with CheckAhead(INSTANCE, BROKEN[0]) as ahead:
        monkeypatch.setattr(cli_support, "review", lambda *args: pytest.fail("checked again in the parent"))
        found = ahead.violations(_worded(BROKEN[0]))
    assert found == review(INSTANCE, BROKEN[0]).violations and {v.rule for v in found} == {"3"}


def test_check_ahead_checks_again_when_a_placement_changed_since() -> None:
    """A valid schedule checked ahead, then one of its meetings moved onto another's table: the
    answer is for the schedule as it now is, never the one checked before."""
    with CheckAhead(INSTANCE, VALID) as ahead:
        assert ahead.violations(_worded(VALID)) == []
    moved = schedule_of(place("ab", room="T-1"), place("cd", room="T-1"), place("bd", start="09:30", end="10:00"))
    with CheckAhead(INSTANCE, VALID) as ahead:
        assert "3" in {v.rule for v in ahead.violations(moved)}


def test_check_ahead_gives_the_headline_figures_of_its_placements_from_the_same_child(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The child that checks also works out the summary's figures: the parent computes none
    (here it could not), and they are those of the placements, never of the words."""
    from scheduler.stats import headline

    expected = headline(INSTANCE, VALID)
    assert expected.people > 0 and expected == headline(INSTANCE, _worded(VALID))
    with CheckAhead(INSTANCE, VALID) as ahead:
        monkeypatch.setattr(cli_support, "headline", lambda *args: pytest.fail("worked out in the parent"))
        assert ahead.violations(_worded(VALID)) == []
        assert ahead.headline() == expected


def test_check_ahead_still_gives_the_figures_after_checking_again_here() -> None:
    """Asked about moved placements, it checks them here and stops the child: the figures of the
    placements it was made with are then worked out here."""
    from scheduler.stats import headline

    moved = schedule_of(place("ab", room="T-1"), place("cd", room="T-1"), place("bd", start="09:30", end="10:00"))
    with CheckAhead(INSTANCE, VALID) as ahead:
        assert "3" in {v.rule for v in ahead.violations(moved)}
        assert ahead.headline() == headline(INSTANCE, VALID)


def test_check_ahead_asked_again_about_its_own_placements_after_another_checks_them() -> None:
    """Once it has checked other placements here (its child stopped), a question about the ones
    it was made with is answered by a check here too, never by an empty verdict."""
    with CheckAhead(INSTANCE, BROKEN[0]) as ahead:
        assert ahead.violations(VALID) == []
        assert ahead.violations(_worded(BROKEN[0])) == review(INSTANCE, BROKEN[0]).violations != []


def test_ctrl_c_while_waiting_for_the_check_checks_here_and_still_answers() -> None:
    """A Ctrl-C while the command waited for the check of a finished schedule ended it with
    nothing written (the attacker found it at 60,000 requests): the check is now made here, and
    the schedule is written if it passes."""

    def interrupted() -> None:
        raise KeyboardInterrupt

    with CheckAhead(INSTANCE, BROKEN[0]) as ahead:
        assert ahead._job is not None
        ahead._job.result = interrupted  # type: ignore[method-assign,assignment]
        assert ahead.violations(_worded(BROKEN[0])) == review(INSTANCE, BROKEN[0]).violations != []
    with CheckAhead(INSTANCE, VALID) as ahead:
        assert ahead._job is not None
        ahead._job.result = interrupted  # type: ignore[method-assign,assignment]
        assert ahead.violations(_worded(VALID)) == [] and ahead.headline().people > 0


class _Answer:
    """A review of the previous file already done: `result()` gives its verdict, or None."""

    def __init__(self, verdict: cli_support.Rejection | None) -> None:
        self.verdict = verdict

    def result(self) -> cli_support.Rejection | None:
        return self.verdict


UNCONFIRMED = cli_support.Rejection("prev.json", "Warning: breaks 1 rule", "history unconfirmed", damaged=False)
DAMAGED = cli_support.Rejection("prev.json", "Warning: breaks 2 rules", "room X holds 2 meetings", damaged=True)


@pytest.mark.parametrize(
    ("verdict", "fails", "expected"),
    [
        (None, False, ["solve trusting"]),  # accepted: the trusting solve stands
        (UNCONFIRMED, False, ["solve trusting", "plan again", "solve again"]),
        (UNCONFIRMED, True, ["solve trusting", "plan again", "solve again"]),  # its failure was the file's
        (None, True, ["solve trusting", "raised"]),  # accepted: the failure is ours
        (DAMAGED, False, ["solve trusting", "refused"]),  # edited by hand: bad input, nothing more
        (DAMAGED, True, ["solve trusting", "refused"]),
    ],
)
def test_a_trusting_re_solve_stands_or_is_made_again_as_the_checker_says(
    verdict: cli_support.Rejection | None, fails: bool, expected: list[str]
) -> None:
    steps: list[str] = []
    trusting, again = object(), object()

    def solved(plan: object) -> str:
        steps.append("solve trusting" if plan is trusting else "solve again")
        if fails and plan is trusting:
            raise ValueError("what no stage expects")
        return f"outcome of {steps[-1]}"

    def replan() -> object:
        steps.append("plan again")
        return again

    try:
        kept, outcome, said = cli_support.solved_trusting(trusting, solved, _Answer(verdict), replan)  # type: ignore[arg-type]
    except ValueError:
        steps.append("raised")
    except typer.Exit as stop:
        assert stop.exit_code == 2
        steps.append("refused")
    else:
        assert kept is (trusting if verdict is None else again)
        assert outcome == f"outcome of {steps[-1]}" and said == verdict
    assert steps == expected
