"""Signals around work that must not be cut in the middle."""

from __future__ import annotations

import os
import signal

import pytest

from scheduler.termination import ctrl_c_held


def test_a_ctrl_c_while_held_lets_the_work_finish_then_interrupts() -> None:
    finished = []
    with pytest.raises(KeyboardInterrupt), ctrl_c_held():
        os.kill(os.getpid(), signal.SIGINT)
        finished.append("after the signal")  # (not cut here)
    assert finished == ["after the signal"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # (given back)


def test_without_a_ctrl_c_nothing_is_raised() -> None:
    with ctrl_c_held():
        done = True
    assert done
