"""Parsing YAML and JSON text safely: bounded nesting and size, no key written twice.

PyYAML and json accept a key given twice (the last one silently wins) and recurse on
nesting until Python's recursion limit; here both are errors that name their lines,
found without recursion. Reading files and validating models stays in store.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import suppress
from typing import Any

import yaml

from scheduler.errors import InputError, Problem

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
    """An integer only as written in decimal; anything else YAML 1.1 reads as one stays text:
    a clock (14:00 is not 840), and `010`, `0x1F` or `1_0` (as ids they became '8', '31' and
    '10' without a word; as numbers the models now name them)."""
    if not _DECIMAL.fullmatch(str(node.value)):
        return loader.construct_scalar(node)
    return yaml.SafeLoader.construct_yaml_int(loader, node)


_DECIMAL = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_YAML_INT = re.compile(r"[-+]?(0b[0-1_]+|0[0-7_]+|0|[1-9][0-9_]*|0x[0-9a-fA-F_]+)")
"""YAML 1.1's integers (PyYAML's resolver), base 60 aside: 14:00 is a clock to us."""


def written_as_fraction(text: str) -> bool:
    """Whether this is a number with a point or an exponent, as YAML 1.1 or JSON writes one (1.5,
    .inf, 1e3, 5E0): our reading keeps it as text, so an error about a whole number says so."""
    return _YAML_FLOAT.fullmatch(text) is not None or _EXPONENT.fullmatch(text) is not None


_EXPONENT = re.compile(r"[-+]?[0-9]+(?:\.[0-9]*)?[eE][-+]?[0-9]+")


_YAML_FLOAT = re.compile(
    r"[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
"""PyYAML's resolver for floats (YAML 1.1)."""


def written_not_in_decimal(text: str) -> bool:
    """Whether YAML 1.1 would read this as an integer written otherwise than in plain decimal
    (010, 0x1F, 1_0): our reading keeps it as text, and an error about it says so."""
    return _YAML_INT.fullmatch(text) is not None and _DECIMAL.fullmatch(text) is None


_Loader.add_constructor("tag:yaml.org,2002:int", _int_or_clock)
# No field of ours is a fraction: `1.10` stays '1.10' (as a float it became id '1.1', and `.inf` 'inf').
_Loader.add_constructor("tag:yaml.org,2002:float", yaml.SafeLoader.construct_scalar)  # type: ignore[type-var]
_Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)  # type: ignore[type-var]


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


class _NotVouched(Exception):
    """The fast path cannot vouch for this document: read it again carefully."""


_CLoader: type = getattr(yaml, "CSafeLoader", object)


