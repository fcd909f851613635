"""CSV that is safe to open in a spreadsheet (OWASP "CSV injection").

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is taken as a formula by
Excel, LibreOffice and Google Sheets, so a customer named `=HYPERLINK(...)` would run in the
auditor's spreadsheet. Such cells are written with a leading apostrophe: the spreadsheet shows
the text as it is. Numbers the export itself produces (amounts) are not text and stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value as a CSV cell: None is empty, numbers stay numbers, risky text gets a `'`."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A header row and the rows, every cell through `safe_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return buffer.getvalue()
