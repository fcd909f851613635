"""Branch placement: US states and Canadian provinces, abbreviated or written out, or read from
the end of the dispatch location's full address."""

from __future__ import annotations

import pytest

from domain.sync.regions import Region, region_of, state_code


@pytest.mark.parametrize(("state", "code"), [
    ("TX", "TX"), (" tx ", "TX"), ("Texas", "TX"), ("TEXAS", "TX"), ("Alberta", "AB"), ("Québec", "QC"),
    ("Quebec", "QC"), ("british columbia", "BC"), ("Colombie-Britannique", "BC"), ("Newfoundland and Labrador", "NL"),
    ("Prince Edward Island", "PE"), ("New York", "NY"), ("North Carolina", "NC"), ("Washington", "WA"),
    ("District of Columbia", "DC"), ("Narnia", None), ("", None), (None, None),
])
def test_state_codes_abbreviated_or_written_out(state: str | None, code: str | None) -> None:
    assert state_code(state) == code


@pytest.mark.parametrize(("state", "region"), [
    ("Texas", Region("US", "America/Chicago")), ("Alberta", Region("CA", "America/Edmonton")),
    ("AZ", Region("US", "America/Phoenix")), ("Saskatchewan", Region("CA", "America/Regina")),
    ("Nova Scotia", Region("CA", "America/Halifax")), ("Oregon", Region("US", "America/Los_Angeles")),
])
def test_country_and_timezone_follow_the_state(state: str, region: Region) -> None:
    assert region_of(state) == region


@pytest.mark.parametrize(("address", "country", "timezone"), [
    ("100 Main St, Calgary, AB T2P 1J9", "CA", "America/Edmonton"),
    ("1 Rue Sainte-Catherine, Montréal, Québec H2X 1Y4, Canada", "CA", "America/Toronto"),
    ("5 Elm St, Austin, Texas 78701", "US", "America/Chicago"),
    ("12 Commerce St, Dallas TX 75201-1234, USA", "US", "America/Chicago"),
])
def test_the_full_address_places_a_branch_without_a_state(address: str, country: str, timezone: str) -> None:
    assert region_of(None, address) == Region(country, timezone)
    assert region_of("", address) == Region(country, timezone)


def test_unknown_places_stay_unknown() -> None:
    assert region_of("Narnia", "1 Lamp Post Way, Narnia") is None
