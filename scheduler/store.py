"""Reading instances and schedules safely, writing schedules atomically with versions."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from scheduler.errors import InputError, Problem
from scheduler.model import ID_PATTERN, LANGUAGE_PATTERN, TEXT_PATTERN, Instance
from scheduler.parsing import parse_json, parse_yaml, written_as_fraction, written_not_in_decimal
from scheduler.solution import Schedule
from scheduler.termination import sigterm_raises

MAX_FILE_BYTES = 100 * 1024 * 1024
"""Largest instance or schedule file read (a 60,000-request instance is about 8 MB)."""


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _kind_of(mode: int) -> str:
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_bytes(path: Path, what: str) -> bytes:
    """The file's bytes, or an InputError saying why it can't be read.

    Only regular files are read (a device never ends, a FIFO may never answer), and the
    size limit applies to what is actually read, not to what stat promised.
    """
    source = str(path)
    article = "an" if what[0] in "aeiou" else "a"
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise InputError([Problem((), f"{what} file does not exist")], source) from None
    except OSError as err:
        raise InputError([Problem((), f"cannot read: {err.strerror}")], source) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError([Problem((), f"is a directory, not {article} {what} file")], source)
    if not stat.S_ISREG(info.st_mode):
        kind = _kind_of(info.st_mode)
        raise InputError([Problem((), f"is {kind}, not {article} {what} file; only regular files are read")], source)
    if info.st_size > MAX_FILE_BYTES:
        raise InputError([Problem((), f"file is {info.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,}")], source)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped since the stat above
                raise InputError([Problem((), f"is not a regular file, not {article} {what} file")], source)
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise InputError([Problem((), f"cannot read: {err.strerror}")], source) from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError([Problem((), f"file is over the limit of {MAX_FILE_BYTES:,} bytes")], source)
    return data


def _decode(data: bytes, source: str) -> str:
    if b"\x00" in data:
        raise InputError([Problem((), "binary file (contains NUL bytes), not text")], source)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError([Problem((), f"not UTF-8 text (byte {err.start})")], source) from None


_INSTANCE_SECTIONS = re.compile(r"^(?:event|venues|participants|meetings)\s*:", re.MULTILINE)


def _looks_like_schedule(raw: dict[Any, Any]) -> bool:
    return str(raw.get("format", "")).startswith("schedule/") or {"assignments", "instance_sha256"} <= set(raw)


_UNION_BRANCH = re.compile(r"^(?:literal|list|dict|function-\w+)\[.*\]$")
"""A union's branch as pydantic names it in a place ('literal['all']', 'list[constrained-str]'):
a union where two or more of them stand at one place."""
ATTENDEES_FORMS = "should be 'all', a list of participant ids, or {organisation: NAME} or {country: CODE}"


def _union_errors_merged(errors: list[Any]) -> list[Any]:
    """One error per field a union refused, not one per branch tried with pydantic's branch names in
    the place: the branch's own words where one says more than 'wrong type', else the forms allowed."""
    merged: list[Any] = []
    branches: dict[tuple[Any, ...], list[Any]] = {}
    for item in errors:
        loc = tuple(item["loc"])
        cut = next((k for k, part in enumerate(loc) if isinstance(part, str) and _UNION_BRANCH.match(part)), None)
        if cut is None:
            merged.append(item)
        else:
            branches.setdefault(loc[:cut], []).append(item)
    for base, tried in branches.items():
        if len({item["loc"][len(base)] for item in tried}) < 2:
            merged.extend(tried)  # (one validator, not a union: its place as it is)
            continue
        # A branch that accepted the shape and still refused it says why (exactly one of two keys).
        telling = [item for item in tried if item["type"] not in _WRONG_SHAPE]
        if telling:
            merged.extend({**item, "loc": (*base, *item["loc"][len(base) + 1 :])} for item in telling)
        else:
            forms = ATTENDEES_FORMS if base and base[-1] == "attendees" else "matches none of the forms allowed"
            merged.append({"loc": base, "msg": forms, "type": "union", "input": tried[0].get("input")})
    return merged


