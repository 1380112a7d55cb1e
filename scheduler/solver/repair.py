"""Neighbourhoods for repairing a packed date: which meetings may move to make room for those left out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping


def around(free: set[str], placed: Mapping[str, object], people: Mapping[str, list[str]]) -> set[str]:
    """`free` and every placed meeting that shares a person with one of them: one step wider.

    Moving a left-out meeting's people's other meetings is what frees a slot they share; the
    meetings of those meetings' people come in at the next step, if this one is not enough.
    """
    by_person: dict[str, list[str]] = defaultdict(list)
    for mid in placed:
        for pid in people[mid]:
            by_person[pid].append(mid)
    touched = {pid for mid in free for pid in people[mid]}
    return free | {mid for pid in touched for mid in by_person[pid]}
