"""The one search box over journeys: customer name, job number, addresses, phone and e-mail
(and `#42`, a journey's own number). Used by the board, `GET /api/journey/active`, `/journeys`
and the customers list alike.

Every text column is matched with `ILIKE '%term%'`, which PostgreSQL answers from the trigram
(`pg_trgm`) GIN indexes of migration 0005 once the term has three characters; SQLite scans.
A phone fragment is also matched digits-only ("4165550147" finds "+1 416-555-0147"), against
`phone_digits_of`, the expression the phone's trigram index is built on (`db/models/journey.py`).
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, or_
from sqlalchemy.orm import InstrumentedAttribute

from db.models import Journey
from db.models.journey import phone_digits_of
from db.models.base import MAX_ROW_ID
from domain.paging import MAX_SEARCH_LENGTH

#: A term that reads as (part of) a phone number: digits and separators, at least three digits.
_PHONE_LIKE = re.compile(r"[0-9 ()+.\-]*")
_JOURNEY_NUMBER = re.compile(r"#?([0-9]{1,10})")
#: The text columns the search box covers.
TEXT_COLUMNS: tuple[InstrumentedAttribute[str] | InstrumentedAttribute[str | None], ...] = (
    Journey.customer_name, Journey.job_number, Journey.origin_address, Journey.destination_address,
    Journey.customer_phone, Journey.customer_email,
)


def _contains(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def phone_digits(term: str) -> str | None:
    """The digits of `term` when it reads as part of a phone number (3 digits or more), else None."""
    if not _PHONE_LIKE.fullmatch(term):
        return None
    digits = re.sub(r"[^0-9]", "", term)
    return digits if len(digits) >= 3 else None


def journey_text_match(term: str | None) -> ColumnElement[bool] | None:
    """Journeys whose customer, job number, addresses, phone or e-mail contain `term`
    (case-insensitive; `%` and `_` are literal); None for an empty term. Longer terms are cut to
    MAX_SEARCH_LENGTH (the API refuses them before they get here)."""
    term = (term or "").strip()[:MAX_SEARCH_LENGTH]
    if not term:
        return None
    pattern = _contains(term)
    matches: list[ColumnElement[bool]] = [column.ilike(pattern, escape="\\") for column in TEXT_COLUMNS]
    digits = phone_digits(term)
    if digits is not None:
        matches.append(phone_digits_of(Journey.customer_phone).like(f"%{digits}%"))
    number = _JOURNEY_NUMBER.fullmatch(term)
    if number is not None and int(number.group(1)) <= MAX_ROW_ID:
        matches.append(Journey.id == int(number.group(1)))
    return or_(*matches)
