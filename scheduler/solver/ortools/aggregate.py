"""The aggregated relaxation: which meeting goes to which venue day, ignoring exact times.

Columns z[m, b] for each meeting m and venue day ("block") b where m has an option, and
flag columns f[p, d, c] "person p is in city c on date d" where p has a choice. Every
valid schedule satisfies these rows, so both the LP optimum (PDLP) and the integer
optimum (CP-SAT) bound the best schedule from above:
  - once:            each meeting at most once;
  - choice:          one city per person and date;
  - link:            a meeting's columns in city c on date d, summed, <= f[p, d, c] for each
                     participant p (summing, not one row per column, keeps the LP tight);
  - person-block:    slots a person spends at a venue on a day <= their free slots there;
  - person-day-city: slots a person spends in a city on a date <= their free slots there,
                     times the flag where there is one;
  - person:          at most max_meetings;
  - rooms:           per venue day and size k, slots of meetings of k+ seats <= slots x
                     rooms of capacity >= k (a room holds one meeting at a time; an
                     interpreter takes a seat);
  - interpreters:    per city and date, slots of meetings that need an interpreter <= the
                     interpreters' free slots there; per date, <= each one's best city's.
The LP bound is computed by weak duality from PDLP's duals clamped to >= 0, so it is valid
whatever the LP's numerical accuracy: sum(b*u) + sum over columns of max(0, c - A'u).
The integer model's assignment is the first stage of the decomposition in pipeline.py.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial

from ortools.linear_solver import linear_solver_pb2
from ortools.pdlp import solvers_pb2
from ortools.pdlp.python import pdlp
from ortools.sat.python import cp_model
from ortools.sat.python.cp_model import LinearExpr

from scheduler.background import Background
from scheduler.model import Instance, Meeting, Option, Room
from scheduler.solver.ortools.cpsat import solve_interruptibly

Block = tuple[str, dt.date]
"""A venue day: (venue, date). Sessions are merged: finer blocks made the LP highly degenerate
(morning and afternoon interchangeable) and CP-SAT's LP, at 3,000 x 20,000, did not converge."""
RowKey = tuple[object, ...]


@dataclass
class Aggregate:
    columns: list[tuple[str, Block, str]] = field(default_factory=list)
    """(meeting id, block, city) per meeting column; flag columns have no entry here."""
    meeting_column: list[int] = field(default_factory=list)
    flag_column: dict[tuple[str, dt.date, str], int] = field(default_factory=dict)
    """(person, date, city) -> the column of the flag 'this person is in this city that date'."""
    cost: list[int] = field(default_factory=list)
    entries: dict[RowKey, list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))
    rhs: dict[RowKey, float] = field(default_factory=dict)


def block_of(option: Option) -> Block:
    """The venue day an option lies in."""
    return (option.venue, option.date)


