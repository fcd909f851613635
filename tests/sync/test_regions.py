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


@pytest.mark.parametrize(("state", "lat", "lng", "timezone"), [
    ("TX", 31.76, -106.49, "America/Denver"),  # El Paso
    ("Texas", 32.78, -96.80, "America/Chicago"),  # Dallas
    ("FL", 30.42, -87.22, "America/Chicago"),  # Pensacola
    ("FL", 25.76, -80.19, "America/New_York"),  # Miami
    ("TN", 35.96, -83.92, "America/New_York"),  # Knoxville
    ("TN", 36.16, -86.78, "America/Chicago"),  # Nashville
    ("IN", 37.97, -87.57, "America/Chicago"),  # Evansville
    ("KY", 38.25, -85.76, "America/New_York"),  # Louisville
    ("ID", 47.68, -116.78, "America/Los_Angeles"),  # Coeur d'Alene
    ("ID", 43.62, -116.21, "America/Denver"),  # Boise
    ("Ontario", 49.77, -94.49, "America/Winnipeg"),  # Kenora
    ("Ontario", 43.65, -79.38, "America/Toronto"),  # Toronto
    ("BC", 49.51, -115.77, "America/Edmonton"),  # Cranbrook
    ("NL", 53.30, -60.33, "America/Goose_Bay"),  # Happy Valley-Goose Bay
])
def test_coordinates_place_a_branch_where_its_state_spans_zones(state: str, lat: float, lng: float,
                                                                timezone: str) -> None:
    region = region_of(state, lat=lat, lng=lng)
    assert region is not None and region.timezone == timezone
    assert region_of(state) is not None  # without coordinates: the state's main zone
