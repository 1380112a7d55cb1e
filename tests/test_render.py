"""Renderables read at a glance and fit 80 columns, Chinese and Italian names included."""

from __future__ import annotations

import io
from typing import Any

import pytest
from conftest import ROOT, make_instance, meeting, solve_and_verify
from rich.cells import cell_len
from rich.console import Console, RenderableType

from scheduler import render, reports
from scheduler.model import Instance
from scheduler.solution import Schedule
from scheduler.store import load_instance
from scheduler.timetable import select
from scheduler.verify import verify


def text_of(renderable: RenderableType, width: int = 80) -> str:
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return console.export_text()


def test_person_room_and_date_views_fit_80_columns() -> None:
    instance, _ = load_instance(ROOT / "instances" / "sample.yaml")
    schedule = solve_and_verify(instance)
    for renderable in (
        render.person_timetable(instance, schedule, "cn-most-01"),
        render.room_timetable(instance, schedule, "BJ-R1"),
        render.date_grid(instance, schedule, "2025-11-13"),
        reports.solve_summary(instance, schedule, "x.json", None),
    ):
        text = text_of(renderable)
        assert max(len(line) for line in text.splitlines()) <= 80
    person = text_of(render.person_timetable(instance, schedule, "cn-most-01"))
    assert "王伟 (Wang Wei)" in person and "Giulia Rossi (ENEA)" in person
    for word in ["Francesca", "Esposito", "(Fondazione", "IDIS-Città", "della", "Scienza)"]:
        assert word in person, word  # wrapped over lines, but every word shown


def test_a_date_with_no_venue_says_so() -> None:
    instance, _ = load_instance(ROOT / "instances" / "sample.yaml")
    schedule = solve_and_verify(instance)
    assert "No venue is open" in text_of(render.date_grid(instance, schedule, "2025-12-25"))


def test_the_timetable_says_stay_at_the_same_table() -> None:
    from test_verify import INSTANCE, place, schedule_of

    found = schedule_of(place("ab", "09:00", "09:30", "T-2"), place("bd", "09:30", "10:00", "T-2"))
    text = text_of(render.person_timetable(INSTANCE, found, "b"))
    assert "stay at T-2" in text and text.count("T-2") == 2


def test_short_names_never_cut_inside_a_glyph_and_fit_the_cell() -> None:
    assert render.short_name("王伟 (Wang Wei)") == "王伟"
    assert render.short_name("Francesca Esposito") == "Esposito"
    long_chinese = render.short_name("欧阳娜娜娜娜娜娜")
    assert long_chinese.endswith("…") and cell_len(long_chinese) <= render.GRID_CELL
    assert long_chinese[:-1] == "欧阳娜娜"  # whole characters only


def test_short_names_keep_a_compound_surname_whole() -> None:
    """'De Luca' used to show as 'Luca'; a particle never stands alone, nor is the surname dropped."""
    assert render.short_name("Carla De Luca") == "De Luca"
    assert render.short_name("Anna Maria van Berg") == "van Berg"
    assert render.short_name("Giovanni Di Stefano") == "Stefano"  # never 'Di Stefa…': a word is not cut
    assert render.short_name("Carla De Luca", 6) == "Luca"
    assert render.short_name("Bartolomeo Santarelli") == "Santarel…"  # one word wider than the cell: the key has it
    assert render.short_name("Maria Grazia Bianchi") == "Bianchi"


def test_date_grid_shows_who_meets_and_a_key() -> None:
    instance, _ = load_instance(ROOT / "instances" / "sample.yaml")
    schedule = solve_and_verify(instance)
    text = text_of(render.date_grid(instance, schedule, "2025-11-13"))
    assert max(cell_len(line) for line in text.splitlines()) <= 80  # display width: a CJK character takes two
    assert "Key" in text and "〃" in text and "free" in text
    for a in schedule.assignments:
        if a.date == "2025-11-13":
            assert a.meeting in text
    assert "王伟" in text and "Rossi" in text and "Giulia Rossi (ENEA)" in text


