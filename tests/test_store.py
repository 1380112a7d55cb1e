"""Bad input is named precisely and never crashes; writes are atomic and keep versions."""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import DATA, ROOT, make_instance, meeting, solve_and_verify
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from scheduler import parsing, store
from scheduler.cli import app
from scheduler.errors import InputError, Problem
from scheduler.solution import Cancellation, Unscheduled
from scheduler.store import load_instance, schedule_json, write_schedule
from scheduler.termination import Terminated

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
    "duplicate-section.yaml": ":21: meetings: key 'meetings' appears twice in one mapping (lines 18 and 21)",
    "duplicate-key-in-flow.yaml": ":19: meetings[0].priority: key 'priority' appears twice in one mapping (both on",
    "duplicate-key-nested.yaml": ":4: event.name: key 'name' appears twice in one mapping (lines 2 and 4)",
    "deep-nesting.yaml": ":21: lists and mappings are nested more than 100 deep",
    "slots-true.yaml": ":20: meetings[1].slots: Input should be a valid integer",
    "slots-string.yaml": ":20: meetings[1].slots: Input should be a valid integer",
    "slots-float.yaml": ":20: meetings[1].slots: '2.0' is not a whole number written in decimal: digits only, no point",
    "capacity-string.yaml": ":13: venues[0].rooms[0].capacity: Input should be a valid integer",
    "missing-meetings.yaml": ":1: meetings: missing required field 'meetings'",
    "missing-participants.yaml": ":1: participants: missing required field 'participants'",
    "date-as-number.yaml": ":9: venues[0].days[0].date: '20251113' is not a date as YYYY-MM-DD",
    "schedule-given-as-instance.json": ": this is a schedule file, not an instance",
    "whole-year-every-minute.yaml": ": the model would have up to 21,081,600 meeting options",
    "unknown-interpreter.yaml": ":20: meetings[1].interpreter: unknown interpreter 'x9'",
    "programme-ends-before-start.yaml": ":22: programme[0]: ends (09:30) before it starts (10:00)",
    "programme-unknown-attendee.yaml": ":28: programme[0].attendees[1]: unknown participant 'zz'",
    "travel-unknown-city.yaml": ":22: travel[0].to: no venue is in city 'Hangzou'",
    "travel-rule-twice.yaml": ":32: travel[2]: a second rule from Beijing to Hangzhou (first at travel[0]): keep one",
    "travel-from-underscore.yaml": ":30: travel[0].from_: unknown field 'from_' (check the spelling)",
    "programme-attendees-empty.yaml": ":28: programme[0].attendees: lists nobody: give participant ids, `all`, or a",
    "languages-twice.yaml": ":16: participants[1].languages: 'IT' is listed twice (as 'it' too; case does not matter)",
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
    instance = store.Instance.model_validate(yaml.load(text, Loader=parsing._Loader))
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


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    return value


def _mutate(data: Any, draw: Callable[[st.SearchStrategy[Any]], Any], depth: int = 0) -> Any:
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
        st.just("9am"),
        st.just("9999999:00"),
        st.just(_nested(150)),
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


# ---- schedule files: validated as strictly as instances, by every command that reads one ----

SCHEDULES = DATA / "invalid-schedules"
SCHEDULE_EXPECTED = {
    "cancelled-from-garbage.json": ": cancelled[0].from: '2025-11-13 10am' is not a local date-time as YYYY-MM-DDT",
    "cancelled-from-underscore.json": ": cancelled[0].from_: unknown field 'from_' (check the spelling)",
    "created-garbage.json": ": created: 'yesterday' is not an ISO date-time",
    "date-garbage.json": ": assignments[0].date: 'garbage' is not a date as YYYY-MM-DD",
    "date-impossible.json": ": assignments[0].date: '2025-02-30' is not a real date",
    "deep-brackets.json": ":1: lists and mappings are nested more than 100 deep",
    "deep-in-extra-field.json": ":38: lists and mappings are nested more than 100 deep",
    "duplicate-key.json": ":8: key 'objective' appears twice in one object (lines 7 and 8)",
    "end-huge.json": ": assignments[0].end: '9999999:00' is not a time of day as 'HH:MM'",
    "ends-before-start.json": ": assignments[0]: ends (10:30) before it starts (11:00)",
    "frozen-until-garbage.json": ": frozen_until: 'tomorrow' is not a local date-time",
    "long-id.json": ": assignments[0].room: String should have at most 200 characters",
    "objective-text.json": ": objective: Input should be a valid integer",
    "start-9am.json": ": assignments[1].start: '9am' is not a time of day as 'HH:MM'",
}


