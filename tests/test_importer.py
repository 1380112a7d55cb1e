"""`schedule import`: platform spreadsheets in, a valid instance out; bad cells named by sheet, row, column."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DATA
from typer.testing import CliRunner

from scheduler.cli import app
from scheduler.store import load_instance

IMPORT = DATA / "import"
runner = CliRunner()


def import_into(
    out: Path, participants: str = "participants.csv", requests: str = "requests.xlsx", event: str = "event.yaml"
) -> tuple[int, str]:
    result = runner.invoke(
        app,
        [
            "import",
            "--participants",
            str(IMPORT / participants),
            "--requests",
            str(IMPORT / requests),
            "--event",
            str(IMPORT / event),
            "--out",
            str(out),
        ],
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_sample_sheets_become_an_instance_with_mutual_requests_merged(tmp_path: Path) -> None:
    code, output = import_into(tmp_path / "week.yaml")
    assert code == 0, output
    assert "1 mutual pair(s) merged" in output and "Email" in output
    instance, _ = load_instance(tmp_path / "week.yaml")
    assert len(instance.participants) == 8
    assert len(instance.meetings) == 8  # 9 request rows, one of them the other half of a mutual pair
    enea_most = [m for m in instance.meetings if set(m.participants) == {"it-enea-01", "cn-most-01"}]
    assert len(enea_most) == 1 and enea_most[0].priority == 3  # "must meet" beats "would like"
    people = instance.participant_by_id
    assert people["it-cnr-01"].available is None  # no availability given: every session
    infn = people["it-infn-01"]
    assert infn.country == "IT" and infn.languages == ["en"]
    assert [(a.date.isoformat(), a.city, a.start, a.end) for a in infn.available or []] == [
        ("2025-11-13", "Beijing", "14:00", "16:00"),
        ("2025-11-15", "Hangzhou", None, None),
    ]
    assert people["cn-most-01"].name == "王伟 (Wang Wei)"
    physics = next(m for m in instance.meetings if set(m.participants) == {"it-infn-01", "cn-zju-01"})
    assert physics.city == "Hangzhou" and physics.topic == "physics" and physics.priority == 1


@pytest.mark.parametrize(
    ("sheets", "expected"),
    [
        (
            {"participants": "broken/participants-bad-cells.csv"},
            [
                "sheet participants, row 2, column D (Country): 'Italy' is not an ISO 3166",
                "sheet participants, row 3, column E (2025-11-13 Beijing): 'morning' is not 'x'",
                "sheet participants, row 4, column A (ID): participant 'it-enea-01' already on row 2",
            ],
        ),
        ({"participants": "broken/participants-no-name-column.csv"}, ["sheet participants, row 1: no column 'name'"]),
        (
            {"requests": "broken/requests-bad-cells.xlsx"},
            [
                "sheet requests, row 3, column B (Requested): unknown participant 'cn-tsinghua-99'",
                "sheet requests, row 4, column C (Priority): 'maybe' is not a number",
            ],
        ),
        ({"requests": "broken/requests-not-a-workbook.xlsx"}, ["not a readable .xlsx workbook"]),
        (
            {"event": "broken/event-unknown-city.yaml"},
            [
                "sheet participants, row 1, column H (2025-11-15 Hangzhou): no venue is in city 'Hangzhou'",
                "sheet requests, row 6, column E (City): no venue is in city 'Hangzhou'",
            ],
        ),
        ({"event": "broken/event-zero-capacity.yaml"}, ["event-zero-capacity.yaml: venues[0].rooms[1].capacity"]),
    ],
)
def test_a_broken_sheet_names_sheet_row_and_column_and_writes_nothing(
    tmp_path: Path, sheets: dict[str, str], expected: list[str]
) -> None:
    out = tmp_path / "week.yaml"
    code, output = import_into(out, **sheets)
    assert code == 2
    flat = " ".join(output.split())
    for message in expected:
        assert message in flat, output
    assert "Traceback" not in output
    assert not out.exists() and list(tmp_path.iterdir()) == []
