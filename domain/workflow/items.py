"""What a crew may record for each kind of checklist item, and when a required item counts as done.

Values arrive from phones and API clients; each kind has one accepted shape, checked here, and
is stored normalised in `StepActivity.data`. Photos and signatures carry a media id instead
(checked by the workflow, which knows the journey).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeGuard

from db.enums import ActivityKind, ItemKind, Phase
from db.models import utcnow
from domain.errors import ValidationFailed

#: Longest free text an item accepts (an admin may set a lower `max_length`).
TEXT_MAX_LENGTH = 2000
#: A time reading may be this far ahead of the server clock (phones drift).
MAX_CLOCK_SKEW = timedelta(minutes=10)
#: ...and at most this old (a crew may fill in a reading late, not weeks later).
MAX_READING_AGE = timedelta(days=7)
#: A signer's name, when given with a signature.
SIGNER_MAX_LENGTH = 120

READING_TIME = "time"
READING_POSITION = "position"


@dataclass(frozen=True, slots=True)
class ItemSpec:
    """One checklist item of a phase, as the company's template defines it."""

    phase: Phase
    key: str
    label: str
    kind: ItemKind
    required: bool
    options: dict[str, Any]
    position: int

    @property
    def reading(self) -> str | None:
        return self.options.get("reading") if self.kind is ItemKind.READING else None

    @property
    def max_length(self) -> int:
        return int(self.options.get("max_length") or TEXT_MAX_LENGTH)

    @property
    def activity_kind(self) -> ActivityKind:
        if self.kind is ItemKind.READING:
            return ActivityKind.GPS if self.reading == READING_POSITION else ActivityKind.READING
        return _ACTIVITY_KIND[self.kind]

    @property
    def needs_media(self) -> bool:
        return self.kind in (ItemKind.PHOTO, ItemKind.SIGNATURE)


_ACTIVITY_KIND = {
    ItemKind.CHECK: ActivityKind.CHECKLIST,
    ItemKind.NUMBER: ActivityKind.CHECKLIST,
    ItemKind.CHOICE: ActivityKind.CHECKLIST,
    ItemKind.TEXT: ActivityKind.NOTE,
    ItemKind.PHOTO: ActivityKind.PHOTO,
    ItemKind.SIGNATURE: ActivityKind.SIGNATURE,
}


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def validate_value(spec: ItemSpec, value: Any) -> dict[str, Any]:
    """The `data` to store for `value`, or `ValidationFailed` saying what is expected."""
    label = spec.label
    if spec.kind is ItemKind.CHECK:
        if not isinstance(value, bool):
            raise ValidationFailed(f"{label}: expected true or false")
        return {"value": value}
    if spec.kind is ItemKind.NUMBER:
        if not _is_number(value):
            raise ValidationFailed(f"{label}: expected a number")
        low, high = spec.options.get("min"), spec.options.get("max")
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValidationFailed(f"{label}: must be between {low} and {high}")
        return {"value": value}
    if spec.kind is ItemKind.CHOICE:
        choices = spec.options.get("choices", [])
        if value not in choices:
            raise ValidationFailed(f"{label}: choose one of {', '.join(choices)}")
        return {"value": value}
    if spec.kind is ItemKind.TEXT:
        text = value.strip() if isinstance(value, str) else None
        if not text:
            raise ValidationFailed(f"{label}: write something first")
        if len(text) > spec.max_length:
            raise ValidationFailed(f"{label}: at most {spec.max_length} characters")
        return {"value": text}
    if spec.kind is ItemKind.READING:
        return _reading(spec, value)
    raise ValidationFailed(f"{label}: a {spec.kind.value.lower()} is recorded with a media id")


