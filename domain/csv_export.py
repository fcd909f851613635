"""CSV for spreadsheets: every export of the app writes its cells through `csv_text`.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula by
Excel, LibreOffice and Google Sheets (CSV injection): text that anyone can get into a row (an
e-mail typed at the sign-in form, a forwarded IP, a customer name from SmartMoving) could run a
command or leak data when an auditor opens the file. Such cells get a leading apostrophe, which
spreadsheets show as text and never evaluate (OWASP's advice). Numbers are left alone: they are
never formulas.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

#: The first characters that make a spreadsheet evaluate a cell.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """`text`, made inert for spreadsheets when it would start a formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def csv_cell(value: Any) -> str | int | float | Decimal:
    """One value as a safe cell: numbers stay numbers, JSON for dicts and lists, ISO 8601 for
    dates, '' for None, text (booleans included) neutralised."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    elif isinstance(value, (datetime, date)):
        text = value.isoformat()
    else:
        text = str(value)
    return neutralise(text)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A header row and `rows`, every cell through `csv_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(name) for name in header])
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return buffer.getvalue()