def build_aggregate(
    instance: Instance,
    meetings: list[Meeting],
    options: dict[str, list[Option]],
    participants_of: dict[str, list[str]],
    rooms: list[Room],
    free_ticks_of: Callable[[str, dt.date, str], frozenset[int] | None] | None = None,
    cap_of: Callable[[str], int | None] | None = None,
    seats_of: dict[str, int] | None = None,
) -> Aggregate:
    """The relaxation's rows and columns. `free_ticks_of` and `cap_of` default to the instance's
    availability and max_meetings; a re-solve widens them to what frozen history already holds,
    or the relaxation would exclude the history it must contain and bound below it. `seats_of`:
    chairs per meeting where more than its people (an interpreter's)."""
    step = instance.event.slot_minutes
    free_of = free_ticks_of or instance.free_ticks
    limit_of = cap_of or (lambda pid: instance.participant_by_id[pid].max_meetings)
    agg = Aggregate()
    places = {m.id: sorted({(block_of(o), o.city) for o in options[m.id]}) for m in meetings}
    cities_on: dict[tuple[str, dt.date], set[str]] = defaultdict(set)
    for m in meetings:
        for block, city in places[m.id]:
            for pid in participants_of[m.id]:
                cities_on[(pid, block[1])].add(city)
    caps_by_venue: dict[str, list[int]] = defaultdict(list)
    for room in rooms:
        caps_by_venue[room.venue].append(room.capacity)
    ticks_in_city: dict[tuple[str, dt.date], set[int]] = defaultdict(set)
    ticks_in_block: dict[Block, set[int]] = defaultdict(set)
    room_ticks: dict[Block, int] = defaultdict(int)
    for session in instance.sessions:
        ticks = range(session.start, session.end, step)
        ticks_in_city[(session.city, session.date)].update(ticks)
        ticks_in_block[(session.venue, session.date)].update(ticks)
        room_ticks[(session.venue, session.date)] += len(ticks)

    def free_ticks(pid: str, city: str, date: dt.date, ticks: Iterable[int]) -> int:
        free = free_of(pid, date, city)
        return sum(1 for t in ticks if free is None or t in free)

    def row(key: RowKey, rhs: float | Callable[[], float]) -> list[tuple[int, int]]:
        """The row's entries, creating the row with its right-hand side (computed once) on first use."""
        if key not in agg.rhs:
            agg.rhs[key] = rhs() if callable(rhs) else rhs
        return agg.entries[key]

    # One city per person and date: a flag column per city where there is a choice.
    flags = agg.flag_column
    for (pid, date), cities in sorted(cities_on.items()):
        if len(cities) > 1:
            for city in sorted(cities):
                flags[(pid, date, city)] = flag = len(agg.cost)
                agg.cost.append(0)
                row(("choice", pid, date), 1).append((flag, 1))
                available = free_ticks(pid, city, date, ticks_in_city[(city, date)])
                row(("person-day-city", pid, date, city), 0).append((flag, -available))

    seats = {m.id: (seats_of or {}).get(m.id, len(participants_of[m.id])) for m in meetings}

    def interpreter_slots(date: dt.date, city: str | None) -> float:
        """Slots the instance's interpreters are free in that city (None: each in their best city)."""
        cities = [city] if city is not None else sorted({c for c, d in ticks_in_city if d == date})
        return sum(
            max(free_ticks(i.id, c, date, ticks_in_city[(c, date)]) for c in cities) for i in instance.interpreters
        )

    sizes = sorted(set(seats.values()))
    rooms_seating = {(venue, k): sum(1 for c in caps if c >= k) for venue, caps in caps_by_venue.items() for k in sizes}
    """(venue, k) -> rooms there that seat k: counted once, not per column (1,650 rooms a venue at 60,000)."""
    for m in meetings:
        people = participants_of[m.id]
        for block, city in places[m.id]:
            venue, date = block
            j = len(agg.cost)
            agg.columns.append((m.id, block, city))
            agg.meeting_column.append(j)
            agg.cost.append(m.priority)
            row(("once", m.id), 1).append((j, 1))
            for pid in people:
                in_block = partial(free_ticks, pid, city, date, ticks_in_block[block])
                row(("person-block", pid, block), in_block).append((j, m.slots))
                in_city = partial(free_ticks, pid, city, date, ticks_in_city[(city, date)])
                row(("person-day-city", pid, date, city), in_city).append((j, m.slots))
                cap = limit_of(pid)
                row(("person", pid), math.inf if cap is None else cap).append((j, 1))
                flag_column = flags.get((pid, date, city))
                if flag_column is not None:
                    # Summed over the city's venues: the meeting is in at most one, so <= the flag.
                    link = row(("link", m.id, pid, date, city), 0)
                    if not link:
                        link.append((flag_column, -1))
                    link.append((j, 1))
            if seats[m.id] > len(people):
                row(("interpreters", date, city), partial(interpreter_slots, date, city)).append((j, m.slots))
                row(("interpreters", date), partial(interpreter_slots, date, None)).append((j, m.slots))
            for k in sizes:
                if seats[m.id] >= k:
                    room_slots = room_ticks[block] * rooms_seating[(venue, k)]
                    row(("rooms", block, k), room_slots).append((j, m.slots))
    return agg


