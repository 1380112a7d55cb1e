"""Input problems that name their place, so a person can find and fix them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

MAX_PROBLEMS_SHOWN = 50


def format_place(loc: Sequence[str | int]) -> str:
    """Turn ('meetings', 12, 'participants', 1) into 'meetings[12].participants[1]'."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, at one place."""

    loc: tuple[str | int, ...]
    message: str
    line: int | None = None

    @property
    def place(self) -> str:
        return format_place(self.loc)

    def render(self, source: str | None) -> str:
        parts = [source] if source else []  # no file (a command-line option): the place says where
        if self.line is not None and parts:
            parts[0] += f":{self.line}"
        if self.loc:
            parts.append(self.place)
        return ": ".join([*parts, self.message])


class InputError(Exception):
    """Bad input: one or more problems, each naming its place; the CLI exits 2."""

    def __init__(self, problems: Iterable[Problem], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        super().__init__(self.render())

    def with_source(self, source: str, lines: Mapping[tuple[str | int, ...], int] | None = None) -> InputError:
        """The same problems, attributed to a file and (where known) its lines."""
        located = [
            replace(p, line=p.line if p.line is not None else _nearest_line(p.loc, lines or {})) for p in self.problems
        ]
        return InputError(located, source)

    def render(self) -> str:
        shown = self.problems[:MAX_PROBLEMS_SHOWN]
        lines = [p.render(self.source) for p in shown]
        if len(self.problems) > len(shown):
            lines.append(f"... and {len(self.problems) - len(shown)} more problems")
        return "\n".join(lines)


def _nearest_line(loc: tuple[str | int, ...], lines: Mapping[tuple[str | int, ...], int]) -> int | None:
    """The line of the deepest enclosing place the YAML parser recorded."""
    for depth in range(len(loc), -1, -1):
        if loc[:depth] in lines:
            return lines[loc[:depth]]
    return None