@pytest.fixture(scope="module")
def solved_sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """instances/sample.yaml and a schedule solved (and verified) for it, shared read-only."""
    folder = tmp_path_factory.mktemp("solved")
    instance = folder / "sample.yaml"
    instance.write_bytes((ROOT / "instances" / "sample.yaml").read_bytes())
    code, output = invoke("solve", str(instance), "-t", "20", "-w", "2")
    assert code == 0, output
    schedule = folder / "sample.schedule.json"
    assert invoke("check", str(instance), str(schedule))[0] == 0
    return instance, schedule


def schedule_commands(instance: Path, schedule: Path, good: Path, out: Path) -> list[list[str]]:
    """Every command that reads a schedule file, with `schedule` in each place it can stand."""
    return [
        ["check", str(instance), str(schedule)],
        ["timetable", str(instance), str(schedule), "--date", "2025-11-13"],
        ["resolve", str(instance), "--previous", str(schedule), "--out", str(out), "-t", "2", "-w", "1"],
        ["diff", str(schedule), str(good), "--instance", str(instance)],
        ["diff", str(good), str(schedule), "--instance", str(instance)],
    ]


def test_every_broken_schedule_has_an_expectation() -> None:
    assert sorted(p.name for p in SCHEDULES.iterdir()) == sorted(SCHEDULE_EXPECTED)


@pytest.mark.parametrize(
    "broken",
    [SCHEDULES / name for name in sorted(SCHEDULE_EXPECTED)]
    + [
        INVALID / name
        for name in ("deep-nesting.yaml", "duplicate-section.yaml", "slots-true.yaml", "missing-meetings.yaml")
    ],
    ids=lambda path: path.name,
)
def test_broken_file_is_refused_by_every_command_that_reads_a_schedule(
    broken: Path, solved_sample: tuple[Path, Path], tmp_path: Path
) -> None:
    """check, timetable, resolve --previous and diff, with the broken schedule (or instance,
    such as the 1,200-level YAML) in each place it can stand: exit 2, file and place named."""
    instance, good = solved_sample
    out = tmp_path / "resolved.json"
    if broken.parent == SCHEDULES:
        commands, message = schedule_commands(instance, broken, good, out), SCHEDULE_EXPECTED[broken.name]
    else:
        commands, message = schedule_commands(broken, good, good, out), EXPECTED[broken.name]
    for args in commands:
        code, output = invoke(*args)
        assert code == 2 and f"{broken}{message}" in output, (args, output)
        assert not out.exists()


def test_schedule_and_instance_swapped_are_named(solved_sample: tuple[Path, Path]) -> None:
    instance, schedule = solved_sample
    code, output = invoke("check", str(schedule), str(instance))
    assert code == 2
    assert (
        output.strip()
        == f"{schedule}: this is a schedule file, not an instance; give the instance (YAML) first, then the schedule"
    )
    code, output = invoke("timetable", str(instance), str(instance))
    assert code == 2 and f"{instance}: this is an instance file, not a schedule" in output


# ---- special files: only regular files are read, and only as much as the limit ----


