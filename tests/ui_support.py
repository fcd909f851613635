"""Helpers for NiceGUI User tests of the workflow pages."""

from __future__ import annotations

import asyncio

from nicegui import background_tasks
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


async def live_updates_done(polls: int = 400) -> None:
    """Until no page's live update is waiting or running (`components.live` runs each as a
    background task named "live update ..."): the events published so far have been handled."""
    for _ in range(polls):
        if not any(task.get_name().startswith("live update") for task in background_tasks.running_tasks):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("live updates still running")