def _reading(spec: ItemSpec, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationFailed(f"{spec.label}: expected an object")
    if spec.reading == READING_POSITION:
        lat, lng, accuracy = value.get("lat"), value.get("lng"), value.get("accuracy")
        if not (_is_number(lat) and -90 <= lat <= 90 and _is_number(lng) and -180 <= lng <= 180):
            raise ValidationFailed(f"{spec.label}: lat must be within ±90 and lng within ±180")
        data: dict[str, Any] = {"lat": float(lat), "lng": float(lng)}
        if accuracy is not None:
            if not (_is_number(accuracy) and 0 <= accuracy <= 100_000):
                raise ValidationFailed(f"{spec.label}: accuracy must be 0–100000 metres")
            data["accuracy"] = float(accuracy)
        return data
    raw = value.get("time")
    try:
        at = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise ValidationFailed(f"{spec.label}: expected an ISO 8601 time with its UTC offset")
    now = utcnow()
    if at > now + MAX_CLOCK_SKEW or at < now - MAX_READING_AGE:
        raise ValidationFailed(f"{spec.label}: the time must be within the last 7 days and not in the future")
    return {"time": at.astimezone(now.tzinfo).isoformat()}


def validate_signer(signer: Any) -> str | None:
    if signer is None:
        return None
    if not isinstance(signer, str) or len(signer.strip()) > SIGNER_MAX_LENGTH:
        raise ValidationFailed(f"signer: a name of at most {SIGNER_MAX_LENGTH} characters")
    return signer.strip() or None


@dataclass(frozen=True, slots=True)
class Recorded:
    """The part of a recorded activity that decides whether an item is done."""

    data: dict[str, Any]
    media_id: int | None


def is_satisfied(spec: ItemSpec, records: Sequence[Recorded]) -> bool:
    """Whether the item counts as there: the latest answer for a check must be "yes"; photos and
    signatures need a stored file; anything else needs one answer."""
    if not records:
        return False
    if spec.kind is ItemKind.CHECK:
        return records[-1].data.get("value") is True
    if spec.needs_media:
        return any(r.media_id is not None for r in records)
    return True


# --- template options (what an admin may set on a new item) ---------------------------------

MAX_CHOICES = 8
CHOICE_MAX_LENGTH = 40
LABEL_MAX_LENGTH = 200
_KEY_MAX_LENGTH = 60


def item_key(label: str) -> str:
    """A stable key from a label: "Straps & blankets loaded" → "straps_blankets_loaded"."""
    key = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:_KEY_MAX_LENGTH].strip("_")
    return key or "item"


def clean_label(label: Any) -> str:
    text = label.strip() if isinstance(label, str) else ""
    if not text or len(text) > LABEL_MAX_LENGTH:
        raise ValidationFailed(f"label: 1 to {LABEL_MAX_LENGTH} characters")
    return text


def clean_options(kind: ItemKind, options: dict[str, Any] | None) -> dict[str, Any]:
    """The options a new item of `kind` keeps; anything else is refused or dropped."""
    options = options or {}
    if kind is ItemKind.NUMBER:
        low, high, unit = options.get("min"), options.get("max"), options.get("unit")
        for name, bound in (("min", low), ("max", high)):
            if bound is not None and not _is_number(bound):
                raise ValidationFailed(f"{name}: expected a number")
        if low is not None and high is not None and low >= high:
            raise ValidationFailed("min must be lower than max")
        if unit is not None and (not isinstance(unit, str) or len(unit) > 10):
            raise ValidationFailed("unit: at most 10 characters")
        return {k: v for k, v in (("min", low), ("max", high), ("unit", unit)) if v is not None}
    if kind is ItemKind.CHOICE:
        raw = options.get("choices")
        choices = [c.strip() for c in raw if isinstance(c, str) and c.strip()] if isinstance(raw, list) else []
        if not 2 <= len(choices) <= MAX_CHOICES or len(set(choices)) != len(choices):
            raise ValidationFailed(f"choices: 2 to {MAX_CHOICES} different answers")
        if any(len(c) > CHOICE_MAX_LENGTH for c in choices):
            raise ValidationFailed(f"choices: each at most {CHOICE_MAX_LENGTH} characters")
        return {"choices": choices}
    if kind is ItemKind.TEXT:
        limit = options.get("max_length", TEXT_MAX_LENGTH)
        if not (isinstance(limit, int) and not isinstance(limit, bool) and 1 <= limit <= TEXT_MAX_LENGTH):
            raise ValidationFailed(f"max_length: 1 to {TEXT_MAX_LENGTH}")
        return {"max_length": limit}
    if kind is ItemKind.READING:
        reading = options.get("reading")
        if reading not in (READING_TIME, READING_POSITION):
            raise ValidationFailed("reading: 'time' or 'position'")
        return {"reading": reading}
    return {}