@contextmanager
def _fails_instead_of_hanging(seconds: int = 20) -> Iterator[None]:
    def hung(*_: object) -> None:
        raise AssertionError(f"still reading after {seconds} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("kind", ["/dev/zero", "fifo", "link-to-fifo"])
def test_devices_and_fifos_are_refused_without_reading(
    kind: str, solved_sample: tuple[Path, Path], tmp_path: Path
) -> None:
    instance, schedule = solved_sample
    special = Path(kind)
    if kind != "/dev/zero":
        special = tmp_path / "pipe"
        os.mkfifo(special)
        if kind == "link-to-fifo":
            (tmp_path / "link.yaml").symlink_to(special)
            special = tmp_path / "link.yaml"
    with _fails_instead_of_hanging():
        code, output = invoke("check", str(special), str(schedule))
        assert code == 2 and f"{special}: is a" in output and "not an instance file" in output
        code, output = invoke("timetable", str(instance), str(special))
        assert code == 2 and "not a schedule file; only regular files are read" in output


def test_the_size_limit_applies_to_what_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """/proc files say they are empty (st_size 0) yet hold text: the limit still holds."""
    monkeypatch.setattr(store, "MAX_FILE_BYTES", 100)
    status = Path("/proc/self/status")
    if not status.exists():
        pytest.skip("no /proc here")
    assert status.stat().st_size == 0
    code, output = invoke("check", str(status), str(status))
    assert code == 2 and "file is over the limit of 100 bytes" in output


# ---- versions: never lost, never overwritten, names taken literally ----


def test_names_with_glob_characters_keep_every_schedule(tmp_path: Path) -> None:
    instance = tmp_path / "ev[1].yaml"
    instance.write_bytes((DATA / "valid-base.yaml").read_bytes())
    for _ in range(4):
        code, output = invoke("solve", str(instance), "-t", "10", "-w", "1")
        assert code == 0, output
    names = sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".json")
    assert names == [f"ev[1].schedule.{v}json" for v in ("", "v1.", "v2.", "v3.")]
    assert len({(tmp_path / n).stat().st_ino for n in names}) == 4
    for name in names:
        assert invoke("check", str(instance), str(tmp_path / name))[0] == 0
    target = tmp_path / "ev[1].json"
    for marker in range(4):
        store.write_text_atomically(target, f"{marker}\n")
    texts = sorted(
        p.read_text()
        for p in tmp_path.iterdir()
        if p.name.startswith("ev[1].") and p.suffix == ".json" and "schedule" not in p.name
    )
    assert texts == ["0\n", "1\n", "2\n", "3\n"]


def test_without_hard_links_the_copy_never_overwrites_a_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(*_: Any, **__: Any) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "s.json"
    (tmp_path / "s.v1.json").write_text("someone else's\n")
    store.write_text_atomically(target, "first\n")
    store.write_text_atomically(target, "second\n")
    store.write_text_atomically(target, "third\n")
    assert (tmp_path / "s.v1.json").read_text() == "someone else's\n"
    assert (tmp_path / "s.v2.json").read_text() == "first\n"
    assert (tmp_path / "s.v3.json").read_text() == "second\n"
    assert target.read_text() == "third\n"


def test_generate_keeps_an_earlier_yaml_with_its_own_extension(tmp_path: Path) -> None:
    out = tmp_path / "g.yaml"
    assert invoke("generate", "-n", "10", "-m", "5", "-o", str(out))[0] == 0
    first = out.read_bytes()
    code, output = invoke("generate", "-n", "10", "-m", "6", "-o", str(out))
    assert code == 0 and "Earlier file kept as" in output
    assert (tmp_path / "g.v1.yaml").read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.v1.yaml", "g.yaml"]


WRITER = """
import sys
from pathlib import Path
from scheduler.store import write_text_atomically
target, name, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
for k in range(count):
    write_text_atomically(target, f"{name}-{k}\\n")
"""


@pytest.mark.parametrize("round_", range(3))
def test_eight_concurrent_writers_keep_every_file_exactly_once(round_: int, tmp_path: Path) -> None:
    target = tmp_path / "out" / "s.json"
    writes = 10
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(target), f"w{n}", str(writes)], cwd=ROOT) for n in range(8)
    ]
    assert [w.wait(timeout=120) for w in writers] == [0] * 8
    texts = sorted(p.read_text() for p in target.parent.iterdir())
    assert texts == sorted(f"w{n}-{k}\n" for n in range(8) for k in range(writes))


