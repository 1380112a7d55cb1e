"""Reading instances and schedules safely, writing schedules atomically with versions."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
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


class _Loader(yaml.SafeLoader):
    """safe_load semantics, but times and dates stay text for the models to check.

    YAML 1.1 reads 14:00 as the base-60 integer 840 and 2025-02-30 as a date that
    crashes the parser; keeping both as text lets validation name the place instead.
    """


def _int_or_clock(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    if ":" in str(node.value):
        return loader.construct_scalar(node)
    return yaml.SafeLoader.construct_yaml_int(loader, node)


_Loader.add_constructor("tag:yaml.org,2002:int", _int_or_clock)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)  # type: ignore[type-var]


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_bytes(path: Path, what: str) -> bytes:
    """The file's bytes, or an InputError saying why it can't be read."""
    source = str(path)
    if not path.exists():
        raise InputError([Problem((), f"{what} file does not exist")], source)
    if path.is_dir():
        article = "an" if what[0] in "aeiou" else "a"
        raise InputError([Problem((), f"is a directory, not {article} {what} file")], source)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError([Problem((), f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")], source)
        return path.read_bytes()
    except OSError as err:
        raise InputError([Problem((), f"cannot read: {err.strerror}")], source) from None


def _decode(data: bytes, source: str) -> str:
    if b"\x00" in data:
        raise InputError([Problem((), "binary file (contains NUL bytes), not text")], source)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError([Problem((), f"not UTF-8 text (byte {err.start})")], source) from None


def _node_lines(node: yaml.Node) -> dict[tuple[str | int, ...], int]:
    """Map each place in the document to its 1-based line, counting alias expansions."""
    lines: dict[tuple[str | int, ...], int] = {}
    expanded_size: dict[int, int] = {}

    def size(n: yaml.Node) -> int:
        if id(n) not in expanded_size:
            expanded_size[id(n)] = 0  # cycles (recursive aliases) count once
            children: list[yaml.Node] = []
            if isinstance(n, yaml.SequenceNode):
                children = list(n.value)
            elif isinstance(n, yaml.MappingNode):
                children = [part for pair in n.value for part in pair]
            expanded_size[id(n)] = 1 + sum(size(c) for c in children)
            if expanded_size[id(n)] > MAX_YAML_NODES:
                raise _TooLarge
        return expanded_size[id(n)]

    size(node)

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
        node = loader.get_single_node()
        if node is None:
            raise InputError([Problem((), "the file is empty")], source)
        try:
            lines = _node_lines(node)
        except _TooLarge:
            raise InputError(
                [Problem((), f"document expands to more than {MAX_YAML_NODES:,} nodes (alias bomb?)")], source
            ) from None
        except RecursionError:
            raise InputError([Problem((), "document is nested too deeply")], source) from None
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
    try:
        instance = Instance.model_validate(raw)
    except ValidationError as err:
        raise InputError(problems_from_validation(err)).with_source(source, lines) from None
    except InputError as err:
        raise err.with_source(source, lines) from None
    return instance, sha256_of(data)


def load_schedule(path: Path | str) -> Schedule:
    path = Path(path)
    source = str(path)
    text = _decode(read_bytes(path, "schedule"), source)
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError([Problem((), f"not valid JSON: {err.msg}", err.lineno)], source) from None
    if not isinstance(raw, dict):
        raise InputError([Problem((), "expected a JSON object (a schedule)")], source)
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


def next_version_path(path: Path) -> Path:
    """The first free 2025.schedule.vN.json beside 2025.schedule.json."""
    stem = path.name.removesuffix(".json")
    pattern = re.compile(re.escape(stem) + r"\.v(\d+)\.json$")
    taken = [int(m.group(1)) for p in path.parent.glob(f"{stem}.v*.json") if (m := pattern.match(p.name))]
    return path.with_name(f"{stem}.v{max(taken, default=0) + 1}.json")


def write_text_atomically(path: Path, text: str) -> Path | None:
    """Write via a temporary file and rename; an existing file is kept as a numbered version.

    Returns the version path the old file was kept as, if there was one. At every
    moment `path` holds either the old complete file or the new complete file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    kept: Path | None = None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o666 & ~_umask())
        if path.exists():
            kept = next_version_path(path)
            try:
                os.link(path, kept)
            except OSError:  # no hard links here (some network or FAT drives): copy instead
                shutil.copy2(path, kept)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        if kept is not None:
            kept.unlink(missing_ok=True)  # the file itself was never replaced: no version to keep
        raise
    return kept


def replace_bytes_atomically(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, keeping no earlier version (derived files: exports)."""
    path.parent.mkdir(parents=True, exist_ok=True)
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
    return write_text_atomically(path, schedule_json(schedule))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