def _binding(agg: Aggregate, key: RowKey) -> bool:
    """Whether the row can ever be violated by 0/1 columns (others are left out)."""
    rhs = agg.rhs[key]
    return not math.isinf(rhs) and sum(max(0, coef) for _, coef in agg.entries[key]) > rhs


@dataclass
class LpSolution:
    bound: int
    """Proven by weak duality: no schedule is worth more."""
    values: list[float]
    """PDLP's primal values per column: a guide for rounding, not a proof of anything."""


def solve_lp(agg: Aggregate, time_limit: float, workers: int = 1) -> LpSolution | None:
    """PDLP's relaxation, turned into a proven bound by weak duality; None if PDLP gave nothing.

    PDLP is called directly (not through pywraplp) so that when the time limit cuts it
    short, its last iterate still gives a valid, if looser, bound and a guide for rounding.
    `time_limit` covers building the LP too.
    """
    started = time.monotonic()
    qp, rows = lp_of(agg)
    found = _pdlp(qp, max(0.5, time_limit - (time.monotonic() - started)), workers)
    if found is None:
        return None
    primal, dual = found
    bound = weak_duality_bound(agg, rows, primal, dual)
    if bound is None:
        return None
    return LpSolution(bound, [min(1.0, max(0.0, v)) for v in primal])


def lp_of(agg: Aggregate) -> tuple[pdlp.QuadraticProgram, list[RowKey]]:
    """PDLP's program (every column in [0, 1], rows that can bind) and the rows' keys in order."""
    # The proto is written directly (repeated fields filled in bulk): through pywraplp, one
    # call per coefficient, building took longer than PDLP's own time at 60,000 requests.
    proto = linear_solver_pb2.MPModelProto(maximize=True)
    add_variable = proto.variable.add
    for c in agg.cost:
        add_variable(lower_bound=0.0, upper_bound=1.0, objective_coefficient=float(c))
    rows: list[RowKey] = []
    add_row = proto.constraint.add
    for key, terms in agg.entries.items():
        if _binding(agg, key):
            row = add_row(lower_bound=-math.inf, upper_bound=float(agg.rhs[key]))
            row.var_index.extend([j for j, _ in terms])
            row.coefficient.extend([float(coef) for _, coef in terms])
            rows.append(key)
    return pdlp.qp_from_mpmodel_proto(proto, True), rows


def weak_duality_bound(agg: Aggregate, rows: list[RowKey], primal: list[float], dual: list[float]) -> int | None:
    """No schedule is worth more than this, whatever the duals' accuracy: with the duals clamped
    to >= 0, sum(b*u) + sum over columns of max(0, c - A'u). None if PDLP's answer does not fit."""
    if len(dual) != len(rows) or len(primal) != len(agg.cost):
        return None
    if not all(map(math.isfinite, dual)):
        return None  # (an infinite dual could make a reduced cost NaN, which max(0, .) would drop)
    best = math.inf
    for sign in (1.0, -1.0):  # whichever sign convention the duals follow, both give a valid bound
        duals = {key: max(0.0, sign * u) for key, u in zip(rows, dual, strict=True)}
        reduced = [float(c) for c in agg.cost]
        for key, u in duals.items():
            if u:
                for j, coef in agg.entries[key]:
                    reduced[j] -= coef * u
        value = sum(agg.rhs[key] * u for key, u in duals.items()) + sum(max(0.0, r) for r in reduced)
        best = min(best, value)
    return math.floor(best + 1e-6) if math.isfinite(best) else None


def pdlp_iterate(qp: pdlp.QuadraticProgram, seconds: float, workers: int) -> tuple[list[float], list[float]]:
    """PDLP's (primal, dual) iterate after at most `seconds`, in this process (it holds the GIL)."""
    params = solvers_pb2.PrimalDualHybridGradientParams()
    params.termination_criteria.time_sec_limit = seconds
    params.termination_criteria.simple_optimality_criteria.eps_optimal_relative = 1e-4
    params.termination_criteria.simple_optimality_criteria.eps_optimal_absolute = 1e-4
    params.num_threads = max(1, workers)
    result = pdlp.primal_dual_hybrid_gradient(qp, params)
    return result.primal_solution.tolist(), result.dual_solution.tolist()  # (plain floats pickle fast)