def _crowded_morning() -> tuple[Instance, Schedule]:
    """Eight half-hour columns, long table ids, and people whose names and organisations are long."""
    from conftest import make_instance

    names = [
        ("it1", "Alessandro Giordano", "Istituto Nazionale di Fisica Nucleare"),
        ("it2", "Francesca Esposito", "Consiglio Nazionale delle Ricerche"),
        ("cn1", "马涛 (Ma Tao)", "Chinese Academy of Sciences"),
        ("cn2", "欧阳娜娜 (Ouyang Nana)", "Beijing Association for Science and Technology"),
    ]
    instance = make_instance(
        venues=[
            {
                "id": "bj",
                "city": "Beijing",
                "days": [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "13:00"}]}],
                "rooms": [{"id": "BJ-TABLES", "count": 2, "capacity": 2}],
            }
        ],
        participants=[{"id": i, "name": n, "organisation": o} for i, n, o in names],
        meetings=[
            {"id": f"m{k}{a}{b}", "participants": [a, b]}
            for k in range(2)
            for a, b in (("it1", "cn1"), ("it2", "cn2"), ("it1", "cn2"), ("it2", "cn1"))
        ],
    )
    return instance, solve_and_verify(instance)


def test_ids_are_never_cut_and_names_wrap_whole_at_80_columns() -> None:
    instance, schedule = _crowded_morning()
    assert len(schedule.assignments) == 8
    grid = text_of(render.date_grid(instance, schedule, "2025-11-13"))
    assert "…" not in grid and "BJ-TABLES-1" in grid and "BJ-TABLES-2" in grid
    assert max(cell_len(line) for line in grid.splitlines()) <= 80
    person = text_of(render.person_timetable(instance, schedule, "it1"))
    assert "…" not in person
    for word in ("Chinese", "Academy", "Sciences)", "马涛", "(Ma", "Tao)", "欧阳娜娜"):
        assert word in person, word
    room = text_of(render.room_timetable(instance, schedule, "BJ-TABLES-1"))
    assert "…" not in room and "Technology" in room


def test_the_key_does_not_send_a_room_view_back_to_room(monkeypatch: pytest.MonkeyPatch) -> None:
    instance, schedule = _crowded_morning()
    monkeypatch.setattr(render, "KEY_LIMIT", 1)
    narrowed = " ".join(text_of(render.date_grid(instance, schedule, "2025-11-13", ["BJ-TABLES-1"])).split())
    everything = " ".join(text_of(render.date_grid(instance, schedule, "2025-11-13")).split())
    assert "for full names use --person or --format csv" in narrowed
    assert "--room, --person" in everything


def test_a_person_short_of_their_promise_is_told_in_the_timetable_and_stats() -> None:
    """d is promised one meeting; its only request loses to a's two of priority 5 (two slots)."""
    from conftest import make_instance, meeting

    from scheduler.stats import stats

    people = [{"id": p, "name": p.upper()} for p in "abc"] + [{"id": "d", "name": "D", "min_meetings": 1}]
    instance = make_instance(
        participants=people,
        meetings=[meeting("m1", "a", "b", priority=5), meeting("m2", "a", "c", priority=5), meeting("m3", "a", "d")],
    )
    schedule = solve_and_verify(instance)
    page = " ".join(text_of(render.person_timetable(instance, schedule, "d")).split())
    assert "promised 1 (min_meetings): short by 1" in page
    assert "D was promised 1 meeting(s) (min_meetings) and has 0." in page
    figures = " ".join(text_of(reports.stats_view(instance, stats(instance, schedule)), width=120).split())
    assert "min_meetings promises missed" in figures and "D 0 1 1" in figures


