"""The household-goods condition codes a crew notes on an item, and the words people read.

The set movers use on inventory sheets (and the US household-goods rules expect): the code is
what is stored, the word is what every screen and document shows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from domain.errors import ValidationFailed

CONDITION_WORDS: dict[str, str] = {
    "BE": "bent", "BR": "broken", "CH": "chipped", "D": "dented", "F": "faded", "G": "gouged", "L": "loose",
    "M": "marred", "MI": "mildew", "R": "rubbed", "SC": "scratched", "SH": "short", "SO": "soiled",
    "ST": "stretched", "T": "torn", "W": "badly worn",
}


def clean_conditions(value: Any) -> list[str]:
    """The codes of `value` (a list of codes, any case), each once, in the set's order; a code
    outside the set is refused by name."""
    if value is None:
        return []
    if not isinstance(value, (list, tuple)) or not all(isinstance(code, str) for code in value):
        raise ValidationFailed("conditions: a list of condition codes such as SC or BR")
    codes = {code.strip().upper() for code in value}
    unknown = sorted(codes - CONDITION_WORDS.keys())
    if unknown:
        raise ValidationFailed(f"conditions: unknown code {', '.join(unknown[:5])[:60]}; use "
                               + ", ".join(CONDITION_WORDS))
    return [code for code in CONDITION_WORDS if code in codes]


def condition_words(codes: Iterable[str]) -> str:
    """"scratched, dented" for ["SC", "D"] (unknown codes, from older data, as written)."""
    return ", ".join(CONDITION_WORDS.get(code, code) for code in codes)
