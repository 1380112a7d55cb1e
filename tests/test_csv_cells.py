"""CSV cells that a spreadsheet app would run as formulas stay text."""

from __future__ import annotations

import pytest

from scheduler.csv_cells import not_a_formula


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil","x")',
        "+1+2",
        "-x",
        "@SUM(A1)",
        "\t=1",
        " =1+1",  # after spaces or a line feed, which some apps trim (the attackers')
        "\n=1+1",
        "\u00a0=1",
        "\u3000=1",
        "\u200b=1",
        "＝1+1",  # full width, small and look-alike forms an input method types
        "＋1",
        "﹦1",
        "−1",
    ],
)
def test_text_that_could_run_as_a_formula_gets_an_apostrophe(text: str) -> None:
    assert not_a_formula(text) == "'" + text


@pytest.mark.parametrize("value", ["a=b", "Li Fang", "李芳", "", 3, -1, None])
def test_anything_else_is_left_as_it_is(value: object) -> None:
    assert not_a_formula(value) == value
