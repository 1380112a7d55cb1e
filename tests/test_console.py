"""The terminal around the commands: what every command runs inside."""

from __future__ import annotations

import gc

import typer
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
