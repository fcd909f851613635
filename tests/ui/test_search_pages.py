"""`/journeys`, `/customers` and `/crew` through NiceGUI's simulated user on the demo data: each
role finds what its scope holds and nothing else, in plain words (no ids, enum names or ISO
timestamps), with money only for roles that may see it, and the CSV download of the filter."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from nicegui.testing import User as SimulatedUser

from tests.helpers import eventually, sign_in
from tests.search.helpers import EMAILS, Planted, plant

REFUSAL = "You don't have access to this page."
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
ENUM_NAMES = {"MORNING_PREP", "EN_ROUTE", "COMPLETED", "SMARTMOVING", "MANUAL", "SCHEDULED"}


@pytest.fixture
async def planted(demo: str, user: SimulatedUser) -> Planted:
    return await plant()


def _element(user: SimulatedUser, marker: str) -> Any:
    elements = user.find(marker=marker).elements
    assert len(elements) == 1, (marker, elements)
    return next(iter(elements))


async def _search(user: SimulatedUser, page: str, text: str, ids: list[int]) -> list[dict[str, Any]]:
    """Search and wait for the table to show the journeys or customers `ids` (in that order)."""
    user.find(marker=f"{page}-search").type(text)
    user.find(marker=f"{page}-apply").click()
    table = _element(user, f"{page}-table")
    await eventually(lambda: [r["id"] for r in table.rows] == ids)
    return list(table.rows)


def _plain(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        for key, value in row.items():
            if key == "id":
                continue
            assert not ISO_MOMENT.search(str(value)) and str(value) not in ENUM_NAMES, (key, value)


async def test_the_auditor_searches_journeys_company_wide_with_money(planted: Planted, user: SimulatedUser) -> None:
    await sign_in(user, EMAILS["auditor"])
    await user.open("/journeys")
    await user.should_see("Journeys")
    rows = await _search(user, "journeys", "905 555 0142", [planted.elsewhere])
    assert rows[0]["label"] == "SM 778899-1" and rows[0]["state"] == "Completed" and rows[0]["value"] == "$1,234.50"
    assert re.fullmatch(r"\d{2}:\d{2}–\d{2}:\d{2}", rows[0]["hours"])
    _plain(rows)
    user.find(marker="journeys-download").click()
    exported = list(csv.reader(io.StringIO((await user.download.next()).text)))
    assert exported[0][-1] == "Estimated value" and exported[1][0] == "SM 778899-1"


async def test_the_dispatcher_finds_only_their_branches_and_no_money(planted: Planted, user: SimulatedUser) -> None:
    await sign_in(user, EMAILS["dispatcher"])
    await user.open("/journeys")
    await _search(user, "journeys", "Quartzfield", [])
    await user.open("/journeys")
    rows = await _search(user, "journeys", "near.customer", [planted.inside])
    assert "value" not in rows[0]
    await user.open("/customers")
    await _search(user, "customers", "Quartzfield", [])
    for customer in (planted.elsewhere, 99999999999999999999):
        await user.open(f"/customers/{customer}")
        await user.should_see(marker="customer-not-found")
    await user.open("/crew")
    await user.should_see("Crew")
    crew = list(_element(user, "crew-table").rows)
    assert crew and {r["role"] for r in crew} <= {"Driver", "Mover"}
    _plain(crew)


async def test_the_auditor_opens_a_customer_with_its_past_journeys(planted: Planted, user: SimulatedUser) -> None:
    await sign_in(user, EMAILS["auditor"])
    await user.open("/customers")
    rows = await _search(user, "customers", "zebulon", [planted.elsewhere])
    assert rows[0]["source"] == "SmartMoving"
    _plain(rows)
    await user.open(f"/customers/{planted.elsewhere}")
    await user.should_see("Zebulon Quartzfield")
    past = list(_element(user, "customer-past").rows)
    assert [r["id"] for r in past] == [planted.elsewhere]
    await user.open("/crew")
    await user.should_see(REFUSAL)


@pytest.mark.parametrize("role", ["driver", "mover"])
async def test_crew_roles_are_sent_home(planted: Planted, user: SimulatedUser, role: str) -> None:
    await sign_in(user, EMAILS[role])
    for path in ("/journeys", "/customers", f"/customers/{planted.inside}", "/crew"):
        await user.open(path)
        await user.should_see(REFUSAL)
