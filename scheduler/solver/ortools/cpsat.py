"""Running CP-SAT so that Ctrl-C always reaches us, at any moment of a multi-stage solve.

CP-SAT's own SIGINT handler exists only while it solves: a Ctrl-C landing as a stage ends,
or one that stops a stage before its first solution, could go unnoticed and the next stage
would run on. Instead the search runs in a worker thread with that handler off, and the
main thread waits on an event in short steps, where Python delivers KeyboardInterrupt; we then ask the
search to stop, keep what it found, and say that it was interrupted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ortools.sat.python import cp_model


class Stall(cp_model.CpSolverSolutionCallback):
    """Tells when a search has stopped improving: no better solution for `patience` seconds, or
    for `share` of the time it took to find the last one, whichever is longer. CP-SAT has no
    parameter for this (its maintainers advise a timer calling StopSearch, which
    `solve_interruptibly` is)."""

    def __init__(self, patience: float, share: float) -> None:
        super().__init__()
        self.patience, self.share = patience, share
        self.started = time.monotonic()
        self.last: float | None = None

    def on_solution_callback(self) -> None:
        self.last = time.monotonic()  # (each solution CP-SAT reports improves on the one before)

    def stalled(self) -> bool:
        if self.last is None:
            return False
        return time.monotonic() - self.last > max(self.patience, self.share * (self.last - self.started))


def solve_interruptibly(
    solver: cp_model.CpSolver,
    model: cp_model.CpModel,
    callback: cp_model.CpSolverSolutionCallback | None = None,
    stall: Stall | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> tuple[object, bool]:
    """The solver's status, and whether Ctrl-C stopped it. With `stall` (then also the callback),
    the search stops once it stalls: not an interruption, the result stands. `meanwhile` is
    called about ten times a second on this thread while the search runs (a child's answer to
    collect)."""
    solver.parameters.catch_sigint_signal = False
    if stall is not None:
        assert callback is None, "a stall watch is the search's callback"
        callback = stall
    result: dict[str, object] = {}
    done = threading.Event()

    def work() -> None:
        try:
            result["status"] = solver.solve(model, callback)
        except BaseException as error:  # reported from the main thread below
            result["error"] = error
        finally:
            done.set()

    threading.Thread(target=work, name="cp-sat", daemon=True).start()
    interrupted = False
    while True:
        # Event.wait, not Thread.join: a KeyboardInterrupt inside join() can corrupt the
        # thread's state so that is_alive() lies; an interrupted wait is harmless.
        try:
            if done.wait(0.1):
                break
            if stall is not None and stall.stalled():
                solver.stop_search()
            if meanwhile is not None:
                meanwhile()
        except KeyboardInterrupt:
            interrupted = True
            solver.stop_search()
    if "error" in result:
        raise result["error"]  # type: ignore[misc]
    return result["status"], interrupted