def test_eight_concurrent_solves_to_one_out_keep_every_schedule(tmp_path: Path) -> None:
    base = (DATA / "valid-base.yaml").read_text()
    instances = []
    for n in range(8):
        instance = tmp_path / f"event{n}.yaml"
        instance.write_text(base.replace("Broken on purpose", f"Event {n}"))
        instances.append(instance)
    out = tmp_path / "out" / "s.json"
    solves = [
        subprocess.Popen(
            [sys.executable, "-m", "scheduler", "solve", str(i), "--out", str(out), "-t", "20", "-w", "1"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for i in instances
    ]
    for process in solves:
        _, stderr = process.communicate(timeout=180)
        assert process.returncode == 0, stderr.decode()
    kept = list(out.parent.iterdir())
    assert len(kept) == 8
    by_instance = {store.load_schedule(path).instance: path for path in kept}
    assert sorted(by_instance) == sorted(map(str, instances))
    for solved_for, path in by_instance.items():
        assert invoke("check", solved_for, str(path))[0] == 0


# ---- --out: refused before solving when it is an input or cannot be a written file ----


def _no_solving(monkeypatch: pytest.MonkeyPatch) -> None:
    import scheduler.solver.pipeline

    def must_not_run(*_: Any, **__: Any) -> None:
        raise AssertionError("solved before refusing --out")

    monkeypatch.setattr(scheduler.solver.pipeline, "solve", must_not_run)


@pytest.mark.parametrize(
    "case",
    [
        *("instance", "instance-by-link", "instance-by-relative-path"),
        *("device", "fifo", "link-to-fifo", "directory", "under-a-file", "dangling-link"),
    ],
)
def test_unsafe_out_is_refused_before_solving(
    case: str, sample_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_solving(monkeypatch)
    before = sample_copy.read_bytes()
    target = {
        "instance": sample_copy,
        "device": Path("/dev/null"),
        "fifo": tmp_path / "pipe",
        "directory": tmp_path,
        "under-a-file": sample_copy / "s.json",
    }.get(case, tmp_path / "link.json")
    if case in ("fifo", "link-to-fifo"):
        os.mkfifo(tmp_path / "pipe")
    if case == "link-to-fifo":
        target.symlink_to(tmp_path / "pipe")
    if case == "instance-by-link":
        target.symlink_to(sample_copy)
    if case == "dangling-link":
        target.symlink_to(tmp_path / "nowhere" / "x.json")
    if case == "instance-by-relative-path":
        (tmp_path / "sub").mkdir()
        monkeypatch.chdir(tmp_path / "sub")
        target = Path("..") / sample_copy.name
    code, output = invoke("solve", str(sample_copy), "--out", str(target), "-t", "5")
    assert code == 2, output
    assert output.startswith(f"--out: {target}: "), output
    assert sample_copy.read_bytes() == before
    assert Path("/dev/null").is_char_device()
    assert not any(p.name.endswith(".tmp") or ".schedule" in p.name for p in tmp_path.iterdir())


def test_out_in_a_place_that_cannot_be_written_is_refused(
    sample_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_solving(monkeypatch)
    if os.geteuid() == 0:  # root writes through permissions: use a place no one can write
        target = Path("/proc/schedule.json")
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        target = locked / "s.json"
    code, output = invoke("solve", str(sample_copy), "--out", str(target), "-t", "5")
    assert code == 2 and output.startswith(f"--out: {target}: cannot write in"), output
    assert not target.exists()


def test_resolve_refuses_the_instance_as_out(solved_sample: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    _no_solving(monkeypatch)
    instance, schedule = solved_sample
    before = instance.read_bytes()
    code, output = invoke("resolve", str(instance), "--previous", str(schedule), "--out", str(instance))
    assert code == 2 and output.startswith(f"--out: {instance}: is the input file"), output
    assert instance.read_bytes() == before


def test_a_write_failing_after_the_solve_keeps_the_schedule_elsewhere(
    sample_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(*_: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store, "write_text_atomically", disk_full)
    target = tmp_path / "s.json"
    code, output = invoke("solve", str(sample_copy), "--out", str(target), "-t", "20", "-w", "2")
    assert code == 1, output
    match = re.search(r"could not write \S+: No space left on device; the result is kept in (\S+)", output)
    assert match, output
    kept = Path(match.group(1))
    try:
        assert invoke("check", str(sample_copy), str(kept))[0] == 0
    finally:
        kept.unlink()
    assert not target.exists()


# ---- fuzzing schedule files: structure and bytes, through every command that reads one ----


def _fuzzed_schedule_never_crashes(text: bytes, solved: tuple[Path, Path]) -> None:
    instance, good = solved
    before = (instance.read_bytes(), good.read_bytes())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.json"
        path.write_bytes(text)
        for args in schedule_commands(instance, path, good, Path(folder) / "out.json"):
            code, _ = invoke(*args)
            assert code in (0, 1, 2), args
    assert (instance.read_bytes(), good.read_bytes()) == before


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_mutated_schedules_never_crash(data: st.DataObject, solved_sample: tuple[Path, Path]) -> None:
    schedule = json.loads(solved_sample[1].read_text())
    for _ in range(data.draw(st.integers(1, 3))):
        schedule = _mutate(schedule, data.draw)
    _fuzzed_schedule_never_crashes(json.dumps(schedule).encode(), solved_sample)


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_corrupted_schedule_bytes_never_crash(data: st.DataObject, solved_sample: tuple[Path, Path]) -> None:
    raw = bytearray(solved_sample[1].read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at : at + 1] = data.draw(st.sampled_from([b"[", b"{", b'"', b"\x00", b"\xff"]) | st.binary(max_size=3))
    _fuzzed_schedule_never_crashes(bytes(raw), solved_sample)


def test_an_out_name_too_long_for_its_versions_is_refused_before_solving(tmp_path: Path) -> None:
    """245 letters pass the system's 255-byte limit, but not with '.tmp' and '.v1' added: refuse first."""
    from scheduler.store import check_output_target

    target = tmp_path / ("a" * 245 + ".json")
    with pytest.raises(InputError, match="the file name is 250 bytes"):
        check_output_target(target)
    assert not target.exists()


def test_a_schedule_file_is_written_as_json_dumps_with_an_indent_would_write_it() -> None:
    """pydantic's serialiser, for speed: the same bytes as `json.dumps(indent=2, ensure_ascii=False)`,
    non-ASCII text, aliases (`from`) and absent optional fields included."""
    instance = make_instance(meetings=[meeting("m1", "a", "b"), meeting("m2", "a", "c"), meeting("m3", "a", "d")])
    schedule = solve_and_verify(instance)
    schedule = schedule.model_copy(
        update={
            "cancelled": [Cancellation(kind="participant", id="d", from_="2025-11-13T09:30")],
            "unscheduled": [Unscheduled(meeting="m3", reason="其他", detail="Zhou Lei è già occupato… “quoted” \\ ok")],
        }
    )
    written = schedule_json(schedule)
    assert written == json.dumps(schedule.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    assert '"from": "2025-11-13T09:30"' in written and "其他" in written


@pytest.mark.parametrize("write", ["text", "bytes"])
def test_sigterm_while_writing_leaves_no_temporary_file_and_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write: str
) -> None:
    """`kill` during the write ended the process with the temporary file left beside the target
    (the attacker found it): now SIGTERM raises, the file is removed, the old one stands, and
    after the write SIGTERM is as it was."""
    target = tmp_path / "s.schedule.json"
    target.write_text("old")
    real_chmod = os.chmod

    def chmod_then_sigterm(name: Any, mode: int) -> None:
        real_chmod(name, mode)
        os.kill(os.getpid(), signal.SIGTERM)

    real_unlink = Path.unlink

    def sigterm_then_unlink(self: Path, missing_ok: bool = False) -> None:
        os.kill(os.getpid(), signal.SIGTERM)  # a second one, as the clean-up begins: ignored
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(store.os, "chmod", chmod_then_sigterm)
    monkeypatch.setattr(Path, "unlink", sigterm_then_unlink)
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Terminated):
        if write == "text":
            store.write_text_atomically(target, "new")
        else:
            store.replace_bytes_atomically(target, b"new")
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.schedule.json"]
    assert target.read_text() == "old" and signal.getsignal(signal.SIGTERM) == before


def test_an_unquoted_no_where_text_belongs_says_to_quote_it(tmp_path: Path) -> None:
    """`country: NO` (Norway) reads as false in YAML: the error says so, not 'valid string'."""
    text = (ROOT / "instances" / "sample.yaml").read_text().replace("country: CN}", "country: NO}", 1)
    path = tmp_path / "norway.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as refused:
        load_instance(path)
    (problem,) = refused.value.problems
    assert (
        problem.loc[-1] == "country" and "YAML reads NO, yes, on and off as true or false; quote it" in problem.message
    )


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("010", "'010' is not a whole number written in decimal: digits only, no leading zeros"),
        ("2.5", "'2.5' is not a whole number written in decimal: digits only, no point or exponent"),
        ("1e3", "'1e3' is not a whole number written in decimal: digits only, no point or exponent"),
    ],
)
def test_a_number_not_written_in_decimal_says_how_to_write_it(tmp_path: Path, written: str, says: str) -> None:
    """`priority: 010` read as 8 in YAML 1.1, and `2.5` is no whole number: the file is refused,
    naming the line and the fix."""
    (problem,) = _sample_refused(tmp_path, "priority: 5", f"priority: {written}")
    assert problem.loc[-1] == "priority" and problem.line is not None
    assert problem.message == says


@pytest.mark.parametrize("written", ["86400.0", "'86400'", "1.728e+5"])
def test_a_date_written_as_a_number_is_refused_not_read_as_a_unix_time(tmp_path: Path, written: str) -> None:
    """`date: 86400.0` stays text since fractions are kept as written, and became 1970-01-02 (the
    second attacker's); a quoted '86400' did so before."""
    problems = _sample_refused(tmp_path, "date: 2025-11-13", f"date: {written}")
    assert any(p.message.endswith("is not a date as YYYY-MM-DD") and p.line for p in problems)


def _sample_refused(tmp_path: Path, written: str, instead: str) -> list[Problem]:
    """The problems of the sample instance with its first `written` replaced by `instead`."""
    text = (ROOT / "instances" / "sample.yaml").read_text()
    assert written in text
    path = tmp_path / "edited.yaml"
    path.write_text(text.replace(written, instead, 1))
    with pytest.raises(InputError) as refused:
        load_instance(path)
    return refused.value.problems


def test_ids_written_as_fractions_keep_their_spelling(tmp_path: Path) -> None:
    """Request `1.10` was read as '1.1', and `.inf` as 'inf' (the second attacker's)."""
    text = (ROOT / "instances" / "sample.yaml").read_text()
    path = tmp_path / "fractions.yaml"
    path.write_text(text.replace("id: r01,", "id: 1.10,", 1).replace("id: r02,", "id: .inf,", 1))
    instance, _ = load_instance(path)
    assert {"1.10", ".inf"} <= set(instance.meeting_by_id)


@pytest.mark.parametrize(
    ("attendees", "place", "says"),
    [
        ("none", "programme[0].attendees", "should be 'all', a list of participant ids, or {organisation: NAME}"),
        (
            {"organisation": "X", "country": "IT"},
            "programme[0].attendees",
            "give exactly one of organisation or country",
        ),
        (["a", " b"], "programme[0].attendees[1]", "' b' is not a valid id"),
    ],
)
def test_programme_attendees_refused_in_one_line_without_pydantic_branch_names(
    tmp_path: Path, attendees: object, place: str, says: str
) -> None:
    """`attendees` is 'all', a list or a filter: a value none accepts gave a line per form tried,
    placed under pydantic's names for them ('attendees.literal['all']'); now one line, in our words."""
    data = yaml.safe_load((ROOT / "instances" / "sample.yaml").read_text())
    data["programme"] = [
        {
            "id": "p1",
            "title": "Opening",
            "kind": "plenary",
            "city": "Beijing",
            "date": "2025-11-13",
            "start": "09:00",
            "end": "09:30",
            "attendees": attendees,
        }
    ]
    path = tmp_path / "programme.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError) as refused:
        load_instance(path)
    lines = [problem.render(str(path)) for problem in refused.value.problems]
    assert len(lines) == 1 and f": {place}: " in lines[0] and says in lines[0], lines


def test_a_misspelt_field_in_a_schedule_file_is_refused_as_in_an_instance(tmp_path: Path) -> None:
    """`frozen_untill` was read past without a word, and a re-solve then treated history as
    cancelled from the start (the attacker found it): a schedule is read as strictly as an instance."""
    from scheduler.store import load_schedule

    data = {
        "format": "schedule/1",
        "instance": "event.yaml",
        "instance_sha256": "0" * 64,
        "created": "2025-11-13T08:00:00+08:00",
        "status": "FEASIBLE",
        "objective": 0,
        "bound": 0,
    }
    path = tmp_path / "fine.schedule.json"
    path.write_text(json.dumps(data))
    assert load_schedule(path).frozen_until is None
    data["frozen_untill"] = "2025-11-14T12:00"
    path = tmp_path / "typo.schedule.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError) as refused:
        load_schedule(path)
    (problem,) = refused.value.problems
    assert problem.message == "unknown field 'frozen_untill' (check the spelling)"
