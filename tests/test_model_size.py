"""The model-size estimate: an upper bound known before building, and the refusals it drives."""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import A_ANYWHERE_B_IN_BEIJING_C_IN_HANGZHOU, DATA, ROOT, make_instance, meeting
from typer.testing import CliRunner

from scheduler.cli import app
from scheduler.errors import InputError
from scheduler.generate import generate
from scheduler.model import Instance
from scheduler.model_size import BuildTimedOut, check_model_size, estimate, time_limit_while_building
from scheduler.store import load_instance

runner = CliRunner()
WHOLE_YEAR = DATA / "invalid" / "whole-year-every-minute.yaml"


def built_options(instance: Instance) -> int:
    return sum(len(instance.meeting_options(m)) for m in instance.meetings)


@pytest.mark.parametrize("seed", range(4))
def test_the_estimate_bounds_the_options_actually_built(seed: int) -> None:
    instance = Instance.model_validate(generate(60, 200, seed))
    assert built_options(instance) <= estimate(instance).options <= 4 * built_options(instance)


def test_the_estimate_counts_starts_rooms_cities_and_availability_by_hand() -> None:
    # Beijing 09:00-10:00 on a 30-minute grid (two starts); Hangzhou 09:00-09:30 the next day
    venues = [
        {
            "id": "bj",
            "city": "Beijing",
            "days": [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "10:00"}]}],
            "rooms": [{"id": "T", "capacity": 2}],
        },
        {
            "id": "hz",
            "city": "Hangzhou",
            "days": [{"date": "2025-11-14", "sessions": [{"start": "09:00", "end": "09:30"}]}],
            "rooms": [{"id": "H", "capacity": 2}],
        },
    ]
    d_at_nine = {"id": "d", "name": "D", "available": [{"date": "2025-11-13", "city": "Beijing", **at_nine()}]}
    instance = make_instance(
        venues=venues,
        participants=[*A_ANYWHERE_B_IN_BEIJING_C_IN_HANGZHOU, d_at_nine],
        meetings=[
            meeting("ab", "a", "b"),  # two starts in Beijing, one in Hangzhou (b's city is not counted)
            meeting("ab-long", "a", "b", slots=2),  # one start, only in Beijing
            meeting("abc", "a", "b", "c"),  # no room holds three: none
            meeting("ac-hz", "a", "c", city="Hangzhou"),  # one start, though c is there on another day
            meeting("ad", "a", "d"),  # d is free for one start only
        ],
    )
    assert estimate(instance).options == 3 + 1 + 0 + 1 + 1
    assert built_options(instance) == 2 + 1 + 0 + 0 + 1
    # The sessions alone (d's one start not looked at) bound it more loosely; the check looks at
    # the people only when that count is over the limit, and refuses only the count with them.
    assert estimate(instance, people=False).options == 3 + 1 + 0 + 1 + 3
    assert check_model_size(instance, "x", limit=7).options == 6
    assert check_model_size(instance, "x", limit=8).options == 8
    with pytest.raises(InputError):
        check_model_size(instance, "x", limit=5)


def at_nine() -> dict[str, str]:
    return {"start": "09:00", "end": "09:30"}


def test_a_year_of_one_minute_slots_is_refused_with_its_size() -> None:
    instance, _ = load_instance(WHOLE_YEAR)
    started = time.monotonic()
    with pytest.raises(InputError) as refused:
        check_model_size(instance, str(WHOLE_YEAR))
    assert time.monotonic() - started < 1.0
    message = refused.value.render()
    assert "up to 21,081,600 meeting options (40 meetings x 366 sessions x up to 1,440 starts each)" in message
    assert "the limit is 10,000,000" in message and "slot_minutes" in message


def _limit_memory() -> None:
    one_gigabyte = 1 << 30
    resource.setrlimit(resource.RLIMIT_AS, (2 * one_gigabyte, 2 * one_gigabyte))


