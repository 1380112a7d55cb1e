"""The printable pages in a real browser: headless Chromium prints an agenda to one A4 page.

Skipped on a machine without Chromium, but never in CI (CI=true): there `.ci/run` installs
it, and a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, resolve_and_verify, solve_and_verify
from pypdf import PdfReader

from scheduler.attendance import attendees
from scheduler.export import export
from scheduler.model import Instance
from scheduler.store import load_instance

A4_POINTS = (595.3, 841.9)


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but no chromium on PATH: .ci/run should have installed it")
    pytest.skip("no chromium on PATH (apt-get install chromium)")


def print_to_pdf(browser: str, page: Path, pdf: Path, profile: Path) -> None:
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


def test_an_agenda_prints_on_one_a4_page_with_the_persons_meetings(tmp_path: Path) -> None:
    browser = chromium()
    instance, _ = load_instance(ROOT / "instances" / "sample.yaml")
    schedule = solve_and_verify(instance)
    export(instance, schedule, tmp_path / "out")
    meetings_of = {
        p.id: [a for a in schedule.assignments if p.id in attendees(instance, schedule.cancelled, a)]
        for p in instance.participants
    }
    busiest = max(instance.participants, key=lambda p: len(meetings_of[p.id]))
    mine = meetings_of[busiest.id]
    assert len(mine) >= 3
    pdf = tmp_path / "agenda.pdf"
    print_to_pdf(browser, tmp_path / "out" / "agendas" / f"{busiest.id}.html", pdf, tmp_path / "profile")

    reader = PdfReader(pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - A4_POINTS[0]) < 2 and abs(float(box.height) - A4_POINTS[1]) < 2
    text = " ".join(reader.pages[0].extract_text().split())
    assert busiest.name in text
    for a in mine:
        assert f"{a.start}–{a.end}" in text and a.room in text
        for other in attendees(instance, schedule.cancelled, a):
            organisation = instance.participant_by_id[other].organisation
            assert " ".join(organisation.split()[:2]) in text  # counterparts' organisations (Latin script)


def test_programme_items_sit_in_time_order_in_an_agenda_and_as_bands_in_the_day_grids(tmp_path: Path) -> None:
    """The organiser's mini Week: Anna Bianchi's agenda reads the opening plenary (09:30) and her
    meetings as one table in time order (the plenary used to sit above the table); index.html
    shows the plenary and the seminar as programme rows over the slots they take."""
    browser = chromium()
    instance, _ = load_instance(ROOT / "tests" / "data" / "week" / "plenary-travel.yaml")
    schedule = solve_and_verify(instance)
    export(instance, schedule, tmp_path / "out")
    mine = [a for a in schedule.assignments if "it-a" in attendees(instance, schedule.cancelled, a)]
    assert mine
    pdf = tmp_path / "agenda.pdf"
    print_to_pdf(browser, tmp_path / "out" / "agendas" / "it-a.html", pdf, tmp_path / "profile")
    text = " ".join(PdfReader(pdf).pages[0].extract_text().split())
    entries = sorted([(a.date, a.start, a.end) for a in mine] + [("2025-11-13", "09:30", "10:30")])
    places = [text.index(f"{start}–{end}") for _, start, end in entries]
    assert places == sorted(places), text
    assert text.index("Plenary: Opening plenary") < text.index(f"{mine[0].start}–{mine[0].end}")
    index_pdf = tmp_path / "index.pdf"
    print_to_pdf(browser, tmp_path / "out" / "index.html", index_pdf, tmp_path / "profile")
    grids = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(index_pdf).pages)
    for words in ("opening Programme Plenary: Opening plenary", "sem-h2 Programme Seminar: hydrogen", "6 attending"):
        assert words in grids, grids
    assert "Seminar: Seminar" not in grids and "seminar: Seminar" not in grids


def test_a_removed_interpreters_agenda_prints_that_they_are_no_longer_among_the_interpreters(tmp_path: Path) -> None:
    """An interpreter taken out of the instance after an export: the re-solve's export rewrites
    their agenda, which prints (in a real browser) their name, the notice and no meeting table."""
    browser = chromium()
    path = ROOT / "tests" / "data" / "interpreters" / "capped.yaml"
    instance, _ = load_instance(path)
    first = solve_and_verify(instance)
    gone = next(a.interpreter for a in first.assignments if a.interpreter)
    assert gone is not None
    export(instance, first, tmp_path / "out")
    without = instance.model_copy(update={"interpreters": [i for i in instance.interpreters if i.id != gone]})
    without = Instance.model_validate(without.model_dump(by_alias=True))
    second, _ = resolve_and_verify(without, first)
    assert all(a.interpreter != gone for a in second.assignments)
    export(without, second, tmp_path / "out", changed_only=True)
    pdf = tmp_path / "agenda.pdf"
    print_to_pdf(browser, tmp_path / "out" / "agendas" / f"{gone}.html", pdf, tmp_path / "profile")
    text = " ".join(PdfReader(pdf).pages[0].extract_text().split())
    name = instance.interpreter_by_id[gone].name
    assert f"{name} is no longer among the interpreters of {instance.event.name}." in text, text
    assert "No meetings or programme items remain for you" in text and "Table / room" not in text