_WRONG_SHAPE = {"literal_error", "list_type", "model_type", "dict_type", "string_type", "model_attributes_type"}


def problems_from_validation(err: ValidationError) -> list[Problem]:
    """Pydantic's errors as Problems in our words and places."""
    problems = []
    for item in _union_errors_merged(list(err.errors(include_url=False))):
        loc = tuple(part for part in item["loc"] if not (isinstance(part, str) and part.startswith("function-")))
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = f"unknown field {loc[-1]!r} (check the spelling)" if loc else "unknown field"
        elif item["type"] == "missing":
            message = f"missing required field {loc[-1]!r}" if loc else "missing required field"
        elif item["type"] == "string_pattern_mismatch" and loc and loc[-1] in ("start", "end"):
            message = f"{item['input']!r} is not a time of day as 'HH:MM'"
        elif item["type"] == "string_pattern_mismatch" and loc and loc[-1] == "country":
            message = f"{item['input']!r} is not an ISO 3166 alpha-2 country code such as IT or CN"
        elif item["type"] == "string_pattern_mismatch" and item.get("ctx", {}).get("pattern") == TEXT_PATTERN:
            message = f"{item['input']!r} holds a control character; only text, tabs and line breaks"
        elif item["type"] == "string_pattern_mismatch" and item.get("ctx", {}).get("pattern") == LANGUAGE_PATTERN:
            message = f"{item['input']!r} is not a language code such as it, zh or en (letters, no spaces)"
        elif item["type"] == "string_pattern_mismatch" and item.get("ctx", {}).get("pattern") == ID_PATTERN:
            message = f"{item['input']!r} is not a valid id (no spaces at either end, no control characters)"
        elif item["type"] == "string_type" and isinstance(item["input"], bool):
            # YAML 1.1 reads NO, yes, on and off unquoted as true or false: Norway's code among them.
            message = f"{item['input']!r} where text belongs: YAML reads NO, yes, on and off as true or false; quote it"
        elif item["type"] in ("int_type", "int_parsing") and written_not_in_decimal(str(item["input"])):
            # Our YAML reading keeps 010, 0x1F and 1_0 as written (YAML 1.1 would read 010 as 8).
            message = f"{item['input']!r} is not a whole number written in decimal: digits only, no leading zeros"
        elif item["type"] in ("int_type", "int_parsing") and written_as_fraction(str(item["input"])):
            message = f"{item['input']!r} is not a whole number written in decimal: digits only, no point or exponent"
        elif message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        problems.append(Problem(loc, message))
    return problems


def load_instance(path: Path | str) -> tuple[Instance, str]:
    """The validated instance and the sha256 of the file's bytes."""
    path = Path(path)
    source = str(path)
    data = read_bytes(path, "instance")
    text = _decode(data, source)
    raw, lines = parse_yaml(text, source)
    if not isinstance(raw, dict):
        kind = type(raw).__name__
        raise InputError(
            [Problem((), f"expected a mapping with event, venues, participants, meetings; got {kind}")], source
        )
    if _looks_like_schedule(raw):
        raise InputError(
            [
                Problem(
                    (), "this is a schedule file, not an instance; give the instance (YAML) first, then the schedule"
                )
            ],
            source,
        )
    try:
        instance = Instance.model_validate(raw)
    except ValidationError as err:
        raise InputError(problems_from_validation(err)).with_source(source, lines) from None
    except InputError as err:
        raise err.with_source(source, lines) from None
    return instance, sha256_of(data)


