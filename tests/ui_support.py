"""Helpers for NiceGUI User tests of the workflow pages."""

from __future__ import annotations

from nicegui.testing import User
from sqlalchemy import select

from db.enums import Phase, StepStatus
from db.models import JourneyStep
from domain.unit_of_work import read_session


def prop(user: User, marker: str, name: str) -> str:
    (element,) = user.find(marker=marker).elements
    return element.props[name]


async def step_status(journey_id: int, phase: Phase) -> StepStatus:
    async with read_session() as session:
        status = await session.scalar(select(JourneyStep.status).where(
            JourneyStep.journey_id == journey_id, JourneyStep.phase == phase))
    assert status is not None
    return status
