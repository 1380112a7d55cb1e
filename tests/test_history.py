"""`schedule history`: every version of an instance's schedule, oldest first, with the command that made it."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from scheduler import reports
from scheduler.cli import app
from scheduler.history import versions

runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_history_lists_versions_with_command_cancellations_and_totals(sample_copy: Path) -> None:
    current = sample_copy.with_name("sample.schedule.json")
    run("solve", str(sample_copy), "--time-limit", "20", "--workers", "2")
    assert "OK" in run("check", str(sample_copy), str(current))
    first = json.loads(current.read_text())
    assert first["command"] == f"schedule solve {sample_copy} --time-limit 20.0 --workers 2"
    run(
        "resolve", str(sample_copy), "--previous", str(current), "--cancel", "participant:cn-most-01",
        "--time-limit", "20", "--workers", "2",
    )  # fmt: skip
    assert "OK" in run("check", str(sample_copy), str(current))
    second = json.loads(current.read_text())
    assert second["command"].startswith(f"schedule resolve {sample_copy} --previous {current}")
    assert "--cancel participant:cn-most-01" in second["command"]

    found = versions(sample_copy, sample_copy.read_bytes())
    assert [v.path.name for v in found] == ["sample.schedule.v1.json", "sample.schedule.json"]
    assert [v.schedule.objective for v in found if v.schedule] == [first["objective"], second["objective"]]
    assert all(v.matches_instance for v in found)

    console = Console(width=200, record=True, file=io.StringIO(), color_system=None)
    console.print(reports.history(found, str(sample_copy)))
    text = console.export_text()
    assert text.index("sample.schedule.v1.json") < text.index("sample.schedule.json")
    assert "participant cn-most-01" in text and "(current)" in text
    assert f"{len(second['assignments'])} placed" in text and f"priority {second['objective']}" in text
    assert f"{len(second['changes'])} change(s)" in text
    assert "sample.schedule.v1.json" in run("history", str(sample_copy))


def test_history_without_schedules_says_how_to_make_one(sample_copy: Path) -> None:
    assert "run `schedule solve" in run("history", str(sample_copy)).replace("\n", "")


def test_history_takes_file_names_literally(tmp_path: Path) -> None:
    """`ev[1]` is a name, not a glob pattern: its versions are found, a look-alike's are not."""
    instance = tmp_path / "ev[1].yaml"
    instance.write_bytes((Path(__file__).parent / "data" / "valid-base.yaml").read_bytes())
    for _ in range(2):
        run("solve", str(instance), "--time-limit", "10", "--workers", "1")
    (tmp_path / "ev1.schedule.v7.json").write_text("{}")
    found = versions(instance, instance.read_bytes())
    assert [v.path.name for v in found] == ["ev[1].schedule.v1.json", "ev[1].schedule.json"]
    assert all(v.schedule is not None and v.matches_instance for v in found)


def test_history_shows_only_what_each_version_newly_cancelled_with_knock_on_meetings_counted(
    sample_copy: Path,
) -> None:
    current = sample_copy.with_name("sample.schedule.json")
    run("solve", str(sample_copy), "--time-limit", "20", "--workers", "2")
    assert "OK" in run("check", str(sample_copy), str(current))
    run(
        "resolve", str(sample_copy), "--previous", str(current), "--cancel", "participant:cn-most-01",
        "--time-limit", "20", "--workers", "2",
    )  # fmt: skip
    assert "OK" in run("check", str(sample_copy), str(current))
    knock_on = [c["id"] for c in json.loads(current.read_text())["cancelled"] if c["kind"] == "meeting"]
    run(
        "resolve", str(sample_copy), "--previous", str(current), "--cancel", "room:BJ-T-2",
        "--frozen-until", "2025-11-13T10:00", "--time-limit", "20", "--workers", "2",
    )  # fmt: skip
    assert "OK" in run("check", str(sample_copy), str(current))
    third = json.loads(current.read_text())

    result = runner.invoke(app, ["history", str(sample_copy)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    blocks = result.output.split("sample.schedule.")[1:]
    assert [b.split()[0] for b in blocks] == ["v1.json", "v2.json", "json"]
    first_block, second_block, third_block = (" ".join(b.split()) for b in blocks)
    assert "cancelled: nothing new" in first_block
    as_a_result = f"{len(knock_on)} request{'s' if len(knock_on) > 1 else ''} cancelled as a result" if knock_on else ""
    assert f"cancelled: participant cn-most-01{'; ' + as_a_result if knock_on else ''} " in second_block
    assert "cancelled: room BJ-T-2 " in third_block and "cn-most-01" not in third_block.split("cancelled:")[1]
    assert f"frozen until {third['frozen_until'].replace('T', ' ')}" in third_block
    assert "frozen until" not in second_block
    assert "(Asia/Shanghai)" in first_block
    for ident in ("cn-most-01", "BJ-T-2"):
        assert any(ident in line for line in lines), ident  # on one line: ids are never broken