def _pdlp(qp: pdlp.QuadraticProgram, seconds: float, workers: int) -> tuple[list[float], list[float]] | None:
    """PDLP's (primal, dual) iterate after at most `seconds`; None if it gave nothing.

    The call holds the GIL for its whole time limit, so Ctrl-C would wait for it (minutes at
    90,000 requests). Where the system can fork, it runs in a child process that shares the
    model copy-on-write and sends back two lists (`Background`); the parent waits on a pipe,
    which Ctrl-C interrupts at once, and stops the child. (Restarting PDLP in short warm-started steps
    instead cost most of its progress: 140,649 against 86,184 after 4 s at 60,000 requests.)
    """
    # A failed child means no LP, not PDLP again here: that would hold the GIL for its whole limit.
    with Background(partial(pdlp_iterate, qp, seconds, workers), on_failure=lambda: None) as solving:
        return solving.result()


def round_lp(agg: Aggregate, values: list[float]) -> dict[str, Block]:
    """An integer solution of the aggregate from the LP's: meeting id -> venue day.

    Meetings go in order of LP mass times priority, each to its column with the most LP
    value that still fits every row (setting the city flags it needs). At 3,000 x 20,000
    this gives 28,241 in under a second, where the greedy gives 27,032 and stage A from
    the greedy needs about two minutes to pass 28,241.
    """
    binding = [key for key in agg.entries if _binding(agg, key)]
    residual = [agg.rhs[key] for key in binding]
    rows_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    flags_needed: dict[int, list[int]] = defaultdict(list)
    flag_columns = set(agg.flag_column.values())
    for r, key in enumerate(binding):
        terms = agg.entries[key]
        for j, coef in terms:
            rows_of[j].append((r, coef))
        if key[0] == "link":
            flags = [j for j, _ in terms if j in flag_columns]
            for j, _ in terms:
                if j not in flag_columns:
                    flags_needed[j].extend(flags)
    mass: dict[str, float] = defaultdict(float)
    for j, (mid, _, _) in zip(agg.meeting_column, agg.columns, strict=True):
        mass[mid] += values[j]
    columns = dict(zip(agg.meeting_column, agg.columns, strict=True))
    order = sorted(agg.meeting_column, key=lambda j: (-round(mass[columns[j][0]] * agg.cost[j], 3), -values[j], j))
    on = [False] * len(agg.cost)
    chosen: dict[str, Block] = {}
    for j in order:
        mid, block, _ = columns[j]
        if mid in chosen:
            continue
        taking = [j, *{f for f in flags_needed[j] if not on[f]}]
        change: dict[int, int] = defaultdict(int)
        for column in taking:
            for r, coef in rows_of[column]:
                change[r] += coef
        if all(residual[r] >= delta for r, delta in change.items()):
            for column in taking:
                on[column] = True
            for r, delta in change.items():
                residual[r] -= delta
            chosen[mid] = block
    return chosen


def lp_support(agg: Aggregate, values: list[float], start: dict[str, Block], threshold: float = 0.01) -> set[int]:
    """Meeting columns the LP uses (value > threshold) or the start uses: stage A's search space
    on large instances. At 3,000 x 20,000 this keeps 23k of 36k columns, and stage A reaches
    28,408 in 120 s where the full aggregate reaches 28,345."""
    return {
        j
        for j, (mid, block, _) in zip(agg.meeting_column, agg.columns, strict=True)
        if values[j] > threshold or start.get(mid) == block
    }


@dataclass
class AggregateSolution:
    blocks: dict[str, Block]
    """Meeting id -> the venue day the relaxation puts it in."""
    bound: int | None
    """CP-SAT's proven bound on the relaxation: also a bound on the real problem (None when restricted)."""
    objective: int
    interrupted: bool = False


