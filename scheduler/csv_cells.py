"""CSV cells a spreadsheet app would run as formulas, kept as text: names and topics come from
registration sheets anyone can fill in (`=HYPERLINK(...)`), and a CSV is opened by double-click."""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠", "﹦", "﹢", "﹣", "−")
"""OWASP's list, its full-width and small forms and the minus sign (a Chinese or Japanese input
method types them; the attackers found them let through)."""
LEADING_BLANKS = " \n\u00a0\u3000\u200b\ufeff"
"""Spaces an app may trim before it looks: plain, line feed, no-break, ideographic, zero-width."""


def not_a_formula(value: Any) -> Any:
    """`value`, with a leading apostrophe where it is text a spreadsheet app could run as a formula
    (OWASP's advice); anything else as it is."""
    return f"'{value}" if isinstance(value, str) and value.lstrip(LEADING_BLANKS).startswith(FORMULA_STARTS) else value
