"""Bad input is named precisely and never crashes; writes are atomic and keep versions."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import DATA, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from scheduler import store
from scheduler.cli import app
from scheduler.errors import InputError
from scheduler.store import load_instance, write_schedule

INVALID = DATA / "invalid"

# file -> what the message must say (line and place where the parser knows them)
EXPECTED = {
    "absurd-capacity.yaml": ":13: venues[0].rooms[0].capacity: Input should be less than or equal to 10000",
    "absurd-priority.yaml": ":19: meetings[0].priority: Input should be less than or equal to 1000000",
    "absurd-slots.yaml": ":19: meetings[0].slots: Input should be less than or equal to 96",
    "alias-bomb.yaml": ": document expands to more than 5,000,000 nodes (alias bomb?)",
    "availability-city-without-venue.yaml": ":15: participants[0].available[0].city: no venue is in city 'Shanghai'",
    "availability-start-without-end.yaml": ":15: participants[0].available[0]: give both start and end",
    "bad-country.yaml": ":15: participants[0].country: 'Italy' is not an ISO 3166 alpha-2 country code",
    "bad-time-format.yaml": ":11: venues[0].days[0].sessions[0].start: '9h00' is not a time of day as 'HH:MM'",
    "binary.yaml": ": binary file (contains NUL bytes), not text",
    "duplicate-meeting-id.yaml": ":20: meetings[1].id: duplicate meeting id 'm1' (first at meetings[0].id)",
    "duplicate-participant-id.yaml": ":17: participants[2].id: duplicate participant id 'b'",
    "duplicate-room-after-count.yaml": ":14: venues[0].rooms[1].id: duplicate room id 'T-1'",
    "duplicate-venue-day.yaml": ":12: venues[0].days[1].date: date 2025-11-13 appears more than once",
    "duplicate-venue-id.yaml": ":14: venues[1].id: duplicate venue id 'bj'",
    "empty-id.yaml": ":17: participants[2].id: String should have at least 1 character",
    "empty.yaml": ": the file is empty",
    "hour-25.yaml": ":11: venues[0].days[0].sessions[0].end: '25:00' is not a time of day",
    "impossible-date.yaml": ":9: venues[0].days[0].date: Input should be a valid date",
    "meeting-city-without-venue.yaml": ":20: meetings[1].city: no venue is in city 'Hangzhou'",
    "missing-event.yaml": ":1: event: missing required field 'event'",
    "missing-venues.yaml": ":1: venues: missing required field 'venues'",
    "negative-count.yaml": ":13: venues[0].rooms[0].count: Input should be greater than or equal to 1",
    "negative-max-meetings.yaml": ":15: participants[0].max_meetings: Input should be greater than or equal to 0",
    "not-utf8.yaml": ": not UTF-8 text",
    "only-comments.yaml": ": the file is empty",
    "overlapping-sessions.yaml": ":12: venues[0].days[0].sessions[1]: overlaps another session",
    "participant-twice-in-meeting.yaml": ":20: meetings[1].participants[2]: participant 'b' is listed twice",
    "python-object-tag.yaml": ":2: unsupported YAML tag",
    "session-ends-before-start.yaml": ":11: venues[0].days[0].sessions[0]: ends (09:00) before it starts (10:00)",
    "session-off-grid.yaml": ":11: venues[0].days[0].sessions[0].start: 09:10 is not on the 30-minute grid",
    "several-problems.yaml": ":20: meetings[1].participants[1]: unknown participant 'zz'",
    "single-participant-meeting.yaml": ":20: meetings[1].participants: List should have at least 2 items",
    "slot-minutes-not-dividing-day.yaml": ":4: event.slot_minutes: slot_minutes 7 does not divide a day",
    "syntax-error.yaml": ":20: YAML syntax error",
    "top-level-list.yaml": ": expected a mapping with event, venues, participants, meetings; got list",
    "unknown-field-priorty.yaml": ":19: meetings[0].priorty: unknown field 'priorty' (check the spelling)",
    "unknown-participant.yaml": ":20: meetings[1].participants[1]: unknown participant 'p-99'",
    "unknown-timezone.yaml": ":3: event.timezone: unknown time zone 'Mars/Olympus_Mons'",
    "unknown-top-level-section.yaml": ":21: extras: unknown field 'extras'",
    "wrong-type-capacity.yaml": ":13: venues[0].rooms[0].capacity: Input should be a valid integer",
    "wrong-type-participants.yaml": ":20: meetings[1].participants: Input should be a valid list",
    "zero-capacity.yaml": ":13: venues[0].rooms[0].capacity: Input should be greater than or equal to 1",
    "zero-priority.yaml": ":19: meetings[0].priority: Input should be greater than or equal to 1",
    "zero-slot-minutes.yaml": ":4: event.slot_minutes: Input should be greater than or equal to 1",
}

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_every_broken_file_has_an_expectation() -> None:
    assert sorted(p.name for p in INVALID.iterdir()) == sorted(EXPECTED)
    assert len(EXPECTED) >= 30


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_instance_is_rejected_with_file_line_and_place(name: str, tmp_path: Path) -> None:
    path = INVALID / name
    out = tmp_path / "out.json"
    code, output = invoke("solve", str(path), "--out", str(out), "--time-limit", "5")
    assert code == 2
    assert f"{path}{EXPECTED[name]}" in output
    assert not out.exists()


def test_several_problems_are_all_listed() -> None:
    code, output = invoke("solve", str(INVALID / "several-problems.yaml"))
    assert code == 2
    assert "participants[2].id: duplicate participant id 'b'" in output
    assert "meetings[1].participants[1]: unknown participant 'zz'" in output


def test_missing_path_and_directory_are_named(tmp_path: Path) -> None:
    code, output = invoke("solve", str(tmp_path / "nope.yaml"))
    assert code == 2 and "nope.yaml: instance file does not exist" in output
    code, output = invoke("solve", str(tmp_path))
    assert code == 2 and "is a directory, not an instance file" in output


def test_huge_files_are_refused_quickly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.yaml"
    path.write_text("# " + "x" * 2000)
    with pytest.raises(InputError, match="the limit is 1,000"):
        load_instance(path)


def test_unquoted_times_read_as_times_not_base_60() -> None:
    text = (DATA / "valid-base.yaml").read_text().replace('"09:00"', "09:00").replace('"10:00"', "10:00")
    instance = store.Instance.model_validate(yaml.load(text, Loader=store._Loader))
    assert instance.venues[0].days[0].sessions[0].start == "09:00"


def test_malformed_or_foreign_schedules_are_refused(sample_copy: Path, tmp_path: Path) -> None:
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{"format": "schedule/1", "status": ')
    code, output = invoke("check", str(sample_copy), str(bad_json))
    assert code == 2 and f"{bad_json}:1: not valid JSON" in output
    wrong_shape = tmp_path / "shape.json"
    wrong_shape.write_text(json.dumps({"format": "schedule/1", "status": "GREAT"}))
    code, output = invoke("timetable", str(sample_copy), str(wrong_shape))
    assert code == 2 and "status" in output


def test_a_write_interrupted_before_the_rename_leaves_the_previous_file_intact(
    sample_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _ = invoke("solve", str(sample_copy), "-t", "20", "-w", "2")
    assert code == 0
    target = sample_copy.with_name("sample.schedule.json")
    before = target.read_bytes()
    schedule = store.load_schedule(target)

    def crash(*_: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        write_schedule(target, schedule.model_copy(update={"objective": 0}))
    monkeypatch.undo()
    assert target.read_bytes() == before
    leftovers = [p.name for p in target.parent.iterdir() if p.name.endswith(".tmp") or ".v" in p.name]
    assert leftovers == []


def test_written_files_are_readable_by_others(tmp_path: Path) -> None:
    target = tmp_path / "s.json"
    store.write_text_atomically(target, "{}")
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


def _mutate(data: Any, draw: st.DrawFn, depth: int = 0) -> Any:
    """One random edit somewhere in the document: drop, retype or duplicate a value."""
    junk = st.one_of(
        st.none(),
        st.integers(-(10**6), 10**12),
        st.text(max_size=8),
        st.booleans(),
        st.floats(allow_nan=True),
        st.lists(st.integers(), max_size=3),
        st.just("25:61"),
        st.just("2025-02-30"),
        st.just("p-99"),
    )
    if isinstance(data, dict) and data and depth < 6:
        key = draw(st.sampled_from(sorted(data)))
        action = draw(st.sampled_from(["recurse", "drop", "junk", "rename"]))
        out = dict(data)
        if action == "recurse":
            out[key] = _mutate(data[key], draw, depth + 1)
        elif action == "drop":
            del out[key]
        elif action == "junk":
            out[key] = draw(junk)
        else:
            out[key + "x"] = out.pop(key)
        return out
    if isinstance(data, list) and data and depth < 6:
        i = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["recurse", "drop", "duplicate", "junk"]))
        out_list = list(data)
        if action == "recurse":
            out_list[i] = _mutate(data[i], draw, depth + 1)
        elif action == "drop":
            del out_list[i]
        elif action == "duplicate":
            out_list.append(data[i])
        else:
            out_list[i] = draw(junk)
        return out_list
    return draw(junk)


@st.composite
def mutated_instances(draw: st.DrawFn) -> str:
    data = yaml.safe_load((ROOT / "instances" / "sample.yaml").read_text())
    for _ in range(draw(st.integers(1, 3))):
        data = _mutate(data, draw)
    return yaml.safe_dump(data, allow_unicode=True)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(text=mutated_instances())
def test_mutated_instances_never_crash(text: str, tmp_path: Path) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    code, _ = invoke("solve", str(path), "--out", str(tmp_path / "fuzz.json"), "-t", "5", "-w", "1")
    assert code in (0, 2)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_bytes_never_crash(data: st.DataObject, tmp_path: Path) -> None:
    raw = bytearray((ROOT / "instances" / "sample.yaml").read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    path = tmp_path / "bytes.yaml"
    path.write_bytes(bytes(raw))
    code, _ = invoke("solve", str(path), "--out", str(tmp_path / "bytes.json"), "-t", "5", "-w", "1")
    assert code in (0, 2)


def test_ctrl_c_during_a_long_solve_keeps_the_best_schedule(tmp_path: Path) -> None:
    """SIGINT mid-search: the best schedule so far is written, valid, and exit status is 0.

    The signal goes as soon as the live progress line shows a first schedule ("best N"), read
    from stderr as it comes (the console is told it may draw live: TTY_COMPATIBLE=1).
    """
    instance = tmp_path / "big.yaml"
    assert invoke("generate", "-n", "1000", "-m", "5000", "--seed", "1", "-o", str(instance))[0] == 0
    out = tmp_path / "big.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "scheduler", "solve", str(instance), "--out", str(out), "-t", "120", "-w", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, "TTY_COMPATIBLE": "1", "TERM": "xterm", "COLUMNS": "120"},
    )
    assert process.stderr is not None
    seen = bytearray()
    first_schedule = threading.Event()

    def read_stderr() -> None:
        assert process.stderr is not None
        while chunk := process.stderr.read1(4096):  # type: ignore[attr-defined]
            seen.extend(chunk)
            if re.search(rb"best \d+", seen):
                first_schedule.set()

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    shown = first_schedule.wait(timeout=90)
    process.send_signal(signal.SIGINT)
    process.wait(timeout=60)
    reader.join(timeout=10)
    assert shown, f"no progress line with a schedule within 90 s: {bytes(seen[-500:])!r}"
    assert process.returncode == 0, bytes(seen).decode(errors="replace")
    assert b"Traceback" not in seen
    assert out.exists()
    code, output = invoke("check", str(instance), str(out))
    assert code == 0, output
