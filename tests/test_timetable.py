"""`schedule timetable`: filters that combine, groups of tables, and rows for scripts."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml
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


def test_csv_keeps_text_that_could_run_as_a_formula_as_text(solved: tuple[Instance, Schedule]) -> None:
    """A name or topic '=HYPERLINK(...)' was written bare (the second attacker's; the README shows
    this format to organisers): it gets the apostrophe the export's meetings.csv gives it."""
    instance, schedule = solved
    records = rows(instance, schedule, select(instance, schedule, "cn-most-01", None, None))
    tricked = [{**r, "topic": '=HYPERLINK("http://evil","x")'} for r in records]
    parsed = list(csv.DictReader(io.StringIO(as_csv(tricked))))
    assert all(r["topic"] == '\'=HYPERLINK("http://evil","x")' for r in parsed)
    assert [r["meeting"] for r in parsed] == [r["meeting"] for r in records]


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


@pytest.fixture
def room_removed_after_use(sample_copy: Path) -> tuple[Path, Path, list[str]]:
    """The sample solved, then BJ-R1 removed from the instance and re-solved with its morning kept as history."""
    first = sample_copy.with_name("sample.schedule.json")
    assert _run("solve", str(sample_copy), "-t", "10", "-w", "2")[0] == 0
    from scheduler.store import load_schedule

    held = [a.meeting for a in load_schedule(first).assignments if a.room == "BJ-R1" and a.date == "2025-11-13"]
    assert held, "the sample's solve uses BJ-R1 on the first day"
    text = sample_copy.read_text(encoding="utf-8")
    sample_copy.write_text(text.replace("      - {id: BJ-R1, capacity: 6}\n", ""), encoding="utf-8")
    second = sample_copy.with_name("second.schedule.json")
    code, output = _run(
        "resolve", str(sample_copy), "--previous", str(first), "--frozen-until", "2025-11-13T23:00",
        "--out", str(second), "-t", "10", "-w", "2",
    )  # fmt: skip
    assert code == 0, output
    code, output = _run("check", str(sample_copy), str(second))
    assert code == 0, output
    return sample_copy, second, held


def test_cli_a_room_removed_after_its_meetings_still_shows_them(
    room_removed_after_use: tuple[Path, Path, list[str]],
) -> None:
    instance_path, schedule_path, held = room_removed_after_use
    code, output = _run("timetable", str(instance_path), str(schedule_path), "--date", "2025-11-13")
    assert code == 0, output
    assert "BJ-R1" in output and "(removed)" in output and "no longer in the instance" in output
    assert all(mid in output for mid in held)
    code, output = _run("timetable", str(instance_path), str(schedule_path), "--room", "BJ-R1")
    assert code == 0, output
    assert "Room BJ-R1" in output and "no longer in the instance" in output and all(mid in output for mid in held)