class _FastLoader(_CLoader):
    """libyaml's parser with the same constructors as `_Loader`; any repeated key sends the
    document to the careful path, which decides (it tells 1 from '1') and names the lines."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = [key.value for key, _ in node.value if isinstance(key, yaml.ScalarNode)]
        if len(set(keys)) != len(keys):
            raise _NotVouched
        return super().construct_mapping(node, deep)


if _CLoader is not object:
    _FastLoader.add_constructor("tag:yaml.org,2002:int", _int_or_clock)
    _FastLoader.add_constructor("tag:yaml.org,2002:float", yaml.SafeLoader.construct_scalar)
    _FastLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def _fast_load(text: str) -> tuple[Any] | None:
    """(data,) read by libyaml, or None where only the careful path may judge the text."""
    if _CLoader is object:
        return None
    try:
        data = yaml.load(text, Loader=_FastLoader)  # a SafeLoader subclass: safe_load semantics
    except (_NotVouched, yaml.YAMLError, RecursionError, ValueError, TypeError):
        return None
    if data is None or not _within_bounds(data):
        return None
    return (data,)


def _within_bounds(data: Any) -> bool:
    """Nesting at most MAX_NESTING deep and at most MAX_YAML_NODES nodes with aliases expanded.

    Aliases are shared objects after loading: each is sized once (by identity), so an alias
    bomb is measured without being expanded. No recursion.
    """
    sizes: dict[int, int] = {}
    stack: list[tuple[Any, int, bool]] = [(data, 1, False)]
    while stack:
        value, depth, children_done = stack.pop()
        if isinstance(value, dict):
            children: Iterable[Any] = [part for pair in value.items() for part in pair]
        elif isinstance(value, list):
            children = value
        else:
            continue
        if children_done:
            sizes[id(value)] = 1 + sum(sizes.get(id(child), 1) for child in children)
            if sizes[id(value)] > MAX_YAML_NODES:
                return False
            continue
        if depth > MAX_NESTING:
            return False
        if id(value) in sizes:
            continue
        sizes[id(value)] = 1  # in progress
        stack.append((value, depth, True))
        stack.extend((child, depth + 1, False) for child in children if isinstance(child, (dict, list)))
    return True


def _json_load(text: str) -> tuple[Any] | None:
    """(data,) for a document written as JSON, which is YAML too and reads many times faster.

    Anything json refuses (YAML's own flow style, a key written twice, deep nesting) goes on
    to the YAML paths, which judge it as YAML.
    """
    try:
        # Fractions and NaN, Infinity kept as written, as the YAML readers keep them.
        data = json.loads(text, object_pairs_hook=_unique_keys, parse_float=str, parse_constant=str)
    except (json.JSONDecodeError, _DuplicateKey, RecursionError):
        return None
    return None if _nested_too_deep(data) else (data,)


Lines = Mapping[tuple[str | int, ...], int]
"""Place in the document -> its 1-based line."""


class _LinesOnDemand(Mapping[tuple[str | int, ...], int]):
    """Lines of a document read on the fast path, found only when an error needs one.

    Composing a large file node by node in Python takes far longer than the C loader:
    a valid file never pays for it.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines: dict[tuple[str | int, ...], int] | None = None

    def _found(self) -> dict[tuple[str | int, ...], int]:
        if self._lines is None:
            self._lines = {}  # stays empty where libyaml read what the pure-Python parser refuses
            with suppress(yaml.YAMLError, _TooDeep, RecursionError):
                loader = _Loader(self._text)
                try:
                    node = loader.get_single_node()
                    self._lines = _node_lines(node) if node is not None else {}
                finally:
                    loader.dispose()
        return self._lines

    def __getitem__(self, key: tuple[str | int, ...]) -> int:
        return self._found()[key]

    def __iter__(self) -> Iterator[tuple[str | int, ...]]:
        return iter(self._found())

    def __len__(self) -> int:
        return len(self._found())


def parse_yaml(text: str, source: str) -> tuple[Any, Lines]:
    """Safe-load one YAML document, with a map of places to lines.

    libyaml's C loader reads a valid file; anything it cannot vouch for (a key written
    twice, deep nesting, aliases that expand too far, any error at all) is read again by
    the careful pure-Python path, which names the line of the problem.
    """
    _refuse_long_numbers(text, source)
    fast = _json_load(text) if text.lstrip().startswith("{") else None
    fast = fast or _fast_load(text)
    if fast is not None:
        return fast[0], _LinesOnDemand(text)
    return _careful_load(text, source)


def _careful_load(text: str, source: str) -> tuple[Any, Lines]:
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
        elif text.lstrip().startswith("{"):
            message = f"syntax error: {err.problem or err.context}{_as_json(text)}"
        else:
            message = f"YAML syntax error: {err.problem or err.context}"
        raise InputError([Problem((), message, mark.line + 1 if mark else None)], source) from None
    except yaml.YAMLError as err:
        raise InputError([Problem((), f"YAML error: {err}")], source) from None
    finally:
        loader.dispose()
    return data, lines


def _as_json(text: str) -> str:
    """For text that starts like JSON (which YAML reads too): what JSON's own parser says of it,
    so that a JSON file's error is not called a YAML one only."""
    try:
        json.loads(text)
    except json.JSONDecodeError as err:
        return f" (the text reads as JSON; as JSON: {_json_error(err)})"
    except (ValueError, RecursionError):
        return ""
    return ""


MAX_DIGITS = 1_000
"""A run of more digits than this is no number these files hold (Python refuses to read
integers of more than 4,300 digits at all, with an error that names no place)."""
_LONG_NUMBER = re.compile(rf"\d(?:_*\d){{{MAX_DIGITS},}}")
"""More than MAX_DIGITS digits in a row, YAML's underscores between them allowed (9_9_9 is 999)."""


_SAMPLE_STEP = 50
_SAMPLED_RUN = re.compile(rf"[\d_]{{{MAX_DIGITS // _SAMPLE_STEP}}}")


def _refuse_long_numbers(text: str, source: str) -> None:
    # Such a run shows in every 50th character as 20 digits or underscores in a row: that
    # sample is scanned in 3 ms, the whole 15 MB schedule (0.2 s) only when one may be there.
    if not _SAMPLED_RUN.search(text[::_SAMPLE_STEP]):
        return
    found = _LONG_NUMBER.search(text)
    if found is not None:
        digits = sum(1 for c in found.group() if c != "_")
        message = f"a number of {digits:,} digits: no value in these files needs more than {MAX_DIGITS:,}"
        raise InputError([Problem((), message, text.count("\n", 0, found.start()) + 1)], source)


def _json_error(err: json.JSONDecodeError) -> str:
    """'Expecting value at line 3, column 5'; json's 'Unterminated string starting at' already
    ends in 'at', which is then not said twice."""
    joint = " " if err.msg.endswith(" at") else " at "
    return f"{err.msg}{joint}line {err.lineno}, column {err.colno}"


def _too_deep() -> str:
    return f"lists and mappings are nested more than {MAX_NESTING} deep; real files need fewer than 10"


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def _json_too_deep(text: str) -> bool:
    depth = 0
    for bracket in _NOT_A_BRACKET.sub("", _JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_NESTING:
            return True
    return False


def _check_json_nesting(text: str, source: str) -> None:
    """Refuse deep JSON, naming the line where it goes too deep (`parse_json` calls it once the
    parsed data, or the C parser's recursion limit, says so).

    Strings and everything but brackets are cut out by regular expressions first, so a
    15 MB schedule costs a loop over its few hundred thousand brackets only.
    """
    if not _json_too_deep(text):
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
    """Strict JSON: bounded nesting, no key written twice in one object.

    The nesting is measured on what json.loads built (0.05 s for a 15 MB schedule, where a scan
    of the text took 0.18 s); the text is scanned only to name the line of a refusal, and when
    the C parser itself ran out of recursion.
    """
    _refuse_long_numbers(text, source)
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys)
    except RecursionError:
        data = _TOO_DEEP
    except json.JSONDecodeError as err:
        raise InputError([Problem((), f"not valid JSON: {_json_error(err)}", err.lineno)], source) from None
    except _DuplicateKey as dup:
        raise InputError([_duplicate_key_problem(text, dup.args[0])], source) from None
    if data is _TOO_DEEP or _nested_too_deep(data):
        _check_json_nesting(text, source)
        raise InputError([Problem((), _too_deep())], source)  # (the scan names the line first)
    return data


_TOO_DEEP = object()


def _nested_too_deep(data: Any) -> bool:
    """Whether lists and mappings nest more than MAX_NESTING deep, level by level (no recursion)."""
    level: list[Any] = [data] if type(data) is dict or type(data) is list else []
    depth = 0
    while level:
        depth += 1
        if depth > MAX_NESTING:
            return True
        level = [
            v
            for item in level
            for v in (item.values() if type(item) is dict else item)
            if type(v) is dict or type(v) is list
        ]
    return False
