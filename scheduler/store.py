"""Reading instances and schedules safely, writing schedules atomically with versions."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from scheduler.errors import InputError, Problem
from scheduler.model import ID_PATTERN, Instance
from scheduler.solution import Schedule

MAX_FILE_BYTES = 100 * 1024 * 1024
"""Largest instance or schedule file read (a 60,000-request instance is about 8 MB)."""
MAX_YAML_NODES = 5_000_000
"""Largest YAML document counted with aliases expanded: refuses 'billion laughs' quickly."""
MAX_NESTING = 100
"""Deepest nesting of lists and mappings (real files need 6): deeper is refused before it is built."""
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Loader(yaml.SafeLoader):
    """safe_load semantics, but times and dates stay text for the models to check.

    YAML 1.1 reads 14:00 as the base-60 integer 840 and 2025-02-30 as a date that
    crashes the parser; keeping both as text lets validation name the place instead.
    Nesting is counted while composing, so a thousand `[` end in a clear error, not
    in Python's recursion limit.
    """

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                raise _TooDeep(self.peek_event().start_mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _TooDeep(Exception):
    def __init__(self, line: int | None) -> None:
        self.line = line


def _int_or_clock(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    if ":" in str(node.value):
        return loader.construct_scalar(node)
    return yaml.SafeLoader.construct_yaml_int(loader, node)


_Loader.add_constructor("tag:yaml.org,2002:int", _int_or_clock)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)  # type: ignore[type-var]


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


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _duplicate_keys(node: yaml.MappingNode, loc: tuple[str | int, ...]) -> list[Problem]:
    """A key written twice in one mapping: YAML would silently keep the last one."""
    first_line: dict[tuple[str, str], int] = {}
    problems = []
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.tag == _MERGE_TAG:
            continue
        line = key.start_mark.line + 1
        seen = first_line.get((key.tag, key.value))
        if seen is None:
            first_line[(key.tag, key.value)] = line
        else:
            problems.append(Problem((*loc, key.value), _twice(key.value, "mapping", seen, line), line))
    return problems


def _check_nodes(root: yaml.Node) -> None:
    """Duplicate keys at any depth, and the size with aliases expanded; no recursion."""
    sizes: dict[int, int] = {}
    problems: list[Problem] = []
    stack: list[tuple[yaml.Node, bool, tuple[str | int, ...]]] = [(root, False, ())]
    while stack:
        node, children_done, loc = stack.pop()
        if children_done:
            sizes[id(node)] = 1 + sum(sizes.get(id(child), 0) for child in _children(node))
            if sizes[id(node)] > MAX_YAML_NODES:
                raise _TooLarge
            continue
        if id(node) in sizes:
            continue
        sizes[id(node)] = 0  # in progress: a recursive alias counts once
        stack.append((node, True, loc))
        if isinstance(node, yaml.MappingNode):
            problems.extend(_duplicate_keys(node, loc))
            for key, value in node.value:
                place = key.value if isinstance(key, yaml.ScalarNode) else "?"
                stack.extend([(key, False, loc), (value, False, (*loc, place))])
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, False, (*loc, k)) for k, child in enumerate(node.value))
    if problems:
        raise InputError(problems)


def _node_lines(node: yaml.Node) -> dict[tuple[str | int, ...], int]:
    """Map each place in the first levels of the document to its 1-based line."""
    lines: dict[tuple[str | int, ...], int] = {}

    def walk(n: yaml.Node, loc: tuple[str | int, ...], depth: int) -> None:
        lines[loc] = n.start_mark.line + 1
        if depth > 8:
            return
        if isinstance(n, yaml.SequenceNode):
            for k, child in enumerate(n.value):
                walk(child, (*loc, k), depth + 1)
        elif isinstance(n, yaml.MappingNode):
            for key, child in n.value:
                if isinstance(key, yaml.ScalarNode):
                    lines[(*loc, key.value)] = key.start_mark.line + 1
                    walk(child, (*loc, key.value), depth + 1)

    walk(node, (), 0)
    return lines


class _TooLarge(Exception):
    pass


def parse_yaml(text: str, source: str) -> tuple[Any, dict[tuple[str | int, ...], int]]:
    """Safe-load one YAML document, with a map of places to lines."""
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as err:
        line = text.count("\n", 0, err.position) + 1
        raise InputError(
            [Problem((), f"character {err.character!r} is not allowed in YAML text", line)], source
        ) from None
    try:
        try:
            node = loader.get_single_node()
        except _TooDeep as deep:
            raise InputError([Problem((), _too_deep(), deep.line)], source) from None
        if node is None:
            raise InputError([Problem((), "the file is empty")], source)
        try:
            _check_nodes(node)
        except _TooLarge:
            raise InputError(
                [Problem((), f"document expands to more than {MAX_YAML_NODES:,} nodes (alias bomb?)")], source
            ) from None
        except InputError as error:
            raise error.with_source(source) from None
        lines = _node_lines(node)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        if isinstance(err, yaml.constructor.ConstructorError):
            message = f"unsupported YAML tag: {err.problem} (only plain data: mappings, lists, text, numbers)"
        else:
            message = f"YAML syntax error: {err.problem or err.context}"
        raise InputError([Problem((), message, mark.line + 1 if mark else None)], source) from None
    except yaml.YAMLError as err:
        raise InputError([Problem((), f"YAML error: {err}")], source) from None
    finally:
        loader.dispose()
    return data, lines


def _too_deep() -> str:
    return f"lists and mappings are nested more than {MAX_NESTING} deep; real files need fewer than 10"


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def _check_json_nesting(text: str, source: str) -> None:
    """Refuse deep JSON before json.loads, whose C parser would hit Python's recursion limit.

    Strings and everything but brackets are cut out by regular expressions first, so a
    15 MB schedule costs a loop over its few hundred thousand brackets only.
    """
    depth = 0
    for bracket in _NOT_A_BRACKET.sub("", _JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_NESTING:
            break
    else:
        return
    depth = 0
    for match in _JSON_TOKEN.finditer(text):  # again, slowly, for the line to name
        token = match.group()
        depth += 1 if token in "[{" else -1 if token in "]}" else 0
        if depth > MAX_NESTING:
            raise InputError([Problem((), _too_deep(), text.count("\n", 0, match.start()) + 1)], source)


class _DuplicateKey(Exception):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _duplicate_key_problem(text: str, key: str) -> Problem:
    written = re.compile(re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:")
    lines = [text.count("\n", 0, m.start()) + 1 for m in written.finditer(text)]
    if len(lines) != 2:
        return Problem((), f"key {key!r} appears twice in one object")
    return Problem((), _twice(key, "object", lines[0], lines[1]), lines[1])


def _twice(key: str, container: str, first: int, second: int) -> str:
    where = f"both on line {first}" if first == second else f"lines {first} and {second}"
    return f"key {key!r} appears twice in one {container} ({where}); a key may be given once"


def parse_json(text: str, source: str) -> Any:
    """Strict JSON: bounded nesting, no key written twice in one object."""
    _check_json_nesting(text, source)
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as err:
        raise InputError([Problem((), f"not valid JSON: {err.msg}", err.lineno)], source) from None
    except _DuplicateKey as dup:
        raise InputError([_duplicate_key_problem(text, dup.args[0])], source) from None


_INSTANCE_SECTIONS = re.compile(r"^(?:event|venues|participants|meetings)\s*:", re.MULTILINE)


def _looks_like_schedule(raw: dict[Any, Any]) -> bool:
    return str(raw.get("format", "")).startswith("schedule/") or {"assignments", "instance_sha256"} <= set(raw)


def problems_from_validation(err: ValidationError) -> list[Problem]:
    """Pydantic's errors as Problems in our words and places."""
    problems = []
    for item in err.errors(include_url=False):
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
        elif item["type"] == "string_pattern_mismatch" and item.get("ctx", {}).get("pattern") == ID_PATTERN:
            message = f"{item['input']!r} is not a valid id or name (no spaces at either end)"
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
        return Schedule.model_validate(raw)
    except ValidationError as err:
        raise InputError(problems_from_validation(err), source) from None


