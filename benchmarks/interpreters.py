"""Interpreters benchmark: the cost of a scarce pool of interpreters, printed as a table.

    python benchmarks/interpreters.py                       # 1,000/5,000, 60 s, without and with 20
    python benchmarks/interpreters.py --size 300x1000 --limit 30 --interpreters 8

The generated instance (`schedule generate`, seed 1) gets languages: Italians speak it (70%
also en), Chinese zh (60% also en), so an IT-ZH pair without English needs an interpreter.
Each row solves in a fresh process, total priority only (no quality phases), and is checked
by the independent verifier before it counts. "without" is the same instance with no
interpreters listed (such meetings are scheduled and flagged "no common language"); "with"
lists N interpreters speaking it, zh and en, each in one city per date (half of them capped
at 25 meetings). Instances go to benchmarks/results/, which git ignores.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"


def with_languages(data: dict[str, Any], interpreters: int, seed: int = 1) -> dict[str, Any]:
    """The generated instance with languages, and `interpreters` interpreters (0: none listed)."""
    rng = random.Random(seed)
    for person in data["participants"]:
        if person["country"] == "IT":
            person["languages"] = ["it", "en"] if rng.random() < 0.7 else ["it"]
        else:
            person["languages"] = ["zh", "en"] if rng.random() < 0.6 else ["zh"]
    dates = sorted({day["date"] for venue in data["venues"] for day in venue["days"]})
    cities = sorted({venue["city"] for venue in data["venues"]})
    data["interpreters"] = [
        {
            "id": f"int-{k:02d}",
            "name": f"Interpreter {k}",
            "languages": ["it", "zh", "en"],
            "available": [{"date": d, "city": rng.choice(cities)} for d in dates],
            **({"max_meetings": 25} if k % 2 else {}),
        }
        for k in range(interpreters)
    ]
    return data


def one_run(instance_path: str, limit: float, workers: int) -> dict[str, object]:
    """Child process: solve (priority only), verify, measure; figures as JSON on stdout."""
    import time

    from scheduler.solver.convert import outcome_to_schedule
    from scheduler.solver.pipeline import solve
    from scheduler.solver.prepared import Prepared
    from scheduler.solver.request import SolveParams, SolveRequest
    from scheduler.store import load_instance
    from scheduler.verify import verify

    began = time.monotonic()
    instance, sha = load_instance(instance_path)
    request = SolveRequest(instance)
    needing = sum(1 for m in instance.meetings if instance.needs_interpreter(m.participants))
    outcome = solve(request, SolveParams(time_limit=limit, workers=workers, seed=1, quality=False))
    schedule = outcome_to_schedule(outcome, request, instance_path, sha)
    interpreted = sum(1 for a in schedule.assignments if a.interpreter is not None)
    unaided = sum(
        1 for a in schedule.assignments if a.interpreter is None and instance.needs_interpreter(a.participants or [])
    )
    return {
        "needing": needing,
        "options": sum(len(o) for o in Prepared(request).options),
        "placed": len(schedule.assignments),
        "interpreted": interpreted,
        "unaided": unaided,
        "objective": outcome.objective,
        "bound": outcome.bound,
        "status": outcome.status,
        "stages": outcome.stages,
        "seconds": round(outcome.seconds, 1),
        "wall": round(time.monotonic() - began, 1),
        "violations": len(verify(instance, schedule)),
    }


def child(args: list[str]) -> dict[str, object]:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])


def instance_path(size: str, interpreters: int) -> str:
    import yaml

    from scheduler.generate import generate

    participants, requests = (int(x) for x in size.split("x"))
    path = RESULTS / f"interpreters-{participants}x{requests}-{interpreters}.yaml"
    if not path.exists():
        RESULTS.mkdir(exist_ok=True)
        data = with_languages(generate(participants, requests, seed=1), interpreters)
        if not interpreters:
            del data["interpreters"]
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return str(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="1000x5000")
    parser.add_argument("--limit", type=float, default=60.0)
    parser.add_argument("--interpreters", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--one", nargs=2, metavar=("INSTANCE", "LIMIT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_run(args.one[0], float(args.one[1]), args.workers)))
        return

    from rich.console import Console
    from rich.table import Table

    console = Console()
    columns = [
        "case",
        "interpreters",
        "need one",
        "options",
        "placed",
        "interpreted",
        "no common language",
        "total priority",
        "bound",
        "status",
        "solve s",
        "wall s",
        "checked",
    ]
    table = Table(title=f"interpreters at {args.size}, {args.limit:g} s, {args.workers} workers, priority only")
    for col in columns:
        table.add_column(col, justify="right")
    markdown = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for count in (0, args.interpreters):
        path = instance_path(args.size, count)
        run = child(["--one", path, str(args.limit), "--workers", str(args.workers)])
        console.print(f"{args.size} with {count}: {run}", style="dim")
        cells = [
            args.size,
            str(count) if count else "none listed",
            f"{run['needing']:,}",
            f"{run['options']:,}",
            f"{run['placed']:,}",
            f"{run['interpreted']:,}",
            f"{run['unaided']:,}",
            f"{run['objective']:,}",
            f"{run['bound']:,}",
            str(run["status"]),
            str(run["seconds"]),
            str(run["wall"]),
            "ok" if run["violations"] == 0 else f"{run['violations']} violations",
        ]
        table.add_row(*cells)
        markdown.append("| " + " | ".join(cells) + " |")
    console.print(table)
    print("\n".join(markdown))


if __name__ == "__main__":
    main()
