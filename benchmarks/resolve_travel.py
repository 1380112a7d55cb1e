"""Re-solving the 2025 Week after its travel rule is raised: a table.

    python benchmarks/resolve_travel.py [--time-limit 60] [--hours 18 20]

Solves instances/2025.yaml once, then for each raised `min_hours` of its Beijing -> Hangzhou
rule re-solves from that schedule, without and with `--max-moves 100`, and prints status,
meetings placed, total priority against the proven bound, the solver's seconds, and the
dropped and moved meetings (how many of them name the travel rule as their cause). Each
schedule is checked (`schedule check --previous`) before it counts.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEEK = ROOT / "instances" / "2025.yaml"
RULE = re.compile(r"(\{from: Beijing, to: Hangzhou, min_hours: )(\d+)(\})")


def schedule(*args: str | Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scheduler", *map(str, args)], cwd=ROOT, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"schedule {args[0]} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--hours", type=int, nargs="+", default=[18, 20])
    args = parser.parse_args()
    text = WEEK.read_text()
    if not RULE.search(text):
        raise SystemExit(f"{WEEK}: no Beijing -> Hangzhou travel rule to raise")
    limit = str(args.time_limit)
    print(
        "| min_hours | max_moves | status | placed | priority | bound | solver_s | dropped (travel) | moved (travel) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        first = tmp / "first.json"
        schedule("solve", WEEK, "--out", first, "--time-limit", limit, "--workers", "2")
        for hours in args.hours:
            edited = tmp / f"week-{hours}.yaml"
            edited.write_text(RULE.sub(rf"\g<1>{hours}\g<3>", text))
            for moves in ("0", "100"):
                out = tmp / f"resolved-{hours}-{moves}.json"
                schedule("resolve", edited, "--previous", first, "--out", out, "--time-limit", limit,
                         "--workers", "2", "--max-moves", moves)  # fmt: skip
                schedule("check", edited, out, "--previous", first)
                data = json.loads(out.read_text())
                counts = {}
                for kind in ("dropped", "moved"):
                    changes = [c for c in data["changes"] if c["change"] == kind]
                    travel = sum(c["cause"].startswith("no time to travel") for c in changes)
                    counts[kind] = f"{len(changes)} ({travel})"
                print(
                    f"| {hours} | {moves} | {data['status']} | {len(data['assignments'])} | {data['objective']} "
                    f"| {data['bound']} | {data['solve_seconds']:.1f} | {counts['dropped']} | {counts['moved']} |"
                )


if __name__ == "__main__":
    main()
