"""Checking the fields of a create or an edit: one declaration per entity, one checker, and
every problem reported at once (a 422 that names each field), never a half-written record."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from db.models.base import MAX_ROW_ID
from domain.errors import ValidationFailed

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class Field:
    """One input field: its type (str, int, float, bool or an Enum) and its limits."""

    name: str
    label: str
    kind: type = str
    required: bool = False
    max_len: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    #: Extra rule: returns a problem ("must be ...") or None.
    check: Callable[[Any], str | None] | None = None
    lower: bool = False


def email_problem(value: str) -> str | None:
    return None if EMAIL_PATTERN.match(value) else "is not a valid email address"


@lru_cache(maxsize=1)
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def timezone_problem(value: str) -> str | None:
    return None if value in _timezones() else "is not a known time zone (e.g. America/Toronto)"


def _coerce(f: Field, value: Any) -> tuple[Any, str | None]:
    """(clean value, problem)."""
    if isinstance(value, str) and f.kind is not bool:
        value = value.strip()
        if value == "":
            value = None
    if value is None:
        return None, "is required" if f.required else None
    if issubclass(f.kind, enum.Enum):
        try:
            return f.kind(value), None
        except ValueError:
            return None, "must be one of " + ", ".join(m.value for m in f.kind)
    if f.kind is str:
        if not isinstance(value, str):
            return None, "must be text"
        if f.max_len is not None and len(value) > f.max_len:
            return None, f"must be at most {f.max_len} characters"
        return (value.lower() if f.lower else value), None
    if f.kind is bool:
        return (value, None) if isinstance(value, bool) else (None, "must be true or false")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (f.kind is int and not isinstance(value, int)):
        return None, f"must be a{'n integer' if f.kind is int else ' number'}"
    if (f.minimum is not None and value < f.minimum) or (f.maximum is not None and value > f.maximum):
        return None, f"must be between {f.minimum:g} and {f.maximum:g}"
    if f.kind is int and not -MAX_ROW_ID <= value <= MAX_ROW_ID:  # integer columns (ids, counts) are 32-bit
        return None, "is out of range"
    return value, None


def clean(fields: Sequence[Field], data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """The checked values of `data`. `partial` (an edit): absent fields stay as they are.

    Raises ValidationFailed listing every problem, and for any field name not declared."""
    known = {f.name: f for f in fields}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ValidationFailed(f"unknown field(s): {', '.join(unknown)}")
    values: dict[str, Any] = {}
    problems: list[dict[str, str]] = []
    for f in fields:
        if f.name not in data:
            if f.required and not partial:
                problems.append({"field": f.name, "problem": f"{f.label} is required"})
            continue
        value, problem = _coerce(f, data[f.name])
        if problem is None and value is not None and f.check is not None:
            problem = f.check(value)
        if problem is not None:
            problems.append({"field": f.name, "problem": f"{f.label} {problem}"})
        else:
            values[f.name] = value
    if problems:
        raise ValidationFailed("; ".join(p["problem"] for p in problems), details={"errors": problems})
    return values
