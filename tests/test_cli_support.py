"""What the commands share: a schedule goes with its own instance; a recorded instance is found beside it."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import solved

from scheduler.cli_support import load_pair, recorded_instance
from scheduler.errors import InputError


def test_load_pair_refuses_a_schedule_made_for_another_instance(sample_copy: Path) -> None:
    schedule_path = solved(sample_copy)
    instance, schedule = load_pair(sample_copy, schedule_path)
    assert schedule.objective > 0 and len(instance.meetings) == 10
    sample_copy.write_text(sample_copy.read_text() + "\n# edited\n")
    with pytest.raises(InputError, match="was made for another instance"):
        load_pair(sample_copy, schedule_path)


def test_recorded_instance_is_found_beside_the_schedule_or_named(tmp_path: Path) -> None:
    (tmp_path / "event.yaml").write_text("x")
    schedule_path = tmp_path / "event.schedule.json"
    assert recorded_instance("elsewhere/event.yaml", schedule_path) == tmp_path / "event.yaml"
    with pytest.raises(InputError, match="neither here nor beside it; pass --instance"):
        recorded_instance("missing.yaml", schedule_path)