def test_export_grids_show_a_room_removed_after_its_meetings(
    room_removed_after_use: tuple[Path, Path, list[str]], tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    instance_path, schedule_path, held = room_removed_after_use
    out = tmp_path / "export"
    code, output = _run("export", str(instance_path), str(schedule_path), "--to", str(out))
    assert code == 0, output
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "BJ-R1 (no longer in the instance)" in page and all(f"<strong>{mid}</strong>" in page for mid in held)
    book = load_workbook(out / "meetings.xlsx")
    grid = book["Beijing 2025-11-13"]
    labels = [row[0] for row in grid.iter_rows(values_only=True)]
    assert "BJ-R1 (no longer in the instance)" in labels
    row = next(r for r in grid.iter_rows(values_only=True) if r[0] == "BJ-R1 (no longer in the instance)")
    assert all(any(str(cell).startswith(f"{mid}:") for cell in row if cell) for mid in held)


WEEK_WITH_PROGRAMME = """event: {name: Week, timezone: Asia/Shanghai, slot_minutes: 30}
venues:
  - id: bj
    city: Beijing
    days: [{date: 2025-11-13, sessions: [{start: "09:00", end: "11:00"}]}]
    rooms: [{id: R, count: 2, capacity: 3}]
participants:
  - {id: it1, name: Giulia, languages: [it]}
  - {id: cn1, name: Wei, languages: [zh]}
  - {id: it2, name: Marco, languages: [it, en]}
  - {id: cn2, name: Li, languages: [zh, en]}
meetings:
  - {id: m1, participants: [it1, cn1]}
  - {id: m2, participants: [it2, cn2]}
programme:
  - {id: opening, title: Opening plenary, kind: plenary, city: Beijing, date: 2025-11-13,
     start: "10:00", end: "11:00", attendees: [it1]}
interpreters:
  - {id: x1, name: Chen Li, languages: [it, zh]}
"""


def test_cli_an_interpreter_has_a_timetable_and_a_participant_sees_programme_and_interpreter(tmp_path: Path) -> None:
    path = tmp_path / "week.yaml"
    path.write_text(WEEK_WITH_PROGRAMME, encoding="utf-8")
    code, output = _run("solve", str(path), "-t", "10", "-w", "2")
    assert code == 0, output
    schedule_path = tmp_path / "week.schedule.json"
    assert _run("check", str(path), str(schedule_path))[0] == 0
    code, output = _run("timetable", str(path), str(schedule_path), "--person", "x1")
    assert code == 0, output
    assert "Chen Li" in output and "interpreter" in output and "m1" not in output  # who, not ids
    assert "Giulia" in output and "1 meeting(s) to interpret" in output
    code, output = _run("timetable", str(path), str(schedule_path), "--person", "it1")
    text = " ".join(output.split())
    assert "plenary: Opening plenary" in text and "Chen Li (interpreter)" in text
    code, output = _run("timetable", str(path), str(schedule_path), "--date", "2025-11-13")
    band = next(line for line in output.splitlines() if line.strip().startswith("opening") and "│" in line)
    assert "Opening" in band  # a band row over 10:00-11:00, its title across the slots
    assert "opening 10:00-11:00 plenary: Opening plenary (Beijing; 1 attending)" in " ".join(output.split())
    code, output = _run("timetable", str(path), str(schedule_path), "--person", "x1", "-f", "json")
    assert [r["meeting"] for r in json.loads(output)] == ["m1"]


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """WEEK_WITH_PROGRAMME solved through the CLI, and accepted by `check`."""
    path = tmp_path_factory.mktemp("week") / "week.yaml"
    path.write_text(WEEK_WITH_PROGRAMME, encoding="utf-8")
    code, output = _run("solve", str(path), "-t", "10", "-w", "2")
    assert code == 0, output
    schedule_path = path.with_name("week.schedule.json")
    assert _run("check", str(path), str(schedule_path))[0] == 0
    return str(path), str(schedule_path)


def test_cli_script_formats_give_a_persons_programme_items_rows_of_their_own(week: tuple[str, str]) -> None:
    """it1 is at the opening plenary 10:00-11:00, so m1 (with cn1) comes before it."""
    code, output = _run("timetable", *week, "--person", "it1", "--format", "csv")
    assert code == 0, output
    found = list(csv.DictReader(io.StringIO(output)))
    assert [(r["entry"], r["meeting"] or r["item"]) for r in found] == [("meeting", "m1"), ("programme", "opening")]
    plenary = found[1]
    assert (plenary["date"], plenary["start"], plenary["end"], plenary["city"]) == (
        "2025-11-13",
        "10:00",
        "11:00",
        "Beijing",
    )
    assert (plenary["kind"], plenary["title"], plenary["room"], plenary["participants"]) == (
        "plenary",
        "Opening plenary",
        "",
        "it1",
    )
    assert found[0]["start"] < "10:00" and found[0]["kind"] == found[0]["title"] == ""
    code, output = _run("timetable", *week, "--person", "it1", "--format", "markdown")
    assert code == 0 and "| x1 | meeting |  |  |  |" in output, output
    assert "| programme | opening | plenary | Opening plenary |" in output
    code, output = _run("timetable", *week, "--person", "it1", "--format", "json")
    assert [r["entry"] for r in json.loads(output)] == ["meeting", "programme"]
    code, output = _run("timetable", *week, "--person", "cn1", "--format", "json")
    assert [r["entry"] for r in json.loads(output)] == ["meeting"]  # not an attendee
    code, output = _run("timetable", *week, "--date", "2025-11-13", "--format", "json")
    items = [r for r in json.loads(output) if r["entry"] == "programme"]
    assert [(r["item"], r["participants"]) for r in items] == [("opening", ["it1"])]  # without --person: all attendees
    code, output = _run("timetable", *week, "--room", "R", "--format", "json")
    assert code == 0 and {r["entry"] for r in json.loads(output)} == {"meeting"}  # an item is in no room
    code, output = _run("timetable", *week, "--person", "it1", "--date", "2025-11-13")
    assert code == 0 and "plenary: Opening plenary" in " ".join(output.split())


def test_cli_someone_removed_after_their_meetings_still_has_a_timetable(tmp_path: Path) -> None:
    """int-b sat in m1 (09:00) and m2 (09:30) and is then taken out of the instance, re-solved
    with the day frozen until 10:00; then it1 (m1, and m3 at 10:00) goes too, with its requests.
    Each keeps a timetable of the meetings held, marked, as an interpreter and a participant
    alike; an id that neither the instance nor the schedule knows is still refused."""
    interpreters = ROOT / "tests" / "data" / "interpreters"
    instance = tmp_path / "removed.yaml"
    instance.write_bytes((interpreters / "interpreter-removed.yaml").read_bytes())
    previous = tmp_path / "previous.json"
    previous.write_bytes((interpreters / "cap-lowered-previous.json").read_bytes())
    after = tmp_path / "after.json"
    frozen = ["--frozen-until", "2025-11-13T10:00"]
    code, output = _run("resolve", str(instance), "-p", str(previous), *frozen, "-o", str(after), "-t", "5")
    assert code == 0, output
    assert _run("check", str(instance), str(after), "--previous", str(previous))[0] == 0

    data = yaml.safe_load(instance.read_text(encoding="utf-8"))
    data["participants"] = [p for p in data["participants"] if p["id"] != "it1"]
    data["meetings"] = [m for m in data["meetings"] if "it1" not in m["participants"]]
    without_it1 = tmp_path / "without-it1.yaml"
    without_it1.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    final = tmp_path / "final.json"
    frozen = ["--frozen-until", "2025-11-13T10:30"]
    code, output = _run("resolve", str(without_it1), "-p", str(after), *frozen, "-o", str(final), "-t", "5")
    assert code == 0, output
    assert _run("check", str(without_it1), str(final), "--previous", str(after))[0] == 0

    for person, held in (("int-b", ["m1", "m2"]), ("it1", ["m1", "m3"])):
        code, output = _run("timetable", str(without_it1), str(final), "--person", person)
        text = " ".join(output.split())
        assert code == 0, output
        assert f"Warning: {person} is no longer in the instance" in text and "kept as history" in text
        assert f"{person} no longer in the instance" in text and "2 meeting(s) in the schedule, kept as history" in text
        code, output = _run("timetable", str(without_it1), str(final), "--person", person, "-f", "json")
        assert [r["meeting"] for r in json.loads(output[output.index("[") :])] == held
    code, output = _run("timetable", str(without_it1), str(final), "--person", "it9")
    assert code == 2 and "unknown participant or interpreter 'it9'" in output


def test_a_cancelled_participant_s_timetable_leaves_out_the_programme_from_then_on(week: tuple[str, str]) -> None:
    """As their printed agenda does: the table, and the script formats (the organiser trial)."""
    import tempfile

    from scheduler.solution import Cancellation
    from scheduler.store import load_schedule

    gone = Cancellation(kind="participant", id="it1", from_="2025-11-13T09:30")
    schedule = load_schedule(week[1]).model_copy(update={"cancelled": [gone]})
    with tempfile.TemporaryDirectory() as folder:
        edited = Path(folder) / "cancelled.json"
        edited.write_text(schedule.model_dump_json(by_alias=True, exclude_none=True))
        for shown in (["--format", "csv"], []):
            code, output = _run("timetable", week[0], str(edited), "--person", "it1", *shown)
            assert code == 0, output
            assert "Opening plenary" not in output and "opening" not in output
