"""`schedule export`: spreadsheets -> import -> solve -> export, read back with each format's own library."""

from __future__ import annotations

import csv
import datetime as dt
import json
import zoneinfo
from pathlib import Path
from typing import Any

import icalendar
import pytest
import yaml
from conftest import DATA
from openpyxl import load_workbook
from typer.testing import CliRunner

from scheduler.attendance import attendees
from scheduler.cli import app
from scheduler.export import STATE_FILE
from scheduler.export.ics import uid
from scheduler.export.views import file_stem
from scheduler.model import Instance
from scheduler.solution import Schedule
from scheduler.store import load_instance, load_schedule

IMPORT = DATA / "import"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 0, result.output
    return result.output


def checked(instance_path: Path, schedule_path: Path) -> tuple[Instance, Schedule]:
    """The independent checker accepts the schedule (exit 0), which is then loaded."""
    assert "OK" in run("check", str(instance_path), str(schedule_path))
    instance, _ = load_instance(instance_path)
    return instance, load_schedule(schedule_path)


@pytest.fixture
def imported(tmp_path: Path) -> tuple[Path, Path]:
    """The sample sheets imported and solved: (instance, schedule)."""
    instance_path = tmp_path / "week.yaml"
    run(
        "import",
        "--participants",
        str(IMPORT / "participants.csv"),
        "--requests",
        str(IMPORT / "requests.xlsx"),
        "--event",
        str(IMPORT / "event.yaml"),
        "--out",
        str(instance_path),
    )
    run("solve", str(instance_path), "--time-limit", "20", "--workers", "2")
    return instance_path, tmp_path / "week.schedule.json"


def _as_text(value: object) -> str:
    """A workbook cell as the CSV writes it: dates as YYYY-MM-DD, times as HH:MM."""
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return "" if value is None else str(value)


def without_wang_wei(instance_path: Path, first_path: Path) -> tuple[Path, Schedule]:
    """Re-solve with participant cn-most-01 cancelled into second.schedule.json beside it, checked."""
    second_path = first_path.with_name("second.schedule.json")
    run(
        "resolve", str(instance_path), "--previous", str(first_path), "--cancel", "participant:cn-most-01",
        "--out", str(second_path), "--time-limit", "20", "--workers", "2",
    )  # fmt: skip
    return second_path, checked(instance_path, second_path)[1]


def events_of(path: Path) -> dict[str, icalendar.cal.Component]:
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def sequence(event: icalendar.cal.Component) -> int:
    return int(str(event["sequence"]))