def schedule_json(schedule: Schedule) -> str:
    return json.dumps(schedule.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def default_schedule_path(instance_path: Path | str) -> Path:
    """instances/2025.yaml -> instances/2025.schedule.json."""
    path = Path(instance_path)
    stem = path.name.removesuffix(".yaml").removesuffix(".yml")
    return path.with_name(f"{stem}.schedule.json")


def version_path(path: Path, number: int) -> Path:
    """s.schedule.json -> s.schedule.v3.json, ev.yaml -> ev.v3.yaml: a version keeps its extension."""
    suffix = path.suffix
    stem = path.name.removesuffix(suffix) if suffix else path.name
    return path.with_name(f"{stem}.v{number}{suffix}")


def _taken_versions(path: Path) -> list[int]:
    """Version numbers beside `path`, names matched literally (no glob: `ev[1].yaml` is a name)."""
    suffix = path.suffix
    stem = path.name.removesuffix(suffix) if suffix else path.name
    pattern = re.compile(re.escape(stem) + r"\.v(\d+)" + re.escape(suffix))
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    return [int(m.group(1)) for name in names if (m := pattern.fullmatch(name))]


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
    fd = os.open(directory, os.O_RDONLY)
    try:
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
        fd, name = tempfile.mkstemp(prefix=f"{path.stem}-", suffix=path.suffix or ".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        raise WriteFailed(path, err.strerror or str(err), Path(name)) from None


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
