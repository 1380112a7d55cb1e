"""Quality benchmark: priority only vs. priority then quality, same time limit, printed as a table.

    python benchmarks/quality.py                         # 150/400, 2025, 1,000/5,000 @60 s, 3,000/20,000 @300 s
    python benchmarks/quality.py --cases 150x400,2025    # some of them

For each case both runs solve in a fresh process with the same limit and workers; every
schedule is checked by the independent verifier before it counts. "holes" are idle gaps
inside a session (scheduler.stats); "no meeting" counts people with requests but no
meeting; "min" is the fewest meetings of anyone with requests. Generated instances (seed 1)
go to benchmarks/results/, which git ignores. The targets (issue 11): at 150/400 and on
the 2025 instance, the quality run keeps the proven priority optimum and leaves at most 5%
of the priority-only holes; at 1,000/5,000 and 3,000/20,000, >= 99.9% of the priority-only
total and >= 80% fewer holes.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"
CASES: dict[str, tuple[str, float]] = {
    "150x400": ("gen", 60.0),
    "2025": (str(ROOT / "instances" / "2025.yaml"), 60.0),
    "1000x5000": ("gen", 60.0),
    "3000x20000": ("gen", 300.0),
}


def one_run(instance_path: str, limit: float, workers: int, quality: bool) -> dict[str, object]:
    """Child process: solve, verify, measure; figures as JSON on stdout."""
    from scheduler import stats
    from scheduler.solver.convert import outcome_to_schedule
    from scheduler.solver.pipeline import solve
    from scheduler.solver.request import SolveParams, SolveRequest
    from scheduler.store import load_instance
    from scheduler.verify import verify

    instance, sha = load_instance(instance_path)
    request = SolveRequest(instance)
    outcome = solve(request, SolveParams(time_limit=limit, workers=workers, seed=1, quality=quality))
    schedule = outcome_to_schedule(outcome, request, instance_path, sha)
    counts = stats.meetings_per_person(instance, schedule)
    return {
        "objective": outcome.objective,
        "bound": outcome.bound,
        "status": outcome.status,
        "seconds": round(outcome.seconds, 1),
        "holes": stats.holes(instance, schedule),
        "idle": stats.idle_slots(instance, schedule),
        "table_changes": stats.table_changes(instance, schedule),
        "no_meeting": sum(1 for n in counts.values() if n == 0),
        "min_meetings": min(counts.values(), default=0),
        "violations": len(verify(instance, schedule)),
    }


def child(args: list[str]) -> dict[str, object]:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])


def instance_path(case: str) -> str:
    source, _ = CASES[case]
    if source != "gen":
        return source
    import yaml

    from scheduler.generate import generate

    participants, requests = (int(x) for x in case.split("x"))
    path = RESULTS / f"gen-{participants}x{requests}.yaml"
    if not path.exists():
        RESULTS.mkdir(exist_ok=True)
        path.write_text(yaml.safe_dump(generate(participants, requests, seed=1), sort_keys=False))
    return str(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", default=",".join(CASES), help=f"comma-separated, of {', '.join(CASES)}")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--one", nargs=3, metavar=("INSTANCE", "LIMIT", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        path, limit, mode = args.one
        print(json.dumps(one_run(path, float(limit), args.workers, mode == "quality")))
        return

    from rich.console import Console
    from rich.table import Table

    console = Console()
    columns = [
        "case",
        "limit s",
        "priority only: total",
        "holes",
        "quality: total",
        "holes",
        "priority kept",
        "holes reduced",
        "no meeting",
        "min meetings",
        "table changes",
        "seconds",
        "checked",
    ]
    table = Table(title=f"quality vs priority only ({args.workers} workers)")
    for col in columns:
        table.add_column(col, justify="right")
    markdown = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for case in args.cases.split(","):
        path, limit = instance_path(case), CASES[case][1]
        runs = {}
        for mode in ("priority", "quality"):
            runs[mode] = child(["--one", path, str(limit), mode, "--workers", str(args.workers)])
            console.print(f"{case} {mode}: {runs[mode]}", style="dim")
        base, good = runs["priority"], runs["quality"]
        proven = " ✓" if good["status"] == "OPTIMAL" else ""
        cells = [
            case,
            f"{limit:g}",
            f"{base['objective']:,}" + (" ✓" if base["status"] == "OPTIMAL" else ""),
            f"{base['holes']:,}",
            f"{good['objective']:,}{proven}",
            f"{good['holes']:,}",
            f"{100.0 * good['objective'] / max(1, base['objective']):.2f}%",  # type: ignore[operator]
            f"{100.0 - 100.0 * good['holes'] / max(1, base['holes']):.1f}%",  # type: ignore[operator]
            f"{base['no_meeting']} → {good['no_meeting']}",
            f"{base['min_meetings']} → {good['min_meetings']}",
            f"{base['table_changes']:,} → {good['table_changes']:,}",
            f"{good['seconds']}",
            "yes" if base["violations"] == good["violations"] == 0 else "NO",
        ]
        table.add_row(*cells)
        markdown.append("| " + " | ".join(cells) + " |")
    console.print(table)
    console.print(f"machine: {platform.machine()}, Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}")
    (RESULTS / "quality.md").write_text("\n".join(markdown) + "\n")


if __name__ == "__main__":
    main()
