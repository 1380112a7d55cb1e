"""A tighter bound for the largest events: each person's choice of city per date made whole.

The aggregated LP (`aggregate`) lets a person be half in Beijing and half in Hangzhou on the same
date, and most of its excess over the best schedule comes from there: at 15,000 x 90,000 its
bound was 130,191 while the schedules found reached 129,669 (0.40%). For the people whose city
flags the LP leaves fractional, this LP adds Balas' disjunctive hull of their own rows: one
copy of their columns per choice of city on each of their dates ("combination" k, weight
lambda_k), each copy held to that person's rows scaled by lambda_k, and each original column at
most the sum of its copies. Every schedule satisfies it (its own combination at weight 1, the
others at 0), so its LP optimum, and the weak-duality bound from PDLP's duals, bound the best
schedule too. At 15,000 x 90,000: 3,724 people, 29,558 combinations, 788k columns and 899k rows,
PDLP done in 60 s on one core, bound 129,914 (0.19% above that schedule).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import time
from collections import defaultdict

from scheduler.solver.ortools.aggregate import Aggregate, Block, RowKey, lp_of, pdlp_iterate, weak_duality_bound

SPLIT = 0.01
"""A flag between this and 1 - SPLIT: the LP splits that person's day between cities."""
MAX_COMBINATIONS = 27
"""People with more city combinations than this (three cities on each of three dates) are left
out: their copies would grow the LP faster than they tighten it."""
MAX_GROWTH = 5
"""The hull's columns at most this many times the aggregate's: people are taken, most split
first, while they fit (15,000 x 90,000: 4.0 times)."""
PERSON_ROWS = ("person-block", "person-day-city", "person")
HULL_SECONDS_PER_COLUMN = 3.5e-4
"""Building and solving the hull, per aggregate column, on one free core (15,000 x 90,000:
197k columns, 66 s)."""


def split_people(agg: Aggregate, values: list[float]) -> list[str]:
    """People whose city on some date the LP splits, most split first."""
    split: dict[str, float] = defaultdict(float)
    for (pid, _, _), j in agg.flag_column.items():
        if SPLIT < values[j] < 1 - SPLIT:
            split[pid] += min(values[j], 1 - values[j])
    return sorted(split, key=lambda pid: (-split[pid], pid))


def with_city_hull(agg: Aggregate, people: list[str]) -> Aggregate:
    """The aggregate with each of `people`'s own rows replaced, in effect, by their hull over the
    choices of city (the original rows stay: redundant, and simpler to keep)."""
    rows_of: dict[str, list[RowKey]] = defaultdict(list)
    columns_of: dict[str, set[int]] = defaultdict(set)
    flag_columns = set(agg.flag_column.values())
    wanted = set(people)
    for key in agg.entries:
        if key[0] in PERSON_ROWS and key[1] in wanted:
            rows_of[key[1]].append(key)
            columns_of[key[1]].update(j for j, _ in agg.entries[key] if j not in flag_columns)
    cities_of: dict[str, dict[dt.date, list[str]]] = defaultdict(lambda: defaultdict(list))
    for pid, date, city in agg.flag_column:
        if pid in wanted:
            cities_of[pid][date].append(city)
    meeting_of = dict(zip(agg.meeting_column, agg.columns, strict=True))
    hull = Aggregate(
        columns=agg.columns,
        meeting_column=agg.meeting_column,
        flag_column=agg.flag_column,
        cost=list(agg.cost),
        entries=defaultdict(list, agg.entries),  # (new keys only: the aggregate's own lists stay as they are)
        rhs=dict(agg.rhs),
    )
    limit = MAX_GROWTH * len(agg.cost)
    for pid in people:
        dates = sorted(cities_of[pid])
        choices = list(itertools.product(*(sorted(cities_of[pid][date]) for date in dates)))
        if len(choices) > MAX_COMBINATIONS:
            continue
        city_ons = [dict(zip(dates, choice, strict=True)) for choice in choices]
        places = [(date, city) for _, (_, date), city in (meeting_of[j] for j in columns_of[pid])]
        copies = sum(1 for city_on in city_ons for date, city in places if city_on.get(date, city) == city)
        if len(hull.cost) + len(choices) + copies > limit:
            continue  # (one person with many requests must not end the hull for those after them)
        for j in columns_of[pid]:  # each original column at most the sum of its copies
            hull.entries[("copies", pid, j)] = [(j, 1)]
            hull.rhs[("copies", pid, j)] = 0
        hull.rhs[("combinations", pid)] = 1
        for city_on in city_ons:
            _add_combination(hull, agg, pid, city_on, rows_of[pid], columns_of[pid], meeting_of, flag_columns)
    return hull


def _add_combination(
    hull: Aggregate,
    agg: Aggregate,
    pid: str,
    city_on: dict[dt.date, str],
    rows: list[RowKey],
    columns: set[int],
    meeting_of: dict[int, tuple[str, Block, str]],
    flag_columns: set[int],
) -> None:
    """One choice of city per date for `pid`: its weight, its copy of their columns, its rows."""

    def column() -> int:
        hull.cost.append(0)
        return len(hull.cost) - 1

    def row(key: RowKey, terms: list[tuple[int, int]]) -> None:
        hull.entries[key] = terms
        hull.rhs[key] = 0

    weight = column()
    hull.entries[("combinations", pid)].append((weight, 1))
    copy: dict[int, int] = {}
    for j in sorted(columns):
        _, (_, date), city = meeting_of[j]
        if city_on.get(date, city) == city:
            copy[j] = column()
            hull.entries[("copies", pid, j)].append((copy[j], -1))
    for key in rows:
        rhs = agg.rhs[key]
        if math.isinf(rhs):
            continue
        on: object = key[2] if key[0] == "person-day-city" else None
        if isinstance(on, dt.date) and on in city_on:
            if city_on[on] != key[3]:
                continue  # (no copy in that city)
            rhs = sum(-coef for j, coef in agg.entries[key] if j in flag_columns)  # the flag's free slots, at 1
        terms = [(copy[j], coef) for j, coef in agg.entries[key] if j in copy]
        if terms:
            row((*key, "combination", weight), [*terms, (weight, -int(rhs))])
    once: dict[str, list[int]] = defaultdict(list)
    for j, k in copy.items():
        once[meeting_of[j][0]].append(k)
    for mid, copies in once.items():
        row(("once", mid, "combination", weight), [*((k, 1) for k in copies), (weight, -1)])


def hull_bound(agg: Aggregate, values: list[float], seconds: float) -> int | None:
    """The hull LP's proven bound, on one core in this process (a `Background` child's work); None
    if no person's city is split or PDLP gave nothing."""
    started = time.monotonic()
    people = split_people(agg, values)
    if not people:
        return None
    hull = with_city_hull(agg, people)
    if len(hull.cost) == len(agg.cost):
        return None  # (nobody fitted: the LP again would prove what it did)
    qp, rows = lp_of(hull)
    primal, dual = pdlp_iterate(qp, max(0.5, seconds - (time.monotonic() - started)), 1)
    return weak_duality_bound(hull, rows, primal, dual)
