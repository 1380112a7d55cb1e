"""How fast, and in how much memory, pathological input is refused: a table.

    python benchmarks/refusals.py

Each case runs `schedule ...` in a fresh process (so its peak memory, the maximum resident
set size, is its own, Python and imports included) and must end with the expected exit
status. The inputs are the broken files in tests/data/; the FIFO and a smaller year (six
meetings, under the size limit but slow to build, stopped by --time-limit) are made in a
temporary folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SAMPLE = ROOT / "instances" / "sample.yaml"


def measure(args: list[str]) -> tuple[int, float, float]:
    """Exit status, wall seconds and peak memory (MB) of one `schedule` run."""
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "scheduler", *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, time.monotonic() - started, usage.ru_maxrss / 1024


def _far_cell_import(tmp: Path) -> list[str]:
    """`import` arguments whose requests workbook holds one stray cell at the last row and column."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Requester", "Requested"])
    sheet.append(["it-enea-01", "cn-most-01"])
    sheet.cell(row=1048576, column=16384, value="z")
    book.save(tmp / "far.xlsx")
    sheets = DATA / "import"
    return [
        "--participants", str(sheets / "participants.csv"), "--requests", str(tmp / "far.xlsx"),
        "--event", str(sheets / "event.yaml"), "--out", str(tmp / "far.yaml"),
    ]  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        fifo = tmp / "pipe.yaml"
        os.mkfifo(fifo)
        out = str(tmp / "out.json")
        deep = DATA / "invalid-schedules" / "deep-brackets.json"
        whole_year = (DATA / "invalid" / "whole-year-every-minute.yaml").read_text()
        just_under = tmp / "six-meetings.yaml"  # 3.2 M options: under the limit, slow to build
        head, meetings = whole_year.split("meetings:\n")
        just_under.write_text(head + "meetings:\n" + "".join(meetings.splitlines(keepends=True)[:6]))
        cases = [
            (
                "16 KB instance, 21 M options",
                ["solve", str(DATA / "invalid" / "whole-year-every-minute.yaml"), "-o", out],
                2,
            ),
            ("same, 6 meetings, -t 1 (build)", ["solve", str(just_under), "-o", out, "-t", "1", "-w", "1"], 1),
            ("1,200-level YAML", ["check", str(DATA / "invalid" / "deep-nesting.yaml"), str(deep)], 2),
            ("3 KB of JSON brackets", ["timetable", str(SAMPLE), str(deep)], 2),
            ("end 9999999:00", ["timetable", str(SAMPLE), str(DATA / "invalid-schedules" / "end-huge.json")], 2),
            ("/dev/zero as instance", ["solve", "/dev/zero", "-o", out], 2),
            ("FIFO as instance", ["solve", str(fifo), "-o", out], 2),
            ("--out /dev/stdout", ["solve", str(SAMPLE), "-o", "/dev/stdout"], 2),
            ("generate -n 2 -m 1000000", ["generate", "-n", "2", "-m", "1000000", "-o", str(tmp / "g.yaml")], 2),
            (
                "generate -n 100000 -m 1000000",
                ["generate", "-n", "100000", "-m", "1000000", "-o", str(tmp / "g.yaml")],
                2,
            ),
            ("5 KB XLSX, a cell at XFD1048576", ["import", *_far_cell_import(tmp)], 2),
        ]
        print(f"{'case':32} {'exit':>4} {'seconds':>8} {'peak MB':>8}")
        for name, args, expected in cases:
            code, seconds, peak = measure(args)
            flag = "" if code == expected else f"  (expected exit {expected})"
            print(f"{name:32} {code:>4} {seconds:>8.2f} {peak:>8.0f}{flag}")


if __name__ == "__main__":
    main()
