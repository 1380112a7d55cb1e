"""Benchmarks: solver vs. the plain greedy on generated instances, printed as a table.

    python benchmarks/run.py                    # all sizes, limits 10/60/300 s (about 25 min)
    python benchmarks/run.py --quick            # 150x400 and 1,000x5,000 at 10/60 s
    python benchmarks/run.py --sizes 3000x20000 --limits 300

Each solve runs in a fresh process so peak memory (maximum resident set size) is its own:
reading the instance and the whole staged solve. "build s" is timed in another process:
preparing every meeting's options and building the full CP-SAT model once. Every schedule,
the solver's and the greedy's, is checked by the independent verifier before it counts.
Instances are generated (seed 1) into benchmarks/results/, which git ignores.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"
SIZES = [(150, 400), (1000, 5000), (3000, 20000), (10000, 60000)]


def build_run(instance_path: str) -> dict[str, object]:
    """Child process: read the instance, then time preparing options and building the full CP model
    once (what the final polish stage builds). Its own process, so it never inflates a solve's peak."""
    from scheduler.solver.ortools.model import ScheduleModel
    from scheduler.solver.prepared import Prepared
    from scheduler.solver.request import SolveRequest
    from scheduler.store import load_instance

    started = time.monotonic()
    instance, _ = load_instance(instance_path)
    read_seconds = time.monotonic() - started
    request = SolveRequest(instance)
    started = time.monotonic()
    ScheduleModel(request, Prepared(request))
    return {
        "read_s": round(read_seconds, 1),
        "build_s": round(time.monotonic() - started, 1),
        "build_peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


def one_run(instance_path: str, limit: float, workers: int) -> dict[str, object]:
    """Child process: read, solve, verify; report figures as JSON on stdout. `peak_mib` is this
    process's maximum resident memory: reading the instance plus the whole solve, nothing else."""
    from scheduler.solver.convert import outcome_to_schedule
    from scheduler.solver.pipeline import solve
    from scheduler.solver.request import SolveParams, SolveRequest
    from scheduler.store import load_instance
    from scheduler.verify import verify

    instance, sha = load_instance(instance_path)
    request = SolveRequest(instance)
    outcome = solve(request, SolveParams(time_limit=limit, workers=workers, seed=1))
    schedule = outcome_to_schedule(outcome, request, instance_path, sha)
    violations = verify(instance, schedule)
    return {
        "first_s": round(outcome.first_schedule_seconds or outcome.seconds, 1),
        "seconds": round(outcome.seconds, 1),
        "objective": outcome.objective,
        "bound": outcome.bound,
        "status": outcome.status,
        "placed": len(outcome.placements),
        "violations": len(violations),
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


def resolve_run(instance_path: str, limit: float, workers: int) -> dict[str, object]:
    """Child process: first solve, then cancel 5% of participants (seeded) and re-solve."""
    import random

    from scheduler.cancellations import parse_cancel
    from scheduler.changes import moved_without_cause
    from scheduler.resolve import plan, resolved_schedule
    from scheduler.solver.convert import outcome_to_schedule
    from scheduler.solver.pipeline import solve
    from scheduler.solver.request import SolveParams, SolveRequest
    from scheduler.store import load_instance
    from scheduler.verify import verify

    instance, sha = load_instance(instance_path)
    request = SolveRequest(instance)
    started = time.monotonic()
    first = outcome_to_schedule(solve(request, SolveParams(limit, workers, 1)), request, instance_path, sha)
    first_seconds = time.monotonic() - started
    gone = random.Random(5).sample([p.id for p in instance.participants], len(instance.participants) // 20)
    started = time.monotonic()
    resolve_plan = plan(instance, first, [parse_cancel(f"participant:{pid}") for pid in gone])
    outcome = solve(resolve_plan.request, SolveParams(limit, workers, 1))
    second_seconds = time.monotonic() - started
    second = resolved_schedule(instance, first, resolve_plan, outcome, instance_path, sha)
    changes = second.changes
    return {
        "cancelled_people": len(gone),
        "first_s": round(first_seconds, 1),
        "resolve_s": round(second_seconds, 1),
        "ratio": round(second_seconds / first_seconds, 3),
        "status": outcome.status,
        "changes": len(changes),
        "unforced_moves": len(moved_without_cause(changes, resolve_plan.affected)),
        "violations": len(verify(instance, first)) + len(verify(instance, second)),
    }


def greedy_run(instance_path: str) -> dict[str, object]:
    from benchmarks.greedy import greedy_schedule
    from scheduler.solver.ortools.aggregate import build_aggregate, solve_lp
    from scheduler.store import load_instance
    from scheduler.verify import verify

    instance, _ = load_instance(instance_path)
    started = time.monotonic()
    schedule = greedy_schedule(instance)
    seconds = time.monotonic() - started
    options = {m.id: instance.meeting_options(m) for m in instance.meetings}
    people = {m.id: m.participants for m in instance.meetings}
    lp = solve_lp(build_aggregate(instance, instance.meetings, options, people, instance.rooms), 300)
    proven = lp.bound if lp is not None else None
    return {
        "greedy": schedule.objective,
        "greedy_s": round(seconds, 1),
        "greedy_violations": len(verify(instance, schedule)),
        "lp_bound": proven,
        "requests": len(instance.meetings),
    }


def child(args: list[str]) -> dict[str, object]:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", help="comma-separated NxM, e.g. 1000x5000")
    parser.add_argument("--limits", default="10,60,300", help="time limits in seconds, comma-separated")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--one", nargs=2, metavar=("INSTANCE", "LIMIT"), help=argparse.SUPPRESS)
    parser.add_argument("--greedy", metavar="INSTANCE", help=argparse.SUPPRESS)
    parser.add_argument("--build", metavar="INSTANCE", help=argparse.SUPPRESS)
    parser.add_argument("--resolve", nargs=2, metavar=("INSTANCE", "LIMIT"), help=argparse.SUPPRESS)
    parser.add_argument("--no-resolve", action="store_true", help="skip the re-solve benchmark")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_run(args.one[0], float(args.one[1]), args.workers)))
        return
    if args.greedy:
        print(json.dumps(greedy_run(args.greedy)))
        return
    if args.build:
        print(json.dumps(build_run(args.build)))
        return
    if args.resolve:
        print(json.dumps(resolve_run(args.resolve[0], float(args.resolve[1]), args.workers)))
        return

    import yaml
    from rich.console import Console
    from rich.table import Table

    from scheduler.generate import generate

    sizes = SIZES[:2] if args.quick else SIZES
    if args.sizes:
        sizes = [tuple(int(x) for x in s.split("x")) for s in args.sizes.split(",")]  # type: ignore[misc]
    limits = [10.0, 60.0] if args.quick else [float(x) for x in args.limits.split(",")]
    RESULTS.mkdir(exist_ok=True)
    console = Console()
    rows = []
    for participants, requests in sizes:
        path = RESULTS / f"gen-{participants}x{requests}.yaml"
        if not path.exists():
            path.write_text(yaml.safe_dump(generate(participants, requests, seed=1), sort_keys=False))
        base = child(["--greedy", str(path)]) | child(["--build", str(path)])
        runs = {}
        for limit in limits:
            runs[limit] = child(["--one", str(path), str(limit), "--workers", str(args.workers)])
            console.print(f"{participants}x{requests} @ {limit:g}s: {runs[limit]}", style="dim")
        rows.append((participants, requests, base, runs))

    table = Table(title=f"schedule benchmarks ({args.workers} workers)")
    for col in (
        "size",
        "build s",
        "first s",
        *[f"obj @{x:g}s" for x in limits],
        "proven bound",
        "gap",
        "obj/LP",
        "peak MiB",
        "greedy",
        "vs greedy",
        "checked",
    ):
        table.add_column(col, justify="right")
    markdown = ["| " + " | ".join(c.header for c in table.columns) + " |", "|" + "---|" * len(table.columns)]
    for participants, requests, base, runs in rows:
        last = runs[limits[-1]]
        gap = 100.0 * (last["bound"] - last["objective"]) / max(1, last["bound"])  # type: ignore[operator]
        lp = base["lp_bound"]
        ok = all(r["violations"] == 0 for r in runs.values()) and base["greedy_violations"] == 0
        cells = [
            f"{participants:,}/{requests:,}",
            str(base["build_s"]),
            str(min(r["first_s"] for r in runs.values())),  # type: ignore[type-var]
            *[f"{runs[x]['objective']:,}" + (" ✓" if runs[x]["status"] == "OPTIMAL" else "") for x in limits],
            f"{last['bound']:,}",
            f"{gap:.2f}%",
            f"{100.0 * last['objective'] / lp:.2f}%" if lp else "—",  # type: ignore[operator]
            str(max(r["peak_mib"] for r in runs.values())),  # type: ignore[type-var]
            f"{base['greedy']:,}",
            f"{100.0 * last['objective'] / max(1, base['greedy']) - 100:+.1f}%",  # type: ignore[operator]
            "yes" if ok else "NO",
        ]
        table.add_row(*cells)
        markdown.append("| " + " | ".join(cells) + " |")
    console.print(table)
    machine = f"{platform.machine()}, {platform.python_version()}, {time.strftime('%Y-%m-%d')}"
    console.print(f"machine: {machine}; ✓ = proven optimal; obj/LP = objective / aggregated LP bound")
    if not args.no_resolve:
        path = RESULTS / "gen-1000x5000.yaml"
        if not path.exists():
            path.write_text(yaml.safe_dump(generate(1000, 5000, seed=1), sort_keys=False))
        figures = child(["--resolve", str(path), "60", "--workers", str(args.workers)])
        resolve_table = Table(title="re-solve after cancelling 5% of participants (1,000 x 5,000)")
        for key in figures:
            resolve_table.add_column(key.replace("_", " "), justify="right")
        resolve_table.add_row(*[str(v) for v in figures.values()])
        console.print(resolve_table)
        markdown += [
            "",
            "| " + " | ".join(figures) + " |",
            "|" + "---|" * len(figures),
            "| " + " | ".join(str(v) for v in figures.values()) + " |",
        ]
    (RESULTS / "table.md").write_text("\n".join(markdown) + "\n")


if __name__ == "__main__":
    main()
