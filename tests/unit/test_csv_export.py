"""Every CSV cell that a spreadsheet would evaluate as a formula is neutralised."""

from __future__ import annotations

import csv
import io
from datetime import datetime, UTC

import pytest

from domain.csv_export import csv_cell, csv_text


@pytest.mark.parametrize("text", ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1",
                                  '=HYPERLINK("http://evil.test","x")'])
def test_formula_starts_get_an_apostrophe(text: str) -> None:
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize(("value", "cell"), [
    ("admin@alpha.test", "admin@alpha.test"), ("", ""), (None, ""), (42, 42), (-3, -3), (1.5, 1.5),
    ({"size": "26 ft"}, '{"size": "26 ft"}'), (["-x"], '["-x"]'),
    (datetime(2026, 1, 2, 3, 4, tzinfo=UTC), "2026-01-02T03:04:00+00:00"),
])
def test_other_values_are_written_as_they_are(value: object, cell: object) -> None:
    assert csv_cell(value) == cell


def test_csv_text_writes_the_header_and_every_cell_through_the_guard() -> None:
    text = csv_text(("email", "ip"), [("=1+1", "@x"), ("a@b.c", "10.0.0.1")])
    assert list(csv.reader(io.StringIO(text))) == [["email", "ip"], ["'=1+1", "'@x"], ["a@b.c", "10.0.0.1"]]
