"""`schedule timetable`: filters that combine, groups of tables, and rows for scripts."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import ROOT, solve_and_verify
from typer.testing import CliRunner

from scheduler.attendance import attendees
from scheduler.cli import app
from scheduler.model import Instance
from scheduler.solution import Schedule
from scheduler.store import load_instance
from scheduler.timetable import as_csv, as_json, as_markdown, room_groups, rows, select

runner = CliRunner()


@pytest.fixture(scope="module")
def solved() -> tuple[Instance, Schedule]:
    instance, _ = load_instance(ROOT / "instances" / "sample.yaml")
    return instance, solve_and_verify(instance)


def test_a_group_of_tables_means_all_its_tables(solved: tuple[Instance, Schedule]) -> None:
    instance, _ = solved
    groups = room_groups(instance)
    assert groups["BJ-T"] == ["BJ-T-1", "BJ-T-2", "BJ-T-3"]
    assert groups["BJ-R1"] == ["BJ-R1"] and groups["HZ-T-2"] == ["HZ-T-2"]


def test_filters_combine(solved: tuple[Instance, Schedule]) -> None:
    instance, schedule = solved
    everything = schedule.assignments
    tables = select(instance, schedule, None, "BJ-T", "2025-11-13").assignments
    assert tables == sorted(
        [a for a in everything if a.room.startswith("BJ-T-") and a.date == "2025-11-13"],
        key=lambda a: (a.date, a.start, a.room),
    )
    assert tables
    person = "it-enea-01"
    in_room = select(instance, schedule, person, "BJ-T", None).assignments
    assert in_room and all(a.room.startswith("BJ-T-") for a in in_room)
    assert all(person in attendees(instance, schedule.cancelled, a) for a in in_room)
    assert select(instance, schedule, None, "BJ-R1", "2025-11-15").assignments == []


def test_script_formats_hold_the_same_rows(solved: tuple[Instance, Schedule]) -> None:
    instance, schedule = solved
    records = rows(instance, schedule, select(instance, schedule, "cn-most-01", None, None))
    assert records and all("cn-most-01" in r["participants"] for r in records)
    assert json.loads(as_json(records)) == records
    parsed = list(csv.DictReader(io.StringIO(as_csv(records))))
    assert [r["meeting"] for r in parsed] == [r["meeting"] for r in records]
    assert all("王伟 (Wang Wei)" in r["names"] for r in parsed)
    markdown = as_markdown(records).splitlines()
    assert len(markdown) == 2 + len(records) and markdown[1].startswith("|---|")


def test_cli_room_and_date_shows_only_that_room_that_day(sample_copy: Path) -> None:
    result = runner.invoke(app, ["solve", str(sample_copy), "--time-limit", "20", "--workers", "2"])
    assert result.exit_code == 0, result.output
    schedule_path = sample_copy.with_name("sample.schedule.json")
    assert runner.invoke(app, ["check", str(sample_copy), str(schedule_path)]).exit_code == 0
    result = runner.invoke(app, ["timetable", str(sample_copy), str(schedule_path), "-r", "BJ-T", "-d", "2025-11-13"])
    assert result.exit_code == 0, result.output
    assert "BJ-T-" in result.output and "BJ-R1" not in result.output and "Hangzhou" not in result.output
    assert "Key" in result.output
    result = runner.invoke(app, ["timetable", str(sample_copy), str(schedule_path), "--room", "BJ-T", "-f", "json"])
    assert result.exit_code == 0 and all(r["room"].startswith("BJ-T-") for r in json.loads(result.output))
    result = runner.invoke(app, ["timetable", str(sample_copy), str(schedule_path), "--format", "xml"])
    assert result.exit_code == 2 and "--format must be one of table, markdown, csv, json" in result.output


def test_cli_person_lists_their_unscheduled_requests_with_reasons(sample_copy: Path) -> None:
    """it-infn-01 asked for r04 and r08; r08 waits: cn-tsinghua-01 already has max_meetings (3)."""
    code, output = _run("solve", str(sample_copy), "-t", "10", "-w", "2")
    assert code == 0, output
    schedule_path = sample_copy.with_name("sample.schedule.json")
    code, output = _run("timetable", str(sample_copy), str(schedule_path), "--person", "it-infn-01")
    assert code == 0, output
    text = " ".join(output.split())
    assert "Not scheduled: 1 request(s)" in text
    assert "r08" in text and "max_meetings reached" in text and "already has 3, the most allowed" in text
    code, output = _run(
        "timetable", str(sample_copy), str(schedule_path), "--person", "it-infn-01", "--date", "2025-11-13"
    )
    assert "Not scheduled" not in output  # a filtered view shows meetings only


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_cli_date_not_written_as_yyyy_mm_dd_is_called_not_a_date(sample_copy: Path) -> None:
    schedule_path = sample_copy.with_name("sample.schedule.json")
    code, output = _run("solve", str(sample_copy), "-t", "10", "-w", "2")
    assert code == 0 and _run("check", str(sample_copy), str(schedule_path))[0] == 0
    for written in ("13/11/2025", "2025-13-11", "yesterday"):
        code, output = _run("timetable", str(sample_copy), str(schedule_path), "--date", written)
        flat = " ".join(output.split())
        assert code == 2 and f"'{written}' is not a date like 2025-11-13 (YYYY-MM-DD)" in flat, output
        assert "no venue is open" not in flat
