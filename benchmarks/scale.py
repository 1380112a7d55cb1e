"""The largest events on one machine (issue 14), printed as tables: whole commands, wall-clock.

    python benchmarks/scale.py                 # everything below (about 45 min on 2 cores)
    python benchmarks/scale.py --only load     # reading and preparing 90,000 requests (1 min)
    python benchmarks/scale.py --only solve    # 15,000 x 90,000 at --time-limit 600
    python benchmarks/scale.py --only short    # 10,000 x 60,000 at --time-limit 10
    python benchmarks/scale.py --only workers  # 15,000 x 90,000, 1 and 2 workers, 60 and 300 s
    python benchmarks/scale.py --only quality  # 15,000 x 90,000 at 300 s, with and without --priority-only
    python benchmarks/scale.py --only resolve  # 10,000 x 60,000: cancel 5% of participants

Each command runs as the organiser runs it (`python cli.py solve ...`) in its own process:
"wall s" is the whole command from start to exit (reading, solving, reasons, check, write) and
"peak MiB" its own process's maximum resident memory, "with children MiB" the largest that
it and the children it forks held together (proportional set sizes, sampled twice a second:
pages shared copy-on-write count once). Every schedule written is checked again here by
`schedule check`, in another process. Instances are generated (seed 1) into
benchmarks/results/ (git ignores it), as JSON: JSON is YAML too, and reads far faster.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"
CLI = [sys.executable, str(ROOT / "cli.py")]


def instance(participants: int, requests: int, suffix: str = ".json") -> Path:
    path = RESULTS / f"gen-{participants}x{requests}{suffix}"
    if not path.exists():
        RESULTS.mkdir(parents=True, exist_ok=True)
        run([*CLI, "generate", "-n", str(participants), "-m", str(requests), "--seed", "1", "-o", str(path)])
    return path


def run(command: list[str]) -> dict[str, float | int | str]:
    """Run a command to its end: exit status, wall seconds, peak MiB, and what it printed.

    "peak_mib" is the command's own process at its largest (the kernel's count); "tree_mib" the
    largest sum, sampled twice a second, of the proportional set sizes of the command and the
    children it forks (PDLP, the city hull, the reasons' other half): pages they share are
    counted once between them, so this is what the machine must hold.
    """
    log = RESULTS / "last-command.log"
    peak_tree = [0]
    with log.open("w") as out:
        started = time.monotonic()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        sampler = threading.Thread(target=_sample_tree, args=(process, peak_tree), daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - started
        sampler.join()
    return {
        "exit": os.waitstatus_to_exitcode(status),
        "wall_s": round(wall, 1),
        "wall": wall,
        "peak_mib": usage.ru_maxrss // 1024,
        "tree_mib": peak_tree[0] // 1024 if peak_tree[0] else "-",
        "output": log.read_text()[-20_000:],
    }


def _sample_tree(process: subprocess.Popen[bytes], peak: list[int]) -> None:
    """Until `process` ends: the largest summed PSS (KiB) of it and its descendants, in peak[0]."""
    while process.returncode is None and os.path.exists(f"/proc/{process.pid}"):
        peak[0] = max(peak[0], sum(_pss_kib(pid) for pid in _descendants(process.pid)))
        time.sleep(0.5)


def _descendants(pid: int) -> list[int]:
    """pid and every process below it (Linux's /proc; empty where there is none)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    queue.extend(int(child) for child in children.read().split())
        except OSError:
            continue
    return found


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            return next((int(line.split()[1]) for line in rollup if line.startswith("Pss:")), 0)
    except OSError:
        return 0


def checked(instance_path: Path, schedule_path: Path, previous: Path | None = None) -> str:
    extra = ["--previous", str(previous)] if previous is not None else []
    result = run([*CLI, "check", str(instance_path), str(schedule_path), *extra])
    return "ok" if result["exit"] == 0 else f"REJECTED ({result['output'][-300:]})"


def solve_row(instance_path: Path, limit: float, workers: int, label: str, *flags: str) -> dict[str, object]:
    out = RESULTS / f"{instance_path.stem}.t{limit:g}.w{workers}{''.join(flags)}.schedule.json"
    out.unlink(missing_ok=True)
    command = [*CLI, "solve", str(instance_path), "-t", str(limit), "-w", str(workers), "-o", str(out), *flags]
    result = run(command)
    if result["exit"] != 0:
        return {"run": label, "failed": result["output"][-500:]}
    schedule = json.loads(out.read_text())
    objective, bound = schedule["objective"], schedule["bound"]
    summary = " ".join(str(result["output"]).split())
    holes = re.search(r"Idle gaps[ │]*(\d+) holes", summary)
    return {
        "run": label + (f" {' '.join(flags)}" if flags else ""),
        "limit s": limit,
        "workers": workers,
        "wall s": result["wall_s"],
        "first schedule s": schedule.get("first_schedule_seconds"),
        "status": schedule["status"],
        "priority": objective,
        "bound": bound,
        "of bound": f"{100 * objective / bound:.2f}%" if bound else "-",
        "gap": f"{100 * (bound - objective) / bound:.2f}%" if bound else "-",
        "peak MiB": result["peak_mib"],
        "with children MiB": result["tree_mib"],
        "idle holes": holes.group(1) if holes else "?",
        "check": checked(instance_path, out),
    }


def load_child(path: str) -> None:
    """Child process: read, validate and prepare every meeting's options; figures as JSON."""
    from scheduler.solver.prepared import Prepared
    from scheduler.solver.request import SolveRequest
    from scheduler.store import load_instance

    started = time.monotonic()
    loaded, _ = load_instance(path)
    read = time.monotonic() - started
    read_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    prepared = Prepared(SolveRequest(loaded))
    options = sum(len(o) for o in prepared.options)
    total = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    figures = {"read_s": round(read, 1), "total_s": round(total, 1), "options": options}
    print(json.dumps({**figures, "read_peak": read_peak, "peak": peak}))


def load_rows() -> list[dict[str, object]]:
    rows = []
    for suffix in (".json", ".yaml"):
        path = instance(15_000, 90_000, suffix)
        result = subprocess.run(
            [sys.executable, __file__, "--child-load", str(path)], capture_output=True, text=True, check=True, cwd=ROOT
        )
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        rows.append(
            {
                "file": f"{path.name} ({path.stat().st_size / 1e6:.1f} MB)",
                "read + validate s": figures["read_s"],
                "+ prepare s": round(figures["total_s"] - figures["read_s"], 1),
                "total s": figures["total_s"],
                "options": figures["options"],
                "peak MiB after reading": figures["read_peak"],
                "after preparing": figures["peak"],
            }
        )
    return rows


def greedy_value(path: Path) -> int:
    """The plain greedy's total priority (benchmarks/greedy.py), in its own process."""
    code = (
        "import sys; sys.path.insert(0, '.'); from benchmarks.greedy import greedy_schedule; "
        "from scheduler.store import load_instance; "
        f"print(greedy_schedule(load_instance({str(path)!r})[0]).objective)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return int(result.stdout.strip().splitlines()[-1])


def resolve_rows(limit: float) -> list[dict[str, object]]:
    path = instance(10_000, 60_000)
    first = RESULTS / f"{path.stem}.resolve-first.schedule.json"
    for old in RESULTS.glob(f"{path.stem}.resolve-*"):
        old.unlink()
    solved = run([*CLI, "solve", str(path), "-t", str(limit), "-o", str(first)])
    people = [p["id"] for p in json.loads(path.read_text())["participants"]]
    gone = random.Random(5).sample(people, len(people) // 20)
    second = RESULTS / f"{path.stem}.resolve-second.schedule.json"
    cancels = [arg for pid in gone for arg in ("--cancel", f"participant:{pid}")]
    walls = []
    for _ in range(RE_SOLVES):  # these shared cores vary by a quarter from minute to minute: one run says little
        second.unlink(missing_ok=True)
        resolved = run(
            [*CLI, "resolve", str(path), "--previous", str(first), *cancels, "-t", str(limit), "-o", str(second)]
        )
        if resolved["exit"] != 0:
            return [{"run": "resolve", "failed": resolved["output"][-500:]}]
        walls.append(float(resolved["wall"]))
    schedule = json.loads(second.read_text())
    said = " ".join(str(resolved["output"]).split())
    moved = re.search(r"Unaffected meetings moved: (\d+)", said)
    unforced = moved.group(1) if moved else re.sub(r".*Unaffected meetings changed: ", "", said)[:200]
    median = sorted(walls)[len(walls) // 2]
    return [
        {
            "cancelled people": len(gone),
            "first solve wall s": solved["wall_s"],
            "re-solve wall s": ", ".join(f"{w:.1f}" for w in walls),
            "ratio (median)": f"{median / float(solved['wall']):.3f}",  # (unrounded times)
            "changes": len(schedule["changes"]),
            "unaffected moves": unforced,
            "status": schedule["status"],
            "gap": f"{100 * (schedule['bound'] - schedule['objective']) / schedule['bound']:.2f}%",
            "check": checked(path, second, first),
        }
    ]


RE_SOLVES = 3
"""Re-solves timed one after another, from the same first solve."""


def table(title: str, rows: list[dict[str, object]]) -> str:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    lines = [f"### {title}", "", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(row.get(c, "")) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["load", "solve", "short", "workers", "quality", "resolve"], action="append")
    parser.add_argument("--child-load", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_load:
        load_child(args.child_load)
        return
    parts = args.only or ["load", "solve", "short", "workers", "quality", "resolve"]
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"Machine: {machine}; {time.strftime('%Y-%m-%d %H:%M')}\n")
    if "load" in parts:
        print(table("Reading and preparing 15,000 x 90,000", load_rows()), "\n", flush=True)
    if "solve" in parts:
        rows = [solve_row(instance(15_000, 90_000), 600, 2, "15,000 x 90,000")]
        print(table("15,000 x 90,000, --time-limit 600 --workers 2", rows), "\n", flush=True)
    if "short" in parts:
        path = instance(10_000, 60_000)
        row = solve_row(path, 10, 2, "10,000 x 60,000")
        row["greedy"] = greedy_value(path)
        print(table("10,000 x 60,000 in 10 s", [row]), "\n", flush=True)
    if "workers" in parts:
        path = instance(15_000, 90_000)
        rows = [solve_row(path, limit, workers, "15,000 x 90,000") for limit in (60, 300) for workers in (1, 2)]
        print(table("Workers and time (15,000 x 90,000)", rows), "\n", flush=True)
    if "quality" in parts:
        path = instance(15_000, 90_000)
        rows = [
            solve_row(path, 300, 2, "15,000 x 90,000", "--priority-only"),
            solve_row(path, 300, 2, "15,000 x 90,000"),
        ]
        print(table("What the quality goals cost (15,000 x 90,000, 300 s)", rows), "\n", flush=True)
    if "resolve" in parts:
        print(table("Re-solve after cancelling 5% of participants (10,000 x 60,000)", resolve_rows(60)), flush=True)


if __name__ == "__main__":
    main()
