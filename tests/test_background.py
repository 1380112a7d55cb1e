"""`Background`: the child's answer, and the parent's own when the child fails or is not wanted."""

from __future__ import annotations

import os
import time

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


def test_a_child_no_longer_wanted_is_stopped_at_once() -> None:
    started = time.monotonic()
    with Background(lambda: time.sleep(30)):
        pass
    assert time.monotonic() - started < 5