PROGRAMME_DAY: dict[str, Any] = {
    "venues": [
        {
            "id": "bj",
            "city": "Beijing",
            "days": [
                {"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "11:00"}]},
                {"date": "2025-11-14", "sessions": [{"start": "09:00", "end": "10:00"}]},
            ],
            "rooms": [{"id": "T", "count": 2, "capacity": 2}],
        }
    ],
    "meetings": [meeting("m1", "a", "c"), meeting("m2", "b", "d"), meeting("m3", "c", "d")],
    "programme": [
        {
            "id": "sem",
            "title": "Hydrogen and storage",
            "kind": "seminar",
            "city": "Beijing",
            "venue": "hall B",
            "date": "2025-11-13",
            "start": "09:30",
            "end": "10:30",
            "attendees": ["a", "b"],
        },
        {
            "id": "lunch",
            "title": "Welcome lunch",
            "kind": "visit",
            "city": "Beijing",
            "date": "2025-11-13",
            "start": "12:00",
            "end": "13:00",
        },
        {
            "id": "plen",
            "title": "Closing plenary",
            "kind": "plenary",
            "city": "Beijing",
            "date": "2025-11-14",
            "start": "09:00",
            "end": "10:00",
        },
    ],
}
"""a and b are at a seminar 09:30-10:30 on the 13th; everyone at a plenary that fills the 14th."""


def test_the_date_grid_shows_programme_items_as_a_band_over_their_slots() -> None:
    instance = make_instance(**PROGRAMME_DAY)
    schedule = solve_and_verify(instance)
    assert len(schedule.assignments) == 3  # a and b each meet at 09:00 or 10:30, c-d fit beside them
    for width in (80, 120):
        text = text_of(render.date_grid(instance, schedule, "2025-11-13"), width)
        assert max(cell_len(line) for line in text.splitlines()) <= width
        lines = text.splitlines()
        header = next(line for line in lines if "09:00" in line and "10:30" in line)
        band = next(line for line in lines if line.strip().startswith("sem "))
        cells = [cell.strip() for cell in band.split("│")]
        assert cells[:3] == ["sem", "", "Hydrogen"] and cells[3].startswith("and") and cells[4] == "", band
        assert band.index("Hydrogen") > header.index("09:30") - 2 and band.index("and") > header.index("10:00") - 2
        flat = " ".join(text.split())
        assert "sem 09:30-10:30 seminar: Hydrogen and storage (Beijing, hall B; 2 attending)" in flat
        assert "lunch 12:00-13:00 visit: Welcome lunch (Beijing; 4 attending) (outside the grids shown)" in flat
        assert "Programme 2025-11-13" not in text  # no longer a list above the grid
    full_day = text_of(render.date_grid(instance, schedule, "2025-11-14"))
    assert "plenary" in full_day and "Closing plenary" in full_day and "no meetings" in full_day
    on_the_14th = select(instance, schedule, "a", None, "2025-11-14")  # what `--person a --date` shows
    assert on_the_14th.assignments == [] and [i.id for i in on_the_14th.programme] == ["plen"]
    page = text_of(render.person_timetable(instance, schedule, "a", on_the_14th.assignments, on_the_14th.programme))
    assert "plenary: Closing plenary" in " ".join(page.split()) and "Hydrogen" not in page


def test_the_band_names_items_by_id_never_splits_a_word_and_shades_buffers() -> None:
    """Two seminars on one date: each band row is named by its id, as in the key; 'University'
    (wider than a cell) is never cut: its kind stands for the title ('seminar…'); the buffer
    of 30 min around sem-b is shaded and the key says so; a title starting with its kind is not
    prefixed twice."""
    seminar = PROGRAMME_DAY["programme"][0]
    programme = [
        {**seminar, "id": "sem-a", "title": "University open labs"},
        {
            **seminar,
            "id": "sem-b",
            "title": "Seminar: space science",
            "start": "10:00",
            "end": "10:30",
            "attendees": ["c"],
            "buffer_minutes": 30,
        },
    ]
    instance = make_instance(**{**PROGRAMME_DAY, "programme": programme})
    schedule = solve_and_verify(instance)
    text = text_of(render.date_grid(instance, schedule, "2025-11-13"))
    lines = text.splitlines()
    rows = {line.split("│")[0].strip(): [c.strip() for c in line.split("│")] for line in lines if "│" in line}
    assert rows["sem-a"][1:5] == ["", "seminar…", render.BAND * 9, ""], rows["sem-a"]
    assert rows["sem-b"][1:5] == ["", render.BUFFER * 9, "Seminar:…", render.BUFFER * 9], rows["sem-b"]
    flat = " ".join(text.split())
    assert "sem-b 10:00-10:30 Seminar: space science (Beijing, hall B; 1 attending, 30 min buffer ░)" in flat
    assert "seminar: Seminar" not in flat and "Universit y" not in flat
    assert "a programme item's buffer" in flat
    assert max(cell_len(line) for line in lines) <= 80


def test_a_title_reads_left_to_right_across_the_slots_it_covers() -> None:
    assert render._title_pieces("Opening plenary of the Week", 2) == ["Opening", "plenary…"]
    assert render._title_pieces("Opening plenary of the Week", 9) == ["Opening", "plenary", "of the", "Week"]
    assert render._title_pieces("AI", 3) == ["AI"]
    # Never a word cut: '…' after the last whole word that fits, or the kind when none does.
    assert render._title_pieces("Energy transition and smart grids", 3, "seminar") == ["Energy…"]
    assert render._title_pieces("Transition", 2, "workshop") == ["workshop…"]
    assert render._title_pieces("Hydrogen and storage", 2) == ["Hydrogen", "and…"]
    assert render._title_pieces("Hydrogen storage", 1, "visit") == ["Hydrogen…"]
    assert render._title_pieces("Sustainable", 1, "visit") == ["visit…"]
    # A cell of 8 (80 columns): 'workshop…' does not fit, 'workshop' does; it once showed a bare '…'.
    assert render._title_pieces("Zhejiang University open labs", 2, "workshop", width=8) == ["workshop"]
    assert render._title_pieces("Zhejiang University open labs", 2, "reception", width=8) == ["Zhejiang"]
    assert render._title_pieces("Internationalisation", 2, "reception", width=8) == ["…"]


def test_an_80_column_date_grid_never_breaks_a_name_or_a_title_word() -> None:
    """The tester's 2025 grid at 80 columns: a wide band id and seven slots made the terminal
    narrow the cells, so 'Moretti' read 'Morett/i', 'De Luca' 'De/Luca' and the title 'transiti…'.
    Now the session is shown in parts of full cells, and a title stops with '…' after a whole word."""
    people = [
        {"id": "a", "name": "Chiara Moretti"},
        {"id": "b", "name": "Carla De Luca"},
        {"id": "c", "name": "Giovanni Di Stefano"},
        {"id": "d", "name": "王伟 (Wang Wei)"},
    ]
    venue = {
        "id": "bj",
        "city": "Beijing",
        "days": [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "12:30"}]}],
        "rooms": [{"id": "T", "count": 3, "capacity": 2}],
    }
    seminar = {
        "id": "sem-energy",
        "title": "Energy transition and smart grids",
        "kind": "seminar",
        "city": "Beijing",
        "date": "2025-11-13",
        "start": "09:00",
        "end": "10:30",
        "attendees": ["d"],
    }
    pairs = [("a", "b"), ("a", "c"), ("b", "c"), ("a", "d"), ("b", "d"), ("c", "d")]
    meetings = [meeting(f"m{i}", p, q) for i, (p, q) in enumerate(pairs)]
    instance = make_instance(venues=[venue], participants=people, meetings=meetings, programme=[seminar])
    schedule = solve_and_verify(instance)
    assert len(schedule.assignments) == 6
    text = text_of(render.date_grid(instance, schedule, "2025-11-13", width=80))
    assert max(cell_len(line) for line in text.splitlines()) <= 80
    grid = text.split("Key")[0]
    cells = {cell.strip() for line in grid.splitlines() for cell in line.split("│")}
    assert {"Moretti", "De Luca", "Stefano", "王伟", "Energy…"} <= cells, cells
    for word in ("Moretti", "De Luca", "Di Stefano", "transition"):
        assert not any(cell and word.startswith(cell.rstrip("…")) and cell != word for cell in cells - {"·"}), (
            word,
            cells,
        )
    assert "part 1 of 2" in grid and "part 2 of 2" in grid
    wide = text_of(render.date_grid(instance, schedule, "2025-11-13", width=120), width=120)
    assert "part 1" not in wide and "Moretti" in wide


