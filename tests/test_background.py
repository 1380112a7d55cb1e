"""`Background`: the child's answer, and the parent's own when the child fails or is not wanted."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from scheduler.background import Background


def test_the_childs_result_comes_back() -> None:
    parent = os.getpid()
    with Background(lambda: (os.getpid() != parent, sum(range(1000)))) as pending:
        assert pending.result() == (True, 499500)


def test_a_child_that_fails_leaves_the_work_to_the_parent() -> None:
    parent = os.getpid()

    def work() -> str:
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return "done here"

    with Background(work) as pending:
        assert pending.result() == "done here"


def test_ready_says_whether_the_result_would_come_at_once() -> None:
    with Background(lambda: time.sleep(30)) as slow:
        assert not slow.ready()
    with Background(lambda: "quick") as quick:
        deadline = time.monotonic() + 10
        while not quick.ready() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert quick.ready() and quick.result() == "quick"


def test_a_niced_child_yields_and_its_parent_keeps_its_own_priority() -> None:
    """Only the child is niced: its work done here after it fails runs at the parent's priority
    (a wrapper that niced itself had left a whole command at +10: the attacker's)."""
    parent, before = os.getpid(), os.nice(0)
    with Background(lambda: os.nice(0), nice=10) as niced:
        assert niced.result() == min(before + 10, 19)

    def fails_in_the_child() -> int:
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return os.nice(0)

    with Background(fails_in_the_child, nice=10) as failing:
        assert failing.result() == before and os.nice(0) == before


def test_a_child_no_longer_wanted_is_stopped_at_once() -> None:
    started = time.monotonic()
    with Background(lambda: time.sleep(30)):
        pass
    assert time.monotonic() - started < 5


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's parent-death signal is Linux's")
def test_a_child_ends_with_its_parent() -> None:
    """A command killed outright (SIGTERM, SIGKILL) must not leave its child working on."""
    read_end, write_end = os.pipe()
    middle = os.fork()
    if middle == 0:  # the command: starts a long child, says which, and waits to be killed
        pending = Background(lambda: time.sleep(30))
        os.write(write_end, str(pending._child).encode())
        time.sleep(30)
        os._exit(0)
    child = int(os.read(read_end, 32))
    os.kill(middle, signal.SIGKILL)
    os.waitpid(middle, 0)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _running(child):
        time.sleep(0.05)
    assert not _running(child)


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's end may wait for a reaper that never comes in a container)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.parametrize("failing", ["fork", "pipe"])
def test_a_fork_the_system_refuses_gives_the_failure_answer_and_leaks_nothing(
    monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    """Out of memory or processes, fork raises: the command goes on as if the child had failed
    (the city hull's fork failing ended a solve with a traceback and no file: the attacker), and
    the pipe made for it is closed."""

    def refused(*_: object) -> None:
        raise OSError(12, "Cannot allocate memory")

    open_before = len(os.listdir("/proc/self/fd"))
    monkeypatch.setattr(os, failing, refused)
    background = Background(lambda: "worked here", on_failure=lambda: "the failure answer")
    assert background.ready()
    assert background.result() == "the failure answer"
    monkeypatch.undo()
    assert len(os.listdir("/proc/self/fd")) == open_before
