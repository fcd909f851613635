"""The sync's states, kinds and plans as people read them: `NEVER_SYNCED` → `Never synced`,
`JOBS` → `Jobs: today + tomorrow` (the raw values stay in the rows' data for colours and tests)."""

from __future__ import annotations

from domain.journeys.labels import plain_words

WORDS: dict[str, str] = {
    "OK": "OK", "NOT CONFIGURED": "Not configured", "JOBS": "Jobs: today + tomorrow",
    "FULL_JOBS": "Full jobs refresh", "API": "API",
}


def sync_words(value: str | None) -> str:
    if not value:
        return "—"
    return WORDS.get(value) or plain_words(value)
