"""Where a SmartMoving branch is: its country and timezone from the state or province of its
dispatch location, abbreviated ("TX", "AB") or written out ("Texas", "Alberta", "Québec"),
else read from the end of its `fullAddress` ("..., Calgary, AB T2P 1J9"). One zone per state
(the most populous one where a state spans several) unless the branch's coordinates place it in
another part of the state (El Paso, the Florida panhandle, Knoxville, Kenora, ...: `SPLITS`);
unknown ones fall back to the company's timezone."""

from __future__ import annotations

import re
import unicodedata
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


_NAMES = {
    "ALBERTA": "AB", "BRITISH COLUMBIA": "BC", "COLOMBIE BRITANNIQUE": "BC", "MANITOBA": "MB",
    "NEW BRUNSWICK": "NB", "NOUVEAU BRUNSWICK": "NB", "NEWFOUNDLAND AND LABRADOR": "NL", "NEWFOUNDLAND": "NL",
    "TERRE NEUVE ET LABRADOR": "NL", "NOVA SCOTIA": "NS", "NOUVELLE ECOSSE": "NS", "ONTARIO": "ON",
    "PRINCE EDWARD ISLAND": "PE", "ILE DU PRINCE EDOUARD": "PE", "QUEBEC": "QC", "SASKATCHEWAN": "SK",
    "YUKON": "YT", "YUKON TERRITORY": "YT", "NORTHWEST TERRITORIES": "NT", "TERRITOIRES DU NORD OUEST": "NT",
    "NUNAVUT": "NU",
    "ALABAMA": "AL", "ALASKA": "AK", "ARIZONA": "AZ", "ARKANSAS": "AR", "CALIFORNIA": "CA", "COLORADO": "CO",
    "CONNECTICUT": "CT", "DELAWARE": "DE", "DISTRICT OF COLUMBIA": "DC", "WASHINGTON DC": "DC", "FLORIDA": "FL",
    "GEORGIA": "GA", "HAWAII": "HI", "IDAHO": "ID", "ILLINOIS": "IL", "INDIANA": "IN", "IOWA": "IA", "KANSAS": "KS",
    "KENTUCKY": "KY", "LOUISIANA": "LA", "MAINE": "ME", "MARYLAND": "MD", "MASSACHUSETTS": "MA", "MICHIGAN": "MI",
    "MINNESOTA": "MN", "MISSISSIPPI": "MS", "MISSOURI": "MO", "MONTANA": "MT", "NEBRASKA": "NE", "NEVADA": "NV",
    "NEW HAMPSHIRE": "NH", "NEW JERSEY": "NJ", "NEW MEXICO": "NM", "NEW YORK": "NY", "NORTH CAROLINA": "NC",
    "NORTH DAKOTA": "ND", "OHIO": "OH", "OKLAHOMA": "OK", "OREGON": "OR", "PENNSYLVANIA": "PA",
    "RHODE ISLAND": "RI", "SOUTH CAROLINA": "SC", "SOUTH DAKOTA": "SD", "TENNESSEE": "TN", "TEXAS": "TX",
    "UTAH": "UT", "VERMONT": "VT", "VIRGINIA": "VA", "WASHINGTON": "WA", "WEST VIRGINIA": "WV",
    "WISCONSIN": "WI", "WYOMING": "WY",
}
#: The state or province before a Canadian postal code or a US ZIP at the end of an address.
_TAIL = re.compile(
    r"(?:^|,)\s*([^\d,]+?)\s+"  # the region
    r"(?:[A-Z]\d[A-Z]\s?\d[A-Z]\d|\d{5}(?:-\d{4})?)"  # a postal code or a ZIP
    r"\s*(?:,?\s*(?:CANADA|USA|US|UNITED STATES))?\s*$",  # an optional country
    re.IGNORECASE)


def _key(text: str) -> str:
    """"Québec" → "QUEBEC", "Prince-Edward Island." → "PRINCE EDWARD ISLAND"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^A-Za-z]+", " ", plain).upper().split())


def state_code(state: str | None) -> str | None:
    """The two-letter code of a US state or Canadian province, abbreviated or written out."""
    key = _key(state or "")
    if key.replace(" ", "") in REGIONS and len(key.replace(" ", "")) == 2:
        return key.replace(" ", "")
    return _NAMES.get(key)


#: States and provinces spanning zones: (code, west of longitude / east of / north of latitude,
#: zone there). Lines are the zone borders near the cities, good to a county: a branch sits in a
#: city, not on the border.
SPLITS: tuple[tuple[str, str, float, str], ...] = (
    ("TX", "west", -104.9, "America/Denver"),  # El Paso, Hudspeth
    ("FL", "west", -85.0, _CENTRAL),  # the panhandle: Pensacola, Panama City
    ("TN", "east", -85.6, _EASTERN),  # Knoxville, Chattanooga
    ("KY", "west", -86.1, _CENTRAL),  # Bowling Green, Paducah
    ("IN", "west", -87.0, _CENTRAL),  # Gary, Evansville
    ("MI", "west", -87.6, _CENTRAL),  # Menominee, Iron Mountain
    ("ND", "west", -101.3, _MOUNTAIN),  # Dickinson
    ("SD", "west", -100.4, _MOUNTAIN),  # Rapid City
    ("NE", "west", -101.4, _MOUNTAIN),  # Scottsbluff, North Platte's west
    ("KS", "west", -101.4, _MOUNTAIN),  # Goodland
    ("OR", "east", -117.2, "America/Boise"),  # Ontario
    ("ID", "north", 45.6, _PACIFIC),  # Coeur d'Alene, Lewiston
    ("BC", "east", -118.0, "America/Edmonton"),  # Cranbrook, Golden (the Kootenays' east)
    ("ON", "west", -89.5, "America/Winnipeg"),  # Kenora, Dryden
    ("NL", "north", 51.5, "America/Goose_Bay"),  # Labrador
    ("SK", "west", -109.9, "America/Edmonton"),  # Lloydminster
)


def _split_zone(code: str, lat: float | None, lng: float | None) -> str | None:
    for state, side, line, timezone in SPLITS:
        if state != code:
            continue
        if side == "north" and lat is not None and lat > line:
            return timezone
        if lng is not None and ((side == "west" and lng < line) or (side == "east" and lng > line)):
            return timezone
    return None


def region_of(state: str | None, full_address: str | None = None, *, lat: float | None = None,
              lng: float | None = None) -> Region | None:
    """The region of a state or province ("ON", "on ", "Texas", "Québec"), else of the one the
    full address ends with, its zone refined by the coordinates where the state spans several;
    None when unknown."""
    code = state_code(state)
    if code is None and full_address:
        match = _TAIL.search(full_address.strip())
        if match:
            code = state_code(match.group(1).split(",")[-1])
            if code is None:  # "…, Calgary AB T2P 1J9": the last word
                code = state_code(match.group(1).split()[-1])
    region = REGIONS.get(code) if code else None
    if region is None or code is None:
        return None
    split = _split_zone(code, lat, lng)
    return Region(region.country, split) if split else region
