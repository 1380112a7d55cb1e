"""The terminal around the commands: what every command runs inside."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from conftest import ROOT
from typer.testing import CliRunner

from scheduler.console import Command, fail
from scheduler.termination import Terminated


def _probe_app(seen: list[bool], code: int = 0) -> typer.Typer:
    app = typer.Typer()

    @app.command(cls=Command)
    def probe() -> None:
        seen.append(gc.isenabled())
        if code:
            fail("bad input", code)

    return app


def test_a_command_runs_without_the_cycle_collector_and_gives_it_back() -> None:
    """Off while it runs (millions of long-lived objects at 60,000 requests), on again after,
    also when the command fails: a test run or a caller keeps its collector."""
    assert gc.isenabled()
    for code in (0, 2):
        seen: list[bool] = []
        result = CliRunner().invoke(_probe_app(seen, code), [])
        assert result.exit_code == code and seen == [False] and gc.isenabled()


def test_sigterm_during_a_write_ends_the_command_with_143_and_says_why() -> None:
    app = typer.Typer()

    @app.command(cls=Command)
    def probe() -> None:
        raise Terminated

    result = CliRunner().invoke(app, [])
    assert result.exit_code == 143 and "Stopped (SIGTERM)" in result.output


@pytest.mark.parametrize("entry", [["cli.py"], ["-m", "scheduler"]])
def test_a_large_command_ends_its_process_at_once_with_everything_said(sample_copy: Path, entry: list[str]) -> None:
    """`main` ends the process without freeing what the command left to it (0.6 s and more at
    60,000 requests): its output still arrives whole through a pipe, the exit status is the
    command's, and the schedule written is whole; bad input still exits 2 the ordinary way."""
    target = sample_copy.with_name("out.json")
    command = [sys.executable, *entry, "solve", str(sample_copy), "-t", "10", "-o", str(target)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Written to" in done.stdout and "Idle gaps" in done.stdout  # (the summary's last rows came through)
    checked = subprocess.run(
        [sys.executable, *entry, "check", str(sample_copy), str(target)], cwd=ROOT, capture_output=True, text=True
    )
    assert checked.returncode == 0 and "OK" in checked.stdout, checked.stdout + checked.stderr
    broken = sample_copy.with_name("broken.yaml")
    broken.write_text("event: [\n")
    refused = subprocess.run([sys.executable, *entry, "solve", str(broken)], cwd=ROOT, capture_output=True, text=True)
    assert refused.returncode == 2 and "broken.yaml" in refused.stderr


def test_main_hands_a_solve_to_the_process_to_end_and_an_error_to_the_usual_exit(
    sample_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scheduler import cli, console

    ended: list[int] = []

    def exit_now(code: int) -> None:
        ended.append(code)
        raise SystemExit(code)  # (the test process goes on)

    monkeypatch.setattr(console, "_end_process", exit_now)
    monkeypatch.setattr(console, "process_ends_with_command", False)  # (main sets it: set back after the test)
    target = sample_copy.with_name("out.json")
    monkeypatch.setattr(sys, "argv", ["schedule", "solve", str(sample_copy), "-t", "10", "-o", str(target)])
    with pytest.raises(SystemExit):
        cli.main()
    assert ended == [0] and target.exists()
    assert not gc.isenabled()  # (nor given the cycle collector back, which would walk it all first)
    gc.enable()
    monkeypatch.setattr(sys, "argv", ["schedule", "check", str(sample_copy), str(target)])
    with pytest.raises(SystemExit) as checked:
        cli.main()
    assert checked.value.code == 0 and ended == [0]  # (a check leaves nothing: the usual exit)
    assert gc.isenabled()  # (a check gives the collector back)


def test_output_whose_reader_went_away_ends_quietly_with_141() -> None:
    """`schedule ... | head -1`: rich's own handling ended with 1 ("no schedule could be produced"),
    though the schedule was written; now 141 (128 + SIGPIPE) and no traceback, as Unix tools do."""
    code = "from scheduler.console import out\nfor n in range(200_000):\n    out.print(f'line {n}')\n"
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stdout.readline().startswith(b"line 0")
    process.stdout.close()  # (the reader goes away)
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 141 and b"Traceback" not in errors, errors
