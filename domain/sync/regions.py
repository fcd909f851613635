"""Where a SmartMoving branch is: its country and timezone from the state/province code of its
dispatch location. One zone per code (the most populous one where a state spans several);
unknown codes fall back to the company's timezone."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Region:
    country: str
    timezone: str


_CANADA = {
    "BC": "America/Vancouver", "AB": "America/Edmonton", "SK": "America/Regina", "MB": "America/Winnipeg",
    "ON": "America/Toronto", "QC": "America/Toronto", "NB": "America/Moncton", "NS": "America/Halifax",
    "PE": "America/Halifax", "NL": "America/St_Johns", "YT": "America/Whitehorse", "NT": "America/Edmonton",
    "NU": "America/Iqaluit",
}
_EASTERN = "America/New_York"
_CENTRAL = "America/Chicago"
_MOUNTAIN = "America/Denver"
_PACIFIC = "America/Los_Angeles"
_USA = {
    **dict.fromkeys(("CT", "DC", "DE", "FL", "GA", "IN", "MA", "MD", "ME", "MI", "NC", "NH", "NJ", "NY", "OH",
                     "PA", "RI", "SC", "VA", "VT", "WV", "KY"), _EASTERN),
    **dict.fromkeys(("AL", "AR", "IA", "IL", "KS", "LA", "MN", "MO", "MS", "ND", "NE", "OK", "SD", "TN", "TX",
                     "WI"), _CENTRAL),
    **dict.fromkeys(("CO", "MT", "NM", "UT", "WY", "ID"), _MOUNTAIN),
    **dict.fromkeys(("CA", "NV", "OR", "WA"), _PACIFIC),
    "AZ": "America/Phoenix", "AK": "America/Anchorage", "HI": "Pacific/Honolulu",
}
REGIONS: dict[str, Region] = {
    **{code: Region("CA", tz) for code, tz in _CANADA.items()},
    **{code: Region("US", tz) for code, tz in _USA.items()},
}


def region_of(state: str | None) -> Region | None:
    """The region of a state/province code ("ON", "on ", "TX"), or None when unknown."""
    return REGIONS.get((state or "").strip().upper())