def solve_aggregate(
    agg: Aggregate,
    time_limit: float,
    workers: int,
    seed: int,
    hint: dict[str, Block] | None = None,
    participants_of: dict[str, list[str]] | None = None,
    keep: set[int] | None = None,
    lns_only: bool = False,
    on_value: Callable[[int], None] | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> AggregateSolution | None:
    """The integer relaxation with exact one-city-per-date flags: the decomposition's first stage.

    `keep`: only these meeting columns (see `lp_support`); the result's bound is then None,
    as it bounds only the restriction. `lns_only`: every worker improves the hint by large
    neighbourhood search, none proves bounds (for a restriction, whose bound is not used).
    `on_value`: told each better choice's value, for the progress line (minutes can pass here).
    `meanwhile`: called about ten times a second while CP-SAT searches (`solve_interruptibly`).
    """
    model = cp_model.CpModel()
    zs = [model.new_bool_var("") for _ in agg.cost]
    dropped = set() if keep is None else set(agg.meeting_column) - keep
    for key, all_terms in agg.entries.items():
        if not _binding(agg, key):
            continue
        terms = [(j, coef) for j, coef in all_terms if j not in dropped]
        if not terms:
            continue
        lits = [zs[j] for j, _ in terms]
        if key[0] == "once" or key[0] == "choice":
            model.add_at_most_one(lits)
        else:
            model.add(LinearExpr.weighted_sum(lits, [coef for _, coef in terms]) <= int(agg.rhs[key]))
    live = [j for j in range(len(agg.cost)) if j not in dropped]
    model.maximize(LinearExpr.weighted_sum([zs[j] for j in live], [agg.cost[j] for j in live]))
    if hint and participants_of is not None:
        cities_used: set[tuple[str, dt.date, str]] = set()
        for j, (mid, block, city) in zip(agg.meeting_column, agg.columns, strict=True):
            picked = hint.get(mid) == block and j not in dropped
            model.add_hint(zs[j], picked)
            if picked:
                cities_used.update((pid, block[1], city) for pid in participants_of[mid])
        # A complete hint (flags too) is checked at once and becomes the first solution.
        for key, j in agg.flag_column.items():
            model.add_hint(zs[j], key in cities_used)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.5, time_limit)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    if lns_only:
        # Measured on 15,000 x 90,000's restriction (104k of 197k columns), 150 s, 2 workers:
        # max_lp + core 129,356; default portfolio 129,350; max_lp + quick_restart 129,384;
        # LNS only 129,457 (LP bound 130,193).
        solver.parameters.use_lns_only = True
        # One worker runs a single sequential search, with no neighbourhoods at all, unless they are
        # interleaved in its thread: at 3,000 x 20,000 in 30 s, 28,199 from a start of 28,193
        # without, 28,352 with (two workers: 28,363).
        solver.parameters.interleave_search = workers <= 1
    elif workers <= 4:
        # Measured on 1,000 x 5,000 in 20 s: default portfolio 7,490 (bound 8,711);
        # max_lp + core 7,650 (bound 7,676): the full linearisation is what works here.
        solver.parameters.subsolvers.extend(["max_lp", "core"])
    status, interrupted = solve_interruptibly(
        solver, model, _Values(on_value) if on_value else None, meanwhile=meanwhile
    )
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if interrupted:
            raise KeyboardInterrupt  # stopped before any solution: the caller keeps its best
        return None
    values = solver.boolean_values([zs[j] for j in agg.meeting_column])
    chosen = {
        mid: block
        for j, (mid, block, _), on in zip(agg.meeting_column, agg.columns, values, strict=True)
        if on and j not in dropped
    }
    bound = None if keep is not None else math.floor(solver.best_objective_bound + 1e-6)
    return AggregateSolution(chosen, bound, round(solver.objective_value), interrupted)


class _Values(cp_model.CpSolverSolutionCallback):
    """Passes each better solution's value on (from the search's thread: the callee only records it)."""

    def __init__(self, on_value: Callable[[int], None]) -> None:
        super().__init__()
        self.on_value = on_value

    def on_solution_callback(self) -> None:
        self.on_value(round(self.objective_value))