def load_schedule(path: Path | str) -> Schedule:
    """A schedule file, validated as strictly as an instance before anything uses it."""
    path = Path(path)
    source = str(path)
    text = _decode(read_bytes(path, "schedule"), source)
    not_a_schedule = InputError(
        [Problem((), "this is an instance file, not a schedule; give the instance (YAML) first, then the schedule")],
        source,
    )
    try:
        raw = parse_json(text, source)
    except InputError:
        if _INSTANCE_SECTIONS.search(text):
            raise not_a_schedule from None
        raise
    if not isinstance(raw, dict):
        raise InputError([Problem((), "expected a JSON object (a schedule)")], source)
    if "format" not in raw and {"event", "venues"} <= set(raw):
        raise not_a_schedule
    try:
        return Schedule.model_validate(raw, by_alias=True, by_name=False)  # `from`, never `from_`
    except ValidationError as err:
        raise InputError(problems_from_validation(err), source) from None


def schedule_json(schedule: Schedule) -> str:
    """The file's text: pydantic's own serialiser writes what `json.dumps(..., indent=2,
    ensure_ascii=False)` would, byte for byte, 7x faster (0.07 s against 0.48 s at 60,000 requests:
    with an indent, `json` falls back to its pure-Python encoder)."""
    return schedule.model_dump_json(indent=2) + "\n"


def default_schedule_path(instance_path: Path | str) -> Path:
    """instances/2025.yaml -> instances/2025.schedule.json."""
    path = Path(instance_path)
    stem = path.name.removesuffix(".yaml").removesuffix(".yml").removesuffix(".json")
    return path.with_name(f"{stem}.schedule.json")


def version_path(path: Path, number: int) -> Path:
    """s.schedule.json -> s.schedule.v3.json, ev.yaml -> ev.v3.yaml: a version keeps its extension."""
    suffix = path.suffix
    stem = path.name.removesuffix(suffix) if suffix else path.name
    return path.with_name(f"{stem}.v{number}{suffix}")


def numbered_versions(path: Path) -> list[tuple[int, Path]]:
    """(N, path) of every NAME.vN.EXT beside `path`, oldest first; names matched literally (no glob:
    `ev[1].yaml` is a name, not a pattern)."""
    suffix = path.suffix
    stem = path.name.removesuffix(suffix) if suffix else path.name
    pattern = re.compile(re.escape(stem) + r"\.v(\d+)" + re.escape(suffix))
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    return sorted((int(m.group(1)), path.with_name(name)) for name in names if (m := pattern.fullmatch(name)))


def _taken_versions(path: Path) -> list[int]:
    return [number for number, _ in numbered_versions(path)]


def next_version_path(path: Path) -> Path:
    """The first free 2025.schedule.vN.json beside 2025.schedule.json (as things stand now)."""
    return version_path(path, max(_taken_versions(path), default=0) + 1)


def _keep_version(path: Path) -> Path:
    """Keep the current file under the next free version name, created exclusively.

    A hard link (or, where there are none, a copy opened with O_EXCL) never replaces
    an existing name: if another writer took the number first, try the next one.
    """
    number = max(_taken_versions(path), default=0) + 1
    while True:
        candidate = version_path(path, number)
        try:
            os.link(path, candidate)
            return candidate
        except FileExistsError:
            pass
        except OSError:  # no hard links here (some network or FAT drives): copy instead
            try:
                _copy_exclusively(path, candidate)
                return candidate
            except FileExistsError:
                pass
        number += 1


def _copy_exclusively(source: Path, target: Path) -> None:
    with open(source, "rb") as reader, open(target, "xb") as writer:
        try:
            shutil.copyfileobj(reader, writer)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    shutil.copystat(source, target)


@contextmanager
def _directory_lock(directory: Path) -> Iterator[None]:
    """One writer at a time per directory, so keeping a version and replacing are one step.

    Without it two writers can both keep the same old file and one new schedule is lost.
    flock on the directory itself: no lock file is left behind.
    """
    try:
        import fcntl
    except ImportError:  # not POSIX: exclusive version names still never overwrite
        yield
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # an unreadable folder: go on with exclusive names alone
        yield
        return
    try:
        with suppress(OSError):  # no locks on this file system (some network drives)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def write_text_atomically(path: Path, text: str) -> Path | None:
    """Write via a temporary file and rename; an existing file is kept as a numbered version.

    Returns the version path the old file was kept as, if there was one. At every
    moment `path` holds either the old complete file or the new complete file, and
    concurrent writers to the same path each leave their file (as `path` or a version).
    """
    if path.is_symlink():
        path = Path(os.path.realpath(path))  # write where the link points, keep the link
    path.parent.mkdir(parents=True, exist_ok=True)
    with sigterm_raises():
        return _write_via_temporary(path, text)