def test_the_cli_refuses_it_quickly_within_bounded_memory(tmp_path: Path) -> None:
    """In a process capped at 2 GB of address space (building the model would need ~4 GB)."""
    out = tmp_path / "s.json"
    done = subprocess.run(
        [sys.executable, "-m", "scheduler", "solve", str(WHOLE_YEAR), "--out", str(out), "-t", "600"],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        preexec_fn=_limit_memory,
        check=False,
    )
    assert done.returncode == 2, done.stderr.decode()
    assert b"meeting options" in done.stderr and b"Traceback" not in done.stderr
    assert not out.exists()


def test_the_time_limit_holds_while_building(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import scheduler.solver.pipeline

    def slow_build(*_: Any, **__: Any) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # a build that never reports a schedule
            pass

    monkeypatch.setattr(scheduler.solver.pipeline, "solve", slow_build)
    out = tmp_path / "s.json"
    started = time.monotonic()
    result = runner.invoke(app, ["solve", str(DATA / "valid-base.yaml"), "--out", str(out), "-t", "0.5"])
    assert time.monotonic() - started < 10
    assert result.exit_code == 1, result.output
    said = " ".join(result.output.split())
    assert "--time-limit: 0.5 s passed while reading, before any schedule; nothing written." in said
    assert "A longer --time-limit gives it the time." in said
    assert not out.exists()


def test_ctrl_c_while_building_says_so_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import scheduler.solver.pipeline

    def interrupted(*_: Any, **__: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(scheduler.solver.pipeline, "solve", interrupted)
    out = tmp_path / "s.json"
    result = runner.invoke(app, ["solve", str(DATA / "valid-base.yaml"), "--out", str(out)])
    assert result.exit_code == 130
    assert "Interrupted (Ctrl-C) while" in result.output and "nothing written" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_the_build_timer_stays_quiet_once_a_schedule_exists() -> None:
    found = {"schedule": False}
    with time_limit_while_building(0.2, lambda: not found["schedule"]):
        found["schedule"] = True
        time.sleep(0.4)
    with pytest.raises(BuildTimedOut), time_limit_while_building(0.2, lambda: True):
        time.sleep(2)


def test_a_person_free_for_one_start_has_it_at_every_venue_of_the_city() -> None:
    """An option is a venue and a start: counting a person's starts alone let an instance of
    1,000 venues in one city through as 133,900 options, where it asks for 133.9 million (the
    attacker's file; it grew to 10.8 GB before the time limit ended it)."""
    sessions = [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "10:00"}]}]
    venues = [
        {"id": f"bj{k}", "city": "Beijing", "days": sessions, "rooms": [{"id": f"T{k}", "capacity": 2}]}
        for k in range(2)
    ]
    a_anywhere = {"id": "a", "name": "A"}
    d_at_nine = {"id": "d", "name": "D", "available": [{"date": "2025-11-13", "city": "Beijing", **at_nine()}]}
    instance = make_instance(venues=venues, participants=[a_anywhere, d_at_nine], meetings=[meeting("ad", "a", "d")])
    assert estimate(instance).options == built_options(instance) == 2  # one start, two venues
    assert estimate(instance, people=False).options == 4


def test_a_window_listed_twice_or_overlapping_counts_once() -> None:
    """Entries may share a date: the same window twice counted twice, and an instance that
    solves in 19 s was refused as too big (the second attacker's file)."""
    window = {"date": "2025-11-13", "city": "Beijing", **at_nine()}
    wider = {"date": "2025-11-13", "city": "Beijing", "start": "09:00", "end": "10:00"}
    sessions = [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "12:00"}]}]
    venue = {"id": "bj", "city": "Beijing", "days": sessions, "rooms": [{"id": "T", "capacity": 2}]}

    def with_windows(*windows: dict[str, str]) -> int:
        d = {"id": "d", "name": "D", "available": list(windows)}
        instance = make_instance(
            venues=[venue], participants=[{"id": "a", "name": "A"}, d], meetings=[meeting("ad", "a", "d")]
        )
        assert built_options(instance) <= estimate(instance).options
        return estimate(instance).options

    assert with_windows(window) == with_windows(window, window) == 1
    assert with_windows(window, wider) == with_windows(wider) == 2  # (09:00-10:00 holds two starts)
