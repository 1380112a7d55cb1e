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
    said = " ".join(output.split())
    assert "Free at any time │ it-cnr-01: every date cell blank" in said  # (said, so a slip is seen)
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
                "sheet requests, row 4, column C (Priority): 'maybe' is not a whole number",
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
        ({"event": "broken/event-zero-capacity.yaml"}, ["event-zero-capacity.yaml:17: venues[0].rooms[1].capacity"]),
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


def _workbook(path: Path, sheet: str, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    worksheet = book.active
    assert worksheet is not None
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    book.save(path)
    return path


def _with_max_meetings(tmp_path: Path, values: list[str]) -> Path:
    lines = (IMPORT / "participants.csv").read_text(encoding="utf-8").splitlines()
    rows = [lines[0] + ",Max meetings"] + [f"{line},{value}" for line, value in zip(lines[1:], values, strict=False)]
    rows += lines[len(values) + 1 :]
    path = tmp_path / "participants-max.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_numbers_in_sheets_become_integers_csv_text_and_xlsx_cells(tmp_path: Path) -> None:
    people = _with_max_meetings(tmp_path, ["3", " 4 ", "2.0"])
    requests = _workbook(
        tmp_path / "requests.xlsx",
        "requests",
        [
            ["Requester", "Requested", "Priority", "Slots"],
            ["it-enea-01", "cn-most-01", 3, 2],
            ["it-cnr-01", "cn-tsinghua-01", 2.0, 1.0],
            ["it-infn-01", "cn-zju-01", "1", "1"],
        ],
    )
    code, output = import_into(tmp_path / "week.yaml", str(people), str(requests))
    assert code == 0, output
    instance, _ = load_instance(tmp_path / "week.yaml")
    people_by_id = instance.participant_by_id
    assert [people_by_id[p].max_meetings for p in ("it-enea-01", "it-cnr-01", "it-idis-01", "it-infn-01")] == [
        3,
        4,
        2,
        None,
    ]
    assert [(m.priority, m.slots) for m in instance.meetings] == [(3, 2), (2, 1), (1, 1)]


def test_a_fractional_or_wordy_number_is_refused_with_sheet_row_and_column(tmp_path: Path) -> None:
    people = _with_max_meetings(tmp_path, ["3.5", "x"])
    requests = _workbook(
        tmp_path / "requests.xlsx",
        "requests",
        [["Requester", "Requested", "Priority", "Slots"], ["it-enea-01", "cn-most-01", 2.5, 1.5]],
    )
    out = tmp_path / "week.yaml"
    code, output = import_into(out, str(people), str(requests))
    flat = " ".join(output.split())
    assert code == 2
    assert "sheet participants, row 2, column I (Max meetings): '3.5' is not a whole number" in flat, output
    assert "sheet participants, row 3, column I (Max meetings): 'x' is not a whole number" in flat, output
    assert "sheet requests, row 2, column C (Priority): '2.5' is not a whole number" in flat, output
    assert "sheet requests, row 2, column D (Slots): '1.5' is not a whole number" in flat, output
    assert "valid integer" not in flat and not out.exists()


def test_priority_error_lists_every_accepted_word(tmp_path: Path) -> None:
    from scheduler.importer import PRIORITY_WORDS

    code, output = import_into(tmp_path / "week.yaml", requests="broken/requests-bad-cells.xlsx")
    flat = " ".join(output.split())
    assert code == 2
    for word in PRIORITY_WORDS:
        assert repr(word) in flat, word
    assert "'should meet' (2)" in flat


def test_a_request_given_twice_is_reported_with_the_topic_kept(tmp_path: Path) -> None:
    requests = _workbook(
        tmp_path / "requests.xlsx",
        "requests",
        [
            ["Requester", "Requested", "Priority", "Topic"],
            ["it-enea-01", "cn-most-01", 2, "x"],
            ["it-cnr-01", "cn-tsinghua-01", 2, "AI"],
            ["it-enea-01", "cn-most-01", 3, "y"],
        ],
    )
    code, output = import_into(tmp_path / "week.yaml", requests=str(requests))
    assert code == 0, output
    flat = " ".join(output.split())
    assert "requests row 4 (it-enea-01 -> cn-most-01) repeats row" in flat, output
    assert "topic 'x' kept, 'y' dropped" in flat, output
    instance, _ = load_instance(tmp_path / "week.yaml")
    assert [(m.topic, m.priority) for m in instance.meetings if "it-enea-01" in m.participants] == [("x", 3)]


def test_event_file_errors_name_the_line_in_plain_words(tmp_path: Path) -> None:
    code, output = import_into(tmp_path / "week.yaml", event="broken/event-zero-capacity.yaml")
    flat = " ".join(output.split())
    assert code == 2
    assert "event-zero-capacity.yaml:17: venues[0].rooms[1].capacity:" in flat, output


def _xlsx_with_a_damaged_part(tmp_path: Path, part: str, damage: str) -> Path:
    """The sample requests workbook with one part cut in half or replaced by text that is not XML."""
    import zipfile

    path = tmp_path / f"requests-{damage}.xlsx"
    with zipfile.ZipFile(IMPORT / "requests.xlsx") as source, zipfile.ZipFile(path, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == part:
                data = data[: len(data) // 2] if damage == "cut" else b"not xml at all"
            target.writestr(name, data)
    return path


@pytest.mark.parametrize(("part", "damage"), [("xl/worksheets/sheet1.xml", "cut"), ("xl/workbook.xml", "text")])
def test_a_damaged_workbook_is_not_readable_and_writes_nothing(tmp_path: Path, part: str, damage: str) -> None:
    requests = _xlsx_with_a_damaged_part(tmp_path, part, damage)
    out = tmp_path / "week.yaml"
    code, output = import_into(out, requests=str(requests))
    assert code == 2, output
    assert f"{requests}: not a readable .xlsx workbook" in " ".join(output.split())
    assert "Traceback" not in output and not out.exists()


@pytest.mark.parametrize(("row", "column", "expected"), [(1048576, 3, "a value on row 1,048,576"), (3, 16384, "XFD")])
def test_a_stray_far_away_cell_is_refused_at_once_without_reading_the_padded_grid(
    tmp_path: Path, row: int, column: int, expected: str
) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Requester", "Requested"])
    sheet.append(["it-enea-01", "cn-most-01"])
    sheet.cell(row=row, column=column, value="z")
    requests = tmp_path / "far.xlsx"
    book.save(requests)
    out = tmp_path / "week.yaml"
    code, output = import_into(out, requests=str(requests))
    flat = " ".join(output.split())
    assert code == 2, output
    assert f"{requests}: sheet Sheet is too big" in flat and expected in flat, output
    assert not out.exists()


@pytest.mark.parametrize("text", ["²", "1²", "٣"])
def test_a_unicode_digit_in_priority_or_slots_is_not_a_whole_number(tmp_path: Path, text: str) -> None:
    requests = _workbook(
        tmp_path / "requests.xlsx",
        "requests",
        [["Requester", "Requested", "Priority", "Slots"], ["it-enea-01", "cn-most-01", text, text]],
    )
    out = tmp_path / "week.yaml"
    code, output = import_into(out, requests=str(requests))
    flat = " ".join(output.split())
    assert code == 2, output
    assert f"sheet requests, row 2, column C (Priority): {text!r} is not a whole number" in flat, output
    assert f"sheet requests, row 2, column D (Slots): {text!r} is not a whole number" in flat, output
    assert not out.exists()


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("25:00-26:00", "column G (2025-11-13 Beijing): '25:00' is not a time of day"),
        ("09:45-11:00", "column G (2025-11-13 Beijing): start: 09:45 is not on the 30-minute grid"),
        ("0²:00-11:00", "column G (2025-11-13 Beijing): '0²:00-11:00' is not 'x' (whole day) nor a window"),
    ],
)
def test_a_bad_availability_window_names_its_date_and_city_column(tmp_path: Path, cell: str, expected: str) -> None:
    lines = (IMPORT / "participants.csv").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].removesuffix(",,") + f",{cell},"
    people = tmp_path / "participants.csv"
    people.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "week.yaml"
    code, output = import_into(out, participants=str(people))
    flat = " ".join(output.split())
    assert code == 2, output
    assert f"sheet participants, row 3, {expected}" in flat, output
    assert not out.exists()


def test_a_csv_row_wider_than_the_limit_is_refused_and_trailing_commas_are_not(tmp_path: Path) -> None:
    from scheduler.importer import MAX_COLUMNS

    wide = tmp_path / "requests.csv"
    wide.write_text("Requester,Requested" + "," * 5000 + "\nit-enea-01,cn-most-01" + "," * MAX_COLUMNS + "z\n")
    out = tmp_path / "week.yaml"
    code, output = import_into(out, requests=str(wide))
    flat = " ".join(output.split())
    assert code == 2 and f"{wide}: sheet requests is too big: a value in column GT on row 2" in flat, output
    wide.write_text("Requester,Requested" + "," * 5000 + "\nit-enea-01,cn-most-01" + "," * 5000 + "\n")
    code, output = import_into(out, requests=str(wide))
    assert code == 0, output
