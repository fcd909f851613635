"""Values PostgreSQL (and UTF-8) cannot store: text with NUL characters or unpaired surrogates, and
the non-finite numbers (`NaN`, `Infinity`) Python's JSON parser lets through. The API's input
guard refuses them with a 422; the SmartMoving normaliser reports records that carry them."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

UNSTORABLE_TEXT = re.compile("[\x00\ud800-\udfff]")


def unstorable(value: Any) -> str | None:
    """Why `value` cannot be stored, or None when it can (only text and floats can fail)."""
    if isinstance(value, str) and UNSTORABLE_TEXT.search(value):
        return "text may not contain NUL characters or unpaired surrogates"
    if isinstance(value, float) and not math.isfinite(value):
        return "numbers must be finite"
    return None


def json_leaves(document: Any) -> Iterator[Any]:
    """Every key and scalar of a parsed JSON document (a loop, not recursion: any depth)."""
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            pending.extend(value)
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
        else:
            yield value
