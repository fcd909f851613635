"""Filter inputs of the desk's lists: what the browser's date inputs send, read as days."""

from __future__ import annotations

from datetime import date

from domain.errors import ValidationFailed


def day_of(text: str | None, label: str) -> date | None:
    """The day typed in a date input (`YYYY-MM-DD`), None when empty; a clear error otherwise."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValidationFailed(f"{label} must be a date (YYYY-MM-DD)") from exc
