"""Programme benchmark: reading and checking thousands of programme items for everyone, as a table.

    python benchmarks/programme.py                          # 1,000x5,000 with 300, 1,000, 3,000 items
    python benchmarks/programme.py --size 200x1000 --items 300 1000 --before

The generated instance (`schedule generate`, seed 1; everyone available everywhere) gets N
one-minute programme items for `all` in Beijing, outside the sessions (so they take nobody's
meeting time), and travel rules Beijing <-> Hangzhou of 12 hours. The schedule is solved once
without the programme (priority only, 10 s) and then checked against each instance: the meetings
in Hangzhou after a late item in Beijing break travel rules, which is the checker's work to find.
"read" is building the instance and its warnings (programme clashes among them); "check" the
independent checker. `--before` also times the checker as it was before it went per person in
time order (git 8b7bcde), and says whether both flag the same (person, later span) pairs.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scheduler.generate import DATES, SESSIONS, generate  # noqa: E402
from scheduler.instance_warnings import instance_warnings  # noqa: E402
from scheduler.model import Instance, to_minutes  # noqa: E402

BEFORE = "8b7bcde"


def free_minutes() -> list[int]:
    """Minutes of a day outside every session: where an item takes nobody's meeting time."""
    inside = {m for s in SESSIONS for m in range(to_minutes(s["start"]), to_minutes(s["end"]))}
    return [m for m in range(1439) if m not in inside and m + 1 not in inside]


def with_programme(data: dict[str, Any], items: int) -> dict[str, Any]:
    minutes = free_minutes()
    per_date = -(-items // len(DATES))
    if per_date > len(minutes):
        raise SystemExit(f"at most {len(minutes) * len(DATES)} one-minute items fit outside the sessions")
    data = {**data, "participants": [{k: v for k, v in p.items() if k != "available"} for p in data["participants"]]}
    data["programme"] = [
        {
            "id": f"item-{date}-{k}",
            "title": f"Item {k}",
            "kind": "visit",
            "city": "Beijing",
            "date": date,
            "start": f"{m // 60:02d}:{m % 60:02d}",
            "end": f"{(m + 1) // 60:02d}:{(m + 1) % 60:02d}",
        }
        for date in DATES
        for k, m in enumerate(minutes[:per_date])
    ][:items]
    data["travel"] = [
        {"from": "Beijing", "to": "Hangzhou", "min_hours": 12},
        {"from": "Hangzhou", "to": "Beijing", "min_hours": 12},
    ]
    return data


def old_checker() -> Any:
    """scheduler/verify.py as it was at BEFORE, loaded beside today's."""
    source = subprocess.run(
        ["git", "show", f"{BEFORE}:scheduler/verify.py"], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    path = ROOT / "benchmarks" / "results" / "verify_before.py"
    path.parent.mkdir(exist_ok=True)
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("verify_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["verify_before"] = module
    spec.loader.exec_module(module)
    return module


def flagged(violations: list[Any]) -> set[tuple[str, str]]:
    """(person, later span) of each travel sentence: what both checkers must agree on."""
    found = set()
    for v in violations:
        match = re.match(r"(\S+) has (.+?) in \S+ only", v.message)
        if v.rule == "travel" and match:
            found.add((match.group(1), match.group(2)))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="1000x5000")
    parser.add_argument("--items", type=int, nargs="+", default=[300, 1000, 3000])
    parser.add_argument("--before", action="store_true", help="also time the checker of git " + BEFORE)
    args = parser.parse_args()

    from rich.console import Console
    from rich.table import Table

    from scheduler.solver.convert import outcome_to_schedule
    from scheduler.solver.pipeline import solve
    from scheduler.solver.request import SolveParams, SolveRequest
    from scheduler.verify import verify

    participants, requests = (int(x) for x in args.size.split("x"))
    data = generate(participants, requests, seed=1)
    plain = Instance.model_validate(with_programme(data, 0) | {"programme": [], "travel": []})
    request = SolveRequest(plain)
    outcome = solve(request, SolveParams(time_limit=10, workers=2, seed=1, quality=False))
    schedule = outcome_to_schedule(outcome, request, "bench.yaml", "0" * 64)
    before = old_checker() if args.before else None

    columns = ["size", "items each", "meetings", "read s", "warnings", "check s", "travel sentences"]
    if before:
        columns += ["check before s", "same pairs"]
    table = Table(title=f"programme items for everyone at {args.size}")
    for col in columns:
        table.add_column(col, justify="right")
    markdown = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for items in args.items:
        began = time.monotonic()
        instance = Instance.model_validate(with_programme(data, items))
        warnings = instance_warnings(instance)
        read = time.monotonic() - began
        began = time.monotonic()
        found = verify(instance, schedule)
        check = time.monotonic() - began
        travel = [v for v in found if v.rule == "travel"]
        cells = [
            args.size,
            f"{items:,}",
            f"{len(schedule.assignments):,}",
            f"{read:.1f}",
            f"{len(warnings):,}",
            f"{check:.1f}",
            f"{len(travel):,}",
        ]
        if before:
            began = time.monotonic()
            old = before.verify(instance, schedule)
            cells += [f"{time.monotonic() - began:.1f}", "yes" if flagged(old) == flagged(found) else "NO"]
        table.add_row(*cells)
        markdown.append("| " + " | ".join(cells) + " |")
        print(" ".join(cells), file=sys.stderr)
    Console().print(table)
    print("\n".join(markdown))


if __name__ == "__main__":
    main()
