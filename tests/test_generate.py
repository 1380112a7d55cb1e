"""The synthetic generator: realistic, repeatable, and quick to refuse what cannot exist."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scheduler.cli import app
from scheduler.generate import distinct_requests, generate
from scheduler.model import Instance

runner = CliRunner()


def test_generated_instances_are_valid_and_repeatable() -> None:
    first = generate(30, 50, seed=3)
    assert first == generate(30, 50, seed=3)
    assert len(Instance.model_validate(first).meetings) == 50


def test_distinct_requests_counts_pairs_and_groups_by_hand() -> None:
    assert distinct_requests(2) == 1  # one pair
    assert distinct_requests(4) == 6 + 4 + 1


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["-n", "2", "-m", "1000000"], "--requests: 1,000,000 requests among 2 people: at most 1 different ones exist"),
        (["-n", "3", "-m", "5"], "--requests: 5 requests among 3 people: at most 4 different ones exist"),
        (["-n", "0", "-m", "5"], "'--participants'"),
        (["-n", "-4", "-m", "5"], "'--participants'"),
        (["-n", "10", "-m", "-1"], "'--requests'"),
        (["-n", "10", "-m", "10000000"], "'--requests'"),
    ],
)
def test_absurd_sizes_are_refused_at_once(args: list[str], says: str, tmp_path: Path) -> None:
    out = tmp_path / "g.yaml"
    started = time.monotonic()
    result = runner.invoke(app, ["generate", *args, "-o", str(out)])
    assert time.monotonic() - started < 2
    assert result.exit_code == 2
    assert says in result.output.replace("\n", " ").replace("│", ""), result.output
    assert not out.exists()


def test_generate_refuses_a_directory_as_out(tmp_path: Path) -> None:
    result = runner.invoke(app, ["generate", "-n", "10", "-m", "5", "-o", str(tmp_path)])
    assert result.exit_code == 2 and f"--out: {tmp_path}: is a directory" in result.output


def test_a_file_over_the_read_limit_is_refused_at_once(tmp_path: Path) -> None:
    out = tmp_path / "g.yaml"
    started = time.monotonic()
    result = runner.invoke(app, ["generate", "-n", "100000", "-m", "1000000", "-o", str(out)])
    assert time.monotonic() - started < 2
    flat = " ".join(result.output.replace("│", "").split())
    assert result.exit_code == 2, result.output
    from scheduler.generate import estimated_bytes

    megabytes = estimated_bytes(100_000, 1_000_000) / 1e6
    assert megabytes > 105  # the tester's 105 MB file
    assert f"--requests: 1,000,000 requests among 100,000 people make a file of about {megabytes:.0f} MB" in flat
    assert "104,857,600 bytes that solve and check read" in flat and not out.exists()


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
@pytest.mark.parametrize(("participants", "requests"), [(2, 0), (40, 300), (600, 3000)])
def test_the_size_estimate_is_never_under_the_written_file(
    participants: int, requests: int, suffix: str, tmp_path: Path
) -> None:
    from scheduler.generate import estimated_bytes

    out = tmp_path / f"g{suffix}"
    result = runner.invoke(app, ["generate", "-n", str(participants), "-m", str(requests), "-o", str(out)])
    assert result.exit_code == 0, result.output
    written = out.stat().st_size
    assert written <= estimated_bytes(participants, requests, suffix == ".json") <= written * 1.1 + 2_000


def test_a_json_instance_reads_as_the_same_instance_as_its_yaml(tmp_path: Path) -> None:
    """JSON is YAML too: generate writes it for large events, and every command reads it the same."""
    from scheduler.store import load_instance

    for suffix in (".yaml", ".json"):
        result = runner.invoke(
            app, ["generate", "-n", "60", "-m", "150", "--seed", "3", "-o", str(tmp_path / f"g{suffix}")]
        )
        assert result.exit_code == 0, result.output
    assert (tmp_path / "g.json").read_text().lstrip().startswith("{")
    from_yaml, _ = load_instance(tmp_path / "g.yaml")
    from_json, _ = load_instance(tmp_path / "g.json")
    assert from_json == from_yaml == Instance.model_validate(generate(60, 150, 3))
