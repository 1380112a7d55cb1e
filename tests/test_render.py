"""Renderables read at a glance and fit 80 columns, Chinese and Italian names included."""

from __future__ import annotations

import io

from conftest import ROOT, solve_and_verify
from rich.console import Console, RenderableType

from scheduler import render
from scheduler.store import load_instance


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
        render.solve_summary(instance, schedule, "x.json", None),
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