def _write_via_temporary(path: Path, text: str) -> Path | None:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    kept: Path | None = None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o666 & ~_umask())
        with _directory_lock(path.parent):
            try:
                if os.path.lexists(path):
                    kept = _keep_version(path)
                os.replace(tmp_name, path)
            except BaseException:
                if kept is not None:
                    kept.unlink(missing_ok=True)  # the file itself was never replaced: no version to keep
                raise
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return kept


class WriteFailed(Exception):
    """The result could not be written where asked; it is kept in `fallback` instead."""

    def __init__(self, target: Path, reason: str, fallback: Path) -> None:
        self.fallback = fallback
        super().__init__(f"could not write {target}: {reason}; the result is kept in {fallback}")


def write_or_keep(path: Path, text: str) -> Path | None:
    """write_text_atomically, but a failure keeps the text in a new temporary file and says where."""
    try:
        return write_text_atomically(path, text)
    except OSError as err:
        # A short name in the system's temporary folder: the target's own may be what failed.
        fd, name = tempfile.mkstemp(prefix=f"{path.stem[:40]}-", suffix=(path.suffix or ".txt")[:10])
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        raise WriteFailed(path, err.strerror or str(err), Path(name)) from None


def replace_bytes_atomically(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, keeping no earlier version (derived files: exports)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sigterm_raises():
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp_name, 0o666 & ~_umask())
            os.replace(tmp_name, path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise


def write_schedule(path: Path, schedule: Schedule) -> Path | None:
    return write_or_keep(path, schedule_json(schedule))


def check_output_target(target: Path, inputs: Iterable[Path] = ()) -> None:
    """Refuse, before any work, a target that is an input or cannot be a written file.

    Errors are attributed to the option `--out`: a directory, a device or FIFO (or a link
    to one), a path under a file, a place we may not write, or one of the input files.
    """

    def refuse(message: str) -> InputError:
        return InputError([Problem((), f"{target}: {message}")], "--out")

    try:
        info = os.stat(target)
    except NotADirectoryError:
        raise refuse("a part of the path is a file, not a directory") from None
    except FileNotFoundError:
        if os.path.islink(target):
            raise refuse("is a link to nothing; give a file name") from None
        info = None
    except OSError as err:
        raise refuse(f"cannot be reached: {err.strerror}") from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise refuse("is a directory; give a file name inside it")
        if not stat.S_ISREG(info.st_mode):
            raise refuse(f"is {_kind_of(info.st_mode)} (or a link to one), not a regular file")
        for source in inputs:
            try:
                if os.path.samefile(source, target):
                    raise refuse(f"is the input file {source}; writing there would destroy it")
            except OSError:
                continue
    directory = Path(os.path.realpath(target)).parent
    room_for_versions = len(target.name.encode()) + len(".v9999") + len("..tmp") + 8  # temporary and kept names
    try:
        name_max = os.pathconf(directory if directory.is_dir() else "/", "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    if room_for_versions > name_max:
        raise refuse(f"the file name is {len(target.name.encode())} bytes; keep it under {name_max - 30}")
    existing = directory
    while not os.path.lexists(existing) and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise refuse(f"{existing} is a file, not a directory")
    if existing == directory:
        try:
            fd, probe = tempfile.mkstemp(prefix=".schedule-probe-", dir=directory)
            os.close(fd)
            os.unlink(probe)
        except OSError as err:
            raise refuse(f"cannot write in {directory}: {err.strerror}") from None
    elif not os.access(existing, os.W_OK | os.X_OK):
        raise refuse(f"cannot create folders in {existing}: permission denied")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