def test_round_trip_calendars_workbook_and_agendas(imported: tuple[Path, Path], tmp_path: Path) -> None:
    instance_path, schedule_path = imported
    instance, schedule = checked(instance_path, schedule_path)
    assert schedule.assignments
    out = tmp_path / "export"
    run("export", str(instance_path), str(schedule_path), "--to", str(out))

    name = instance.event.name
    for person in instance.participants:
        mine = [a for a in schedule.assignments if person.id in attendees(instance, schedule.cancelled, a)]
        calendar_path = out / "ics" / f"{person.id}.ics"
        if not mine:
            assert not calendar_path.exists()
            continue
        events = events_of(calendar_path)
        assert set(events) == {uid(name, a.meeting) for a in mine}
        for a in mine:
            event = events[uid(name, a.meeting)]
            start, end = event.decoded("dtstart"), event.decoded("dtend")
            assert start.tzinfo is not None and start.utcoffset() == dt.timedelta(hours=8)
            assert start == dt.datetime.fromisoformat(f"{a.date}T{a.start}").replace(tzinfo=SHANGHAI)
            assert end == dt.datetime.fromisoformat(f"{a.date}T{a.end}").replace(tzinfo=SHANGHAI)
            assert str(event["status"]) == "CONFIRMED" and sequence(event) == 0
            location = str(event["location"])
            assert a.city in location and a.room in location
            assert instance.venue_by_id[a.venue].name in location
            for other in attendees(instance, schedule.cancelled, a):
                if other != person.id:
                    who = instance.participant_by_id[other]
                    assert who.name in str(event["description"]) and who.organisation in str(event["description"])

    book = load_workbook(out / "meetings.xlsx")
    sheet = book["Meetings"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Meeting", "Date", "Start")
    assert sorted(row[0] for row in rows[1:]) == sorted(a.meeting for a in schedule.assignments)
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    assert {"Beijing 2025-11-13", "Hangzhou 2025-11-15", "Unscheduled", "Changes"} <= set(book.sheetnames)
    grid = list(book["Beijing 2025-11-13"].iter_rows(values_only=True))
    cells = [cell for row in grid[1:] for cell in row[1:] if cell and cell != "〃"]
    assert len(cells) == sum(1 for a in schedule.assignments if a.date == "2025-11-13")
    unscheduled = list(book["Unscheduled"].iter_rows(values_only=True))
    assert [row[0] for row in unscheduled[1:]] == [u.meeting for u in schedule.unscheduled]
    with (out / "meetings.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle)) == [[_as_text(c) for c in row] for row in rows]

    everyone = (out / "agendas" / "all.html").read_text()
    for person in instance.participants:
        page = (out / "agendas" / f"{person.id}.html").read_text()
        assert person.name in page and person.name in everyone
        for a in schedule.assignments:
            if person.id in attendees(instance, schedule.cancelled, a):
                assert f"{a.start}–{a.end}" in page and a.room in page
    assert everyone.count('class="person"') == len(instance.participants)
    index = (out / "index.html").read_text()
    assert all(a.meeting in index for a in schedule.assignments)


def test_a_re_solve_export_cancels_and_updates_the_right_events(imported: tuple[Path, Path], tmp_path: Path) -> None:
    instance_path, first_path = imported
    instance, first = checked(instance_path, first_path)
    out = tmp_path / "export"
    run("export", str(instance_path), str(first_path), "--to", str(out))
    stamps = {p.id: (out / "agendas" / f"{p.id}.html").stat().st_mtime_ns for p in instance.participants}
    before = {
        p.id: events_of(out / "ics" / f"{p.id}.ics")
        for p in instance.participants
        if (out / "ics" / f"{p.id}.ics").exists()
    }

    # Wang Wei cancels, and the room of a meeting he is not in closes: it moves or drops.
    wang = "cn-most-01"
    closing = next(a for a in first.assignments if wang not in attendees(instance, [], a) and a.room.startswith("BJ"))
    second_path = tmp_path / "second.schedule.json"
    run(
        "resolve", str(instance_path), "--previous", str(first_path), "--cancel", f"participant:{wang}",
        "--cancel", f"room:{closing.room}", "--out", str(second_path), "--time-limit", "20", "--workers", "2",
    )  # fmt: skip
    _, second = checked(instance_path, second_path)
    output = run("export", str(instance_path), str(second_path), "--to", str(out), "--changed-only")

    name = instance.event.name
    now = second.assignment_by_meeting
    changed = {c.meeting: c for c in second.changes}
    assert changed, "the cancellations must change something"
    untouched_people = (
        {p.id for p in instance.participants} - {pid for c in second.changes for pid in c.notify} - {wang}
    )
    for pid, old_events in before.items():
        new_events = events_of(out / "ics" / f"{pid}.ics")
        assert set(old_events) <= set(new_events)  # stable UIDs: the same events, updated in place
        for meeting_id in {a.meeting for a in first.assignments}:
            key = uid(name, meeting_id)
            if key not in old_events:
                continue
            event = new_events[key]
            if meeting_id in now and pid in attendees(instance, second.cancelled, now[meeting_id]):
                assert str(event["status"]) == "CONFIRMED"
                moved = now[meeting_id].place_key() != first.assignment_by_meeting[meeting_id].place_key()
                assert sequence(event) == (1 if meeting_id in changed else 0)
                assert event.decoded("dtstart") == dt.datetime.fromisoformat(
                    f"{now[meeting_id].date}T{now[meeting_id].start}"
                ).replace(tzinfo=SHANGHAI)
                if moved:
                    assert now[meeting_id].room in str(event["location"])
            else:  # cancelled, dropped, or this person no longer attends
                assert str(event["status"]) == "CANCELLED" and sequence(event) == 1
    wang_events = events_of(out / "ics" / f"{wang}.ics")
    assert wang_events and all(str(e["status"]) == "CANCELLED" for e in wang_events.values())
    assert any(c.change == "moved" and c.meeting == closing.meeting for c in second.changes)
    # --changed-only: agendas of people nobody had to notify were left alone.
    assert untouched_people
    for pid in untouched_people:
        assert (out / "agendas" / f"{pid}.html").stat().st_mtime_ns == stamps[pid]
    for pid in {pid for c in second.changes for pid in c.notify}:
        assert (out / "agendas" / f"{pid}.html").stat().st_mtime_ns != stamps[pid]
    assert "Unchanged (kept)" in output
    assert (out / STATE_FILE).exists()


def test_a_fresh_directory_learns_cancellations_from_the_change_list(
    imported: tuple[Path, Path], tmp_path: Path
) -> None:
    instance_path, first_path = imported
    instance, _ = checked(instance_path, first_path)
    second_path, second = without_wang_wei(instance_path, first_path)
    out = tmp_path / "fresh"
    run("export", str(instance_path), str(second_path), "--to", str(out))
    cancelled = [c for c in second.changes if c.change == "cancelled"]
    assert cancelled
    for change in cancelled:
        for pid in change.notify:
            event = events_of(out / "ics" / f"{pid}.ics")[uid(instance.event.name, change.meeting)]
            assert str(event["status"]) == "CANCELLED" and sequence(event) == 1


def test_participant_ids_become_safe_distinct_file_names() -> None:
    assert file_stem("it-enea-01") == "it-enea-01"
    assert file_stem("王伟") == "王伟"
    unsafe = [file_stem(x) for x in ("../etc/passwd", "a/b", "a_b", ".hidden")]
    assert all("/" not in name and not name.startswith(".") for name in unsafe)
    assert len(set(unsafe)) == len(unsafe)


def _tree(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_a_renamed_event_exports_into_its_own_directory_another_event_does_not(
    imported: tuple[Path, Path], tmp_path: Path
) -> None:
    instance_path, first_path = imported
    checked(instance_path, first_path)
    out = tmp_path / "export"
    run("export", str(instance_path), str(first_path), "--to", str(out))
    text = instance_path.read_text(encoding="utf-8")
    instance_path.write_text(text.replace("import sample", "import sample (renamed)", 1), encoding="utf-8")
    second_path = tmp_path / "second.schedule.json"
    run(
        "resolve", str(instance_path), "--previous", str(first_path), "--out", str(second_path),
        "--time-limit", "20", "--workers", "2",
    )  # fmt: skip
    instance, _ = checked(instance_path, second_path)
    assert instance.event.name.endswith("(renamed)")
    output = run("export", str(instance_path), str(second_path), "--to", str(out), "--changed-only")
    assert "Exported" in output

    sample = tmp_path / "sample.yaml"
    sample.write_bytes((DATA.parent.parent / "instances" / "sample.yaml").read_bytes())
    run("solve", str(sample), "--time-limit", "20", "--workers", "2")
    sample_schedule = tmp_path / "sample.schedule.json"
    checked(sample, sample_schedule)
    before = _tree(out)
    result = runner.invoke(app, ["export", str(sample), str(sample_schedule), "--to", str(out)])
    assert result.exit_code == 2 and "choose another --to" in " ".join(result.output.split())
    assert _tree(out) == before


def test_an_older_schedule_is_not_exported_over_a_newer_ones_export(
    imported: tuple[Path, Path], tmp_path: Path
) -> None:
    instance_path, first_path = imported
    _, first = checked(instance_path, first_path)
    second_path, second = without_wang_wei(instance_path, first_path)
    assert second.created >= first.created  # the same second, often: the version chain decides
    out = tmp_path / "export"
    run("export", str(instance_path), str(second_path), "--to", str(out))
    before = _tree(out)
    result = runner.invoke(app, ["export", str(instance_path), str(first_path), "--to", str(out)])
    flat = " ".join(result.output.split())
    assert result.exit_code == 2, result.output
    assert "holds the export of a newer schedule (created" in flat and "(Asia/Shanghai)" in flat
    assert "use another --to" in flat and "Traceback" not in flat
    assert _tree(out) == before  # nothing written: cancelled meetings stay cancelled


def test_agendas_say_as_of_when_and_which_schedule_and_keep_it_while_unchanged(
    imported: tuple[Path, Path], tmp_path: Path
) -> None:
    from scheduler.solution import local_moment

    instance_path, first_path = imported
    instance, first = checked(instance_path, first_path)
    out = tmp_path / "export"
    run("export", str(instance_path), str(first_path), "--to", str(out))
    first_as_of = f"as of {local_moment(first.created, 'Asia/Shanghai')} · {first_path.name}"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f"schedule made {local_moment(first.created, 'Asia/Shanghai')}" in index
    assert "(Asia/Shanghai)" in index and first.created not in index
    for p in instance.participants:
        page = (out / "agendas" / f"{file_stem(p.id)}.html").read_text(encoding="utf-8")
        assert first_as_of in page and "<th>Table / room</th>" in page

    second_path, second = without_wang_wei(instance_path, first_path)
    run("export", str(instance_path), str(second_path), "--to", str(out), "--changed-only")
    told = {pid for c in second.changes for pid in c.notify} | {"cn-most-01"}  # whose agenda changed
    assert told != {p.id for p in instance.participants}
    second_as_of = f"as of {local_moment(second.created, 'Asia/Shanghai')} · {second_path.name}"
    for p in instance.participants:
        page = (out / "agendas" / f"{file_stem(p.id)}.html").read_text(encoding="utf-8")
        assert (second_as_of if p.id in told else first_as_of) in page, p.id
    everyone = (out / "agendas" / "all.html").read_text(encoding="utf-8")
    assert first_as_of in everyone and second_as_of in everyone


def test_workbook_dates_and_times_are_real_cells_with_formats(imported: tuple[Path, Path], tmp_path: Path) -> None:
    instance_path, schedule_path = imported
    _, schedule = checked(instance_path, schedule_path)
    out = tmp_path / "export"
    run("export", str(instance_path), str(schedule_path), "--to", str(out))
    sheet = load_workbook(out / "meetings.xlsx")["Meetings"]
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(schedule.assignments)
    placed = schedule.assignment_by_meeting
    for row in rows:
        meeting, date, start, end = row[:4]
        assert date.is_date and date.number_format == "yyyy-mm-dd"
        assert start.is_date and start.number_format == "hh:mm" and end.number_format == "hh:mm"
        assert isinstance(start.value, dt.time) and isinstance(end.value, dt.time)
        a = placed[str(meeting.value)]
        assert date.value.date() == dt.date.fromisoformat(a.date)
        assert (start.value.strftime("%H:%M"), end.value.strftime("%H:%M")) == (a.start, a.end)
    by_time = sorted(rows, key=lambda r: (r[1].value, r[2].value))  # sorting the cells sorts by time
    keys = [(r[1].value.date().isoformat(), r[2].value.strftime("%H:%M")) for r in by_time]
    assert keys == sorted((a.date, a.start) for a in schedule.assignments)


def tiny_event(tmp_path: Path, timezone: str, date: str, session: tuple[str, str], ids: tuple[str, str]) -> Path:
    """Two people, one meeting, one session: solved and checked; returns the instance path."""
    a, b = ids
    text = f"""event: {{name: Tiny, timezone: {timezone}, slot_minutes: 30}}
venues:
  - id: v
    city: Somewhere
    days: [{{date: {date}, sessions: [{{start: "{session[0]}", end: "{session[1]}"}}]}}]
    rooms: [{{id: T, count: 1, capacity: 2}}]
participants: [{{id: "{a}", name: Anna}}, {{id: "{b}", name: Bo}}]
meetings: [{{id: m1, participants: ["{a}", "{b}"], topic: talk}}]
"""
    path = tmp_path / "tiny.yaml"
    path.write_text(text, encoding="utf-8")
    run("solve", str(path), "--time-limit", "5", "--workers", "1")
    checked(path, tmp_path / "tiny.schedule.json")
    return path


def test_a_late_evening_meeting_on_9999_12_31_west_of_greenwich_is_refused_cleanly(tmp_path: Path) -> None:
    instance = tiny_event(tmp_path, "Pacific/Honolulu", "9999-12-31", ("22:00", "24:00"), ("a", "b"))
    out = tmp_path / "out"
    result = runner.invoke(app, ["export", str(instance), str(tmp_path / "tiny.schedule.json"), "--to", str(out)])
    flat = " ".join(result.output.split())
    assert result.exit_code == 2, result.output
    assert "tiny.schedule.json: meeting m1 on 9999-12-31 22:00-22:30 (Pacific/Honolulu) is outside" in flat
    assert "Traceback" not in result.output and not out.exists()


def test_a_long_multibyte_participant_id_gets_a_short_distinct_stable_file_name(tmp_path: Path) -> None:
    long_ids = ("张" * 100, "张" * 99 + "李")  # 300 bytes each, the same first 100 bytes
    instance = tiny_event(tmp_path, "Asia/Shanghai", "2025-11-13", ("09:00", "10:00"), long_ids)
    out = tmp_path / "out"
    run("export", str(instance), str(tmp_path / "tiny.schedule.json"), "--to", str(out))
    stems = [file_stem(pid) for pid in long_ids]
    assert stems[0] != stems[1] and stems == [file_stem(pid) for pid in long_ids]
    for stem in stems:
        assert len(stem.encode()) <= 100 and (out / "ics" / f"{stem}.ics").exists()
        assert (out / "agendas" / f"{stem}.html").exists()


def test_an_export_failing_while_making_a_file_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scheduler.export import sheets

    def broken(*_: object) -> None:
        raise RuntimeError("made to fail")

    instance = tiny_event(tmp_path, "Asia/Shanghai", "2025-11-13", ("09:00", "10:00"), ("a", "b"))
    out = tmp_path / "out"
    monkeypatch.setattr(sheets, "workbook", broken)  # the last file made, after calendars and agendas
    result = runner.invoke(app, ["export", str(instance), str(tmp_path / "tiny.schedule.json"), "--to", str(out)])
    assert isinstance(result.exception, RuntimeError)
    assert not out.exists() or _tree(out) == {}


def test_control_characters_in_workbook_text_become_replacement_marks() -> None:
    import io

    from openpyxl import Workbook

    from scheduler.export.sheets import _sheet_title, cell_value

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _sheet_title("Bei\x01jing 2025-11-13")
    sheet.append([cell_value(text) for text in ("m\x00x", "B\x01", "t\x0c", "tab\tand\nnewline", 3)])
    book.save(io.BytesIO())  # openpyxl refuses the raw characters; the cleaned ones save
    assert [cell.value for cell in sheet[1]] == ["m\ufffdx", "B\ufffd", "t\ufffd", "tab\tand\nnewline", 3]
    assert sheet.title == "Bei\ufffdjing 2025-11-13"


def test_text_that_looks_like_a_formula_stays_text_in_the_workbook_and_the_csv() -> None:
    """A name or topic from a registration sheet such as '=HYPERLINK("http://evil","x")' was
    written as a formula cell, and as a bare formula in the CSV (the attacker found it)."""
    import io

    from openpyxl import Workbook, load_workbook

    from scheduler.export.sheets import _fill, meetings_csv

    rows: list[list[Any]] = [
        ["name", "topic", "priority"],
        ['=HYPERLINK("http://evil","x")', "+1+2", 3],
        ["@SUM(A1)", "-x", -1],
    ]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    _fill(sheet, rows)
    saved = io.BytesIO()
    book.save(saved)
    read = load_workbook(io.BytesIO(saved.getvalue())).active
    assert read is not None
    assert [[c.value for c in row] for row in read.iter_rows()] == rows
    assert all(c.data_type != "f" for row in read.iter_rows() for c in row)
    text = meetings_csv(rows).decode("utf-8-sig")
    assert text.splitlines()[1:] == ['"\'=HYPERLINK(""http://evil"",""x"")",\'+1+2,3', "'@SUM(A1),'-x,-1"]


def test_calendars_and_agendas_show_the_programme_items_a_person_attends(tmp_path: Path) -> None:
    path = tmp_path / "week.yaml"
    path.write_text(
        """event: {name: Week, timezone: Asia/Shanghai, slot_minutes: 30}
venues:
  - id: v
    city: Beijing
    days: [{date: 2025-11-13, sessions: [{start: "09:00", end: "12:00"}]}]
    rooms: [{id: T, count: 1, capacity: 2}]
participants: [{id: a, name: Anna}, {id: b, name: Bo}, {id: c, name: Chiara}]
meetings: [{id: m1, participants: [a, b]}]
programme:
  - {id: opening, title: Opening plenary, kind: plenary, city: Beijing, venue: Auditorium,
     date: 2025-11-13, start: "09:00", end: "10:00", attendees: [a, c]}
""",
        encoding="utf-8",
    )
    run("solve", str(path), "--time-limit", "5", "--workers", "1")
    _, schedule = checked(path, tmp_path / "week.schedule.json")
    assert schedule.assignments[0].start >= "10:00"  # Anna is at the opening until then
    out = tmp_path / "out"
    run("export", str(path), str(tmp_path / "week.schedule.json"), "--to", str(out))
    anna = events_of(out / "ics" / f"{file_stem('a')}.ics")
    opening = anna[uid("Week", "programme.opening")]
    assert str(opening["summary"]) == "Plenary: Opening plenary"
    assert opening.decoded("dtstart") == dt.datetime(2025, 11, 13, 9, 0, tzinfo=SHANGHAI)
    assert uid("Week", "programme.opening") not in events_of(out / "ics" / f"{file_stem('b')}.ics")
    agenda = (out / "agendas" / f"{file_stem('a')}.html").read_text(encoding="utf-8")
    assert "Plenary: Opening plenary" in agenda and "Auditorium" in agenda
    # Chiara has no meeting, only the opening: she still gets a calendar holding it.
    chiara = events_of(out / "ics" / f"{file_stem('c')}.ics")
    assert list(chiara) == [uid("Week", "programme.opening")]
    assert chiara[uid("Week", "programme.opening")].decoded("dtstart") == opening.decoded("dtstart")


def test_interpreters_get_their_agenda_and_calendar_and_are_named_in_each_meeting(tmp_path: Path) -> None:
    from test_cli import INTERPRETERS, run

    instance = tmp_path / "capped.yaml"
    instance.write_bytes((INTERPRETERS / "capped.yaml").read_bytes())
    schedule_path = tmp_path / "s.json"
    assert run("solve", str(instance), "-o", str(schedule_path), "-t", "5")[0] == 0
    interpreted = [a for a in json.loads(schedule_path.read_text())["assignments"] if a["interpreter"]]
    assert interpreted
    code, output = run("export", str(instance), str(schedule_path), "--to", str(tmp_path / "out"))
    assert code == 0, output
    for iid in {a["interpreter"] for a in interpreted}:
        calendar = (tmp_path / "out" / "ics" / f"{iid}.ics").read_text()
        mine = [a["meeting"] for a in interpreted if a["interpreter"] == iid]
        assert calendar.count("BEGIN:VEVENT") == len(mine)
        assert (tmp_path / "out" / "agendas" / f"{iid}.html").exists()
    rows = {
        row["Meeting"]: row for row in csv.DictReader((tmp_path / "out" / "meetings.csv").open(encoding="utf-8-sig"))
    }
    assert all("interpreter" in rows[a["meeting"]]["Organisations"] for a in interpreted)


WEEK = DATA / "week" / "plenary-travel.yaml"
"""The organiser's mini Week: an opening plenary for all (09:30-10:30 on the 13th) and a seminar
whose title starts with its kind ('Seminar: hydrogen', 14:00-14:30, Elisa Neri)."""


def test_csv_and_workbook_show_programme_items_marked_as_programme_in_time_order(tmp_path: Path) -> None:
    path = tmp_path / "week.yaml"
    path.write_bytes(WEEK.read_bytes())
    run("solve", str(path), "--time-limit", "10", "--workers", "2")
    instance, schedule = checked(path, tmp_path / "week.schedule.json")
    out = tmp_path / "out"
    run("export", str(path), str(tmp_path / "week.schedule.json"), "--to", str(out))
    rows = list(csv.DictReader((out / "meetings.csv").open(encoding="utf-8-sig")))
    assert [(r["Date"], r["Start"]) for r in rows] == sorted((r["Date"], r["Start"]) for r in rows)
    programme = {r["Meeting"]: r for r in rows if r["Entry"] == "programme"}
    assert set(programme) == {"opening", "sem-h2"}
    assert programme["opening"]["Topic"] == "plenary: Opening plenary" and programme["opening"]["Room"] == ""
    assert programme["sem-h2"]["Topic"] == "Seminar: hydrogen"  # not 'seminar: Seminar: hydrogen'
    assert programme["sem-h2"]["Participants"] == "Elisa Neri"
    assert {r["Meeting"] for r in rows if r["Entry"] == "meeting"} == {a.meeting for a in schedule.assignments}
    book = load_workbook(out / "meetings.xlsx")
    assert [c.value for c in book["Meetings"][1]][-1] == "Entry"
    grid = [[c.value for c in row] for row in book["Beijing 2025-11-13"].iter_rows()]
    times = grid[0]
    band = next(row for row in grid if row[0] == "Programme: opening")
    assert band[times.index("09:30")] == "plenary: Opening plenary (09:30-10:30, 6 attending)"
    assert band[times.index("10:00")] == "〃" and band[times.index("10:30")] is None
    assert grid.index(band) < next(k for k, row in enumerate(grid) if row[0] == "BJ-R1")  # above the rooms
    assert len(instance.programme_attendees["opening"]) == 6


def test_a_removed_interpreters_agenda_is_rewritten_to_say_so_and_lists_none_of_their_meetings(tmp_path: Path) -> None:
    from test_cli import INTERPRETERS

    source = (INTERPRETERS / "capped.yaml").read_text(encoding="utf-8")
    first_instance = tmp_path / "capped.yaml"
    first_instance.write_text(source, encoding="utf-8")
    run("solve", str(first_instance), "-o", str(tmp_path / "first.json"), "-t", "5", "--workers", "1")
    _, first = checked(first_instance, tmp_path / "first.json")
    interpreted = [a for a in first.assignments if a.interpreter]
    assert interpreted
    gone = interpreted[0].interpreter
    assert gone is not None
    out = tmp_path / "out"
    run("export", str(first_instance), str(tmp_path / "first.json"), "--to", str(out))
    agenda_path = out / "agendas" / f"{file_stem(gone)}.html"
    assert "Table / room" in agenda_path.read_text(encoding="utf-8")  # their meetings, in a table

    raw = yaml.safe_load(source)
    raw["interpreters"] = [i for i in raw["interpreters"] if i["id"] != gone]
    second_instance = tmp_path / "without.yaml"
    second_instance.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    run(
        "resolve", str(second_instance), "--previous", str(tmp_path / "first.json"),
        "--out", str(tmp_path / "second.json"), "--time-limit", "5", "--workers", "1",
    )  # fmt: skip
    _, second = checked(second_instance, tmp_path / "second.json")
    assert all(a.interpreter != gone for a in second.assignments)
    for changed_only in (("--changed-only",), ()):
        run("export", str(second_instance), str(tmp_path / "second.json"), "--to", str(out), *changed_only)
        agenda = agenda_path.read_text(encoding="utf-8")
        assert "is no longer among the interpreters" in agenda
        assert "No meetings or programme items remain for you" in agenda
        assert "Table / room" not in agenda  # none of the meetings they interpreted
        calendar = events_of(out / "ics" / f"{file_stem(gone)}.ics")
        assert {str(e["status"]) for e in calendar.values()} == {"CANCELLED"}


def test_the_workbook_lists_cancelled_requests_with_their_people_and_who_and_what_was_cancelled() -> None:
    """b cancelled from 09:30 leaves ab with one person (cancelled with them); room T-1 closed from
    the start. The Unscheduled sheet gives ab by its own id with its people; a sheet of its own
    lists every cancellation (b, ab and the room), each from when."""
    from conftest import hand_made, make_instance, meeting

    from scheduler.export.sheets import cancelled_rows, unscheduled_rows
    from scheduler.solution import Cancellation, Unscheduled
    from scheduler.verify import verify

    instance = make_instance(meetings=[meeting("ab", "a", "b", topic="Energy"), meeting("cd", "c", "d")])
    schedule = hand_made(
        instance,
        unscheduled=[Unscheduled(meeting="cd", reason="no room large enough", detail="No room is open.")],
        cancelled=[
            Cancellation(kind="participant", id="b", from_="2025-11-13T09:30"),
            Cancellation(kind="meeting", id="ab", from_="2025-11-13T09:30"),
            Cancellation(kind="room", id="T-1"),
        ],
        frozen_until="2025-11-13T09:30",
    )
    assert verify(instance, schedule) == []
    assert unscheduled_rows(instance, schedule)[1:] == [
        ["cd", "C; D", 1, "", "no room large enough", "No room is open."],
        ["ab", "A; B", 1, "Energy", "cancelled from 2025-11-13 09:30", "B can no longer attend"],
    ]
    assert cancelled_rows(instance, schedule) == [
        ["Cancelled", "Id", "Name", "From"],
        ["participant", "b", "B", "2025-11-13 09:30"],
        ["meeting", "ab", "request with A; B", "2025-11-13 09:30"],
        ["room", "T-1", "T-1 (bj)", "the start"],
    ]


def test_programme_items_after_someone_is_cancelled_are_struck_from_their_calendar_and_agenda() -> None:
    """a attends a 09:30 seminar; cancelled from 09:00, their calendar marks it CANCELLED (a
    calendar that had it is told) and their agenda leaves it out; cancelled from 10:00, it stands."""
    from conftest import energy_seminar, make_instance

    from scheduler.export import html, ics
    from scheduler.export.views import person, programme_of
    from scheduler.solution import Cancellation

    seminar = energy_seminar("09:30", "10:00")
    instance = make_instance(programme=[seminar])
    for moment, struck in (("2025-11-13T09:00", True), ("2025-11-13T10:00", False), (None, True)):
        cancelled = [Cancellation(kind="participant", id="a", from_=moment)]
        (view,) = programme_of(instance, "a", cancelled)
        assert view.cancelled is struck
        calendar = icalendar.Calendar.from_ical(ics.calendar("Week", person(instance, "a"), [], (view,)))
        (event,) = calendar.walk("VEVENT")
        assert str(event["status"]) == ("CANCELLED" if struck else "CONFIRMED")
        assert sequence(event) == (1 if struck else 0)
        agenda = html.agenda_of(instance, person(instance, "a"), [], cancelled)
        page = html.agendas_page(instance, [agenda], "a")
        assert ("Energy" in page) is not struck
    assert not programme_of(instance, "a")[0].cancelled