def test_a_cancelled_person_and_a_closed_room_say_so_in_their_timetables() -> None:
    """b cancelled from 09:30 (ab, their request with a, is cancelled with them); cd met at 09:00 in
    T-1, closed from 09:30: b's timetable, a's waiting list and the room's timetable all say it."""
    from conftest import hand_made

    from scheduler.solution import Assignment, Cancellation

    instance = make_instance(meetings=[meeting("ab", "a", "b"), meeting("cd", "c", "d")])
    cd = Assignment(meeting="cd", date="2025-11-13", start="09:00", end="09:30", city="Beijing", venue="bj", room="T-1")
    cancelled = [
        Cancellation(kind="participant", id="b", from_="2025-11-13T09:30"),
        Cancellation(kind="meeting", id="ab", from_="2025-11-13T09:30"),
        Cancellation(kind="room", id="T-1", from_="2025-11-13T09:30"),
    ]
    schedule = hand_made(instance, cd, unscheduled=[], cancelled=cancelled, frozen_until="2025-11-13T09:30")
    assert verify(instance, schedule) == []
    b_page = " ".join(text_of(render.person_timetable(instance, schedule, "b"), 120).split())
    assert "B can no longer attend (cancelled from 2025-11-13 09:30)" in b_page
    a_page = " ".join(text_of(render.person_timetable(instance, schedule, "a"), 120).split())
    assert "Not scheduled: 1 request(s) (1 of them cancelled)" in a_page
    room = " ".join(text_of(render.room_timetable(instance, schedule, "T-1"), 120).split())
    assert "cd" in room and "Room T-1 is closed (cancelled from 2025-11-13 09:30)" in room
    c_page = " ".join(text_of(render.person_timetable(instance, schedule, "c"), 120).split())
    assert "can no longer attend" not in c_page and "cancelled" not in c_page
