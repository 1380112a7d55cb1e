"""YAML and JSON text: keys given twice and deep nesting are errors with lines, never recursion."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scheduler.errors import InputError
from scheduler.parsing import MAX_DIGITS, MAX_NESTING, parse_json, parse_yaml


def refusal(parse: Callable[[str, str], object], text: str) -> str:
    with pytest.raises(InputError) as refused:
        parse(text, "f")
    return refused.value.render()


def test_a_yaml_key_given_twice_names_both_lines_at_any_depth() -> None:
    assert refusal(parse_yaml, "a:\n  b: 1\n  c: 2\n  b: 3\n") == (
        "f:4: a.b: key 'b' appears twice in one mapping (lines 2 and 4); a key may be given once"
    )
    assert "(both on line 1)" in refusal(parse_yaml, "- {priority: 5, priority: 1}\n")


def test_yaml_integers_not_written_in_decimal_stay_as_written() -> None:
    """YAML 1.1 reads 010 as 8, 0x1F as 31 and 1_0 as 10: as ids they changed without a word
    (the attacker's `id: 010` became meeting '8'). Both readers keep them as text."""
    text = "id: 010\nhex: 0x1F\nunder: 1_0\nn: 42\nneg: -3\nzero: 0\nclock: 14:00\n"
    expected = {"id": "010", "hex": "0x1F", "under": "1_0", "n": 42, "neg": -3, "zero": 0, "clock": "14:00"}
    assert parse_yaml(text, "f")[0] == expected
    import yaml

    from scheduler.parsing import _Loader

    assert yaml.load(text, Loader=_Loader) == expected  # the careful reader alike


def test_yaml_fractions_stay_as_written() -> None:
    """No field is a fraction: as floats, ids `1.10` and `.inf` became '1.1' and 'inf' (the second
    attacker's). Both readers keep them as text; a whole number stays a number."""
    text = "id: 1.10\ninf: .inf\nexp: 1.0e+3\nhalf: -.5\nn: 7\n"
    expected = {"id": "1.10", "inf": ".inf", "exp": "1.0e+3", "half": "-.5", "n": 7}
    assert parse_yaml(text, "f")[0] == expected
    import yaml

    from scheduler.parsing import _Loader

    assert yaml.load(text, Loader=_Loader) == expected


def test_json_nan_and_infinity_stay_as_written_as_in_yaml() -> None:
    """Read as JSON, bare NaN and -Infinity became 'nan' and '-inf'; after a comment line the same
    text took the YAML path and kept them (the second attacker's)."""
    text = '{"id": NaN, "topic": -Infinity, "n": 5e0}\n'
    expected = {"id": "NaN", "topic": "-Infinity", "n": "5e0"}
    assert parse_yaml(text, "f")[0] == expected
    assert parse_yaml("# a comment\n" + text, "f")[0] == expected


def test_yaml_merge_keys_and_shared_anchors_are_not_duplicates() -> None:
    data, _ = parse_yaml("base: &b {x: 1}\nuse: {<<: *b, y: 2}\nagain: *b\n", "f")
    assert data == {"base": {"x": 1}, "use": {"x": 1, "y": 2}, "again": {"x": 1}}


def test_a_json_key_given_twice_is_refused() -> None:
    assert refusal(parse_json, '{\n  "a": 1,\n  "a": 2\n}') == (
        "f:3: key 'a' appears twice in one object (lines 2 and 3); a key may be given once"
    )


@pytest.mark.parametrize("parse", [parse_yaml, parse_json])
def test_a_number_of_thousands_of_digits_is_refused_with_its_line(parse: Callable[[str, str], object]) -> None:
    """Python refuses to read an integer of more than 4,300 digits, with an error naming no place
    (it reached the organiser as a traceback); a long one below that limit is refused the same."""
    for digits in (5_001, 1_001):
        text = '{"event": {\n  "slot_minutes": ' + "1" * digits + "}}"
        assert refusal(parse, text) == (
            f"f:2: a number of {digits:,} digits: no value in these files needs more than {MAX_DIGITS:,}"
        )
    assert parse_json('{"a": ' + "9" * MAX_DIGITS + "}", "f") == {"a": int("9" * MAX_DIGITS)}


def test_a_long_number_is_found_wherever_it_starts() -> None:
    """The scan looks at every 50th character first: a run of 1,001 digits shows there whatever
    its offset, and a file full of short numbers (dates, ids, times) is read as it is."""
    for offset in range(60):
        text = '{"a": "' + "x" * offset + '", "b": ' + "7" * (MAX_DIGITS + 1) + "}"
        assert refusal(parse_json, text) == (
            f"f:1: a number of {MAX_DIGITS + 1:,} digits: no value in these files needs more than {MAX_DIGITS:,}"
        )
    underscored = "priority: " + "_".join("9" * 5_000)  # YAML reads 9_9_9 as 999
    assert refusal(parse_yaml, "a: 1\n" + underscored + "\n") == (
        f"f:2: a number of 5,000 digits: no value in these files needs more than {MAX_DIGITS:,}"
    )
    short = "[" + ", ".join(f'"2025-11-13", {n}, "r{n:06d}"' for n in range(20_000)) + "]"
    assert len(parse_json(short, "f")) == 60_000


@pytest.mark.parametrize("depth", [MAX_NESTING + 1, 1_200, 50_000])
def test_deep_yaml_is_refused_without_recursion(depth: int) -> None:
    message = refusal(parse_yaml, "a:\n  - " + "[" * depth + "]" * depth + "\n")
    assert message.startswith("f:2: lists and mappings are nested more than 100 deep")


def test_nesting_up_to_the_limit_is_read() -> None:
    depth = MAX_NESTING - 1  # the document's own mapping is the first level
    data, _ = parse_yaml("a: " + "[" * depth + "]" * depth + "\n", "f")
    assert isinstance(data["a"], list)
    assert parse_json("[" * MAX_NESTING + "]" * MAX_NESTING, "f") == parse_json("[" * 100 + "]" * 100, "f")


def test_deep_json_is_refused_and_brackets_in_strings_do_not_count() -> None:
    assert refusal(parse_json, "[" * 3072).startswith("f:1: lists and mappings are nested more than 100 deep")
    quoted = '{"a": "' + "[" * 500 + '\\"", "b": [[1]]}'
    assert parse_json(quoted, "f") == {"a": "[" * 500 + '"', "b": [[1]]}


SAMPLES = [
    "event: {name: X, slot_minutes: 30}\nstart: 09:30\nwhen: 2025-11-13\nn: 1_000\nok: yes\nnone: ~\n",
    "base: &b {x: 1}\nuse: {<<: *b, y: 2}\nagain: *b\nlist: [a, 'b', \"c\", 1.5, -3, 0x10]\n",
    '{"event": {"name": "X"}, "start": "09:30", "n": [1, 2.5, true, null], "s": "caf\\u00e9"}\n',
    "{a: 1, b: [x, y]}\n",  # YAML's flow style, not JSON
]


@pytest.mark.parametrize("text", SAMPLES)
def test_the_fast_paths_read_what_the_careful_path_reads(text: str) -> None:
    from scheduler.parsing import _careful_load

    data, lines = parse_yaml(text, "f")
    careful, careful_lines = _careful_load(text, "f")
    assert data == careful
    assert dict(lines) == dict(careful_lines)  # found on demand, the same lines


def test_a_json_document_with_a_key_twice_is_judged_as_yaml() -> None:
    assert refusal(parse_yaml, '{\n "a": 1,\n "a": 2\n}\n').startswith("f:3: a: key 'a' appears twice")


def test_an_alias_bomb_is_refused_on_the_fast_path_too() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]  # each level holds ten of the one before: 10**9 nodes
    lines += [
        f"{name}: &{name} [{', '.join([f'*{below}'] * 10)}]" for below, name in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    assert "alias bomb" in refusal(parse_yaml, "\n".join(lines) + "\n")


def test_lines_of_a_text_only_libyaml_reads_are_none_not_a_crash() -> None:
    """libyaml and PyYAML's own parser disagree on a few corrupted texts: lines are then unknown."""
    from scheduler.parsing import _LinesOnDemand

    assert dict(_LinesOnDemand("a: [1, 2\n")) == {}
    assert dict(_LinesOnDemand("a:\n  b: 1\n")) == {(): 1, ("a",): 2, ("a", "b"): 2}


def test_a_json_syntax_error_is_not_called_a_yaml_one_and_gives_jsons_own_words() -> None:
    """An instance written as JSON with a comma missing: YAML (which reads JSON too) names the
    place; the message says 'syntax error' and what JSON's parser says, not 'YAML syntax error'."""
    message = refusal(parse_yaml, '{"event": {"name": "x", "timezone": "UTC"}\n "venues": []}\n')
    assert message.startswith("f:2: syntax error: ") and "YAML" not in message
    assert "(the text reads as JSON; as JSON: Expecting ',' delimiter at line 2, column 2)" in message
    assert refusal(parse_yaml, "a: [1, 2\nb: 3\n").startswith("f:2: YAML syntax error: ")  # plain YAML: as before
    data, _ = parse_yaml('{"a": [1, 2,],}\n', "f")  # a trailing comma: YAML accepts it, and so do we
    assert data == {"a": [1, 2]}
