"""Running CP-SAT so that Ctrl-C always reaches us, at any moment of a multi-stage solve.

CP-SAT's own SIGINT handler exists only while it solves: a Ctrl-C landing as a stage ends,
or one that stops a stage before its first solution, could go unnoticed and the next stage
would run on. Instead the search runs in a worker thread with that handler off, and the
main thread waits on an event in short steps, where Python delivers KeyboardInterrupt; we then ask the
search to stop, keep what it found, and say that it was interrupted.
"""

from __future__ import annotations

import signal
import threading

from ortools.sat.python import cp_model


def solve_interruptibly(
    solver: cp_model.CpSolver,
    model: cp_model.CpModel,
    callback: cp_model.CpSolverSolutionCallback | None = None,
) -> tuple[object, bool]:
    """The solver's status, and whether Ctrl-C stopped it."""
    solver.parameters.catch_sigint_signal = False
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
        except KeyboardInterrupt:
            interrupted = True
            solver.stop_search()
    if "error" in result:
        raise result["error"]  # type: ignore[misc]
    return result["status"], interrupted


def deliver_ctrl_c() -> None:
    """Make Ctrl-C (SIGINT) raise KeyboardInterrupt even if this process inherited it ignored,
    as background jobs of scripts do; call from the main thread before a long solve."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)
