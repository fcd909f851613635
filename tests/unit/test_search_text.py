"""The pieces of the search box and the CSV export that need no database: which terms read as
phone numbers, and formula-safe cells."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from domain.csv_export import csv_cell as safe_cell
from domain.csv_export import csv_text
from domain.journeys.text_search import journey_text_match, phone_digits


@pytest.mark.parametrize(("term", "digits"), [
    ("416-555-0147", "4165550147"), ("(905) 555", "905555"), ("+1 416", "1416"), ("555", "555"),
    ("55", None), ("Smith", None), ("12 Main St", None), ("", None), ("٣٤٥٦", None),
])
def test_phone_like_terms(term: str, digits: str | None) -> None:
    assert phone_digits(term) == digits


def test_an_empty_term_matches_everything_and_a_long_one_is_cut() -> None:
    assert journey_text_match("  ") is None
    assert journey_text_match("x" * 500) is not None


@pytest.mark.parametrize("value", ["=1+1", "+1 416", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_starts_get_an_apostrophe(value: str) -> None:
    assert safe_cell(value) == "'" + value


def test_other_cells_are_kept() -> None:
    assert [safe_cell(v) for v in ("Jane", None, 3, Decimal("-12.50"), True)] == ["Jane", "", 3, Decimal("-12.50"),
                                                                                  "True"]
    rows = list(csv.reader(io.StringIO(csv_text(["A", "=B"], [["=cmd|' /C calc'!A0", "ok"]]))))
    assert rows == [["A", "'=B"], ["'=cmd|' /C calc'!A0", "ok"]]
