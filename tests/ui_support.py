"""Helpers for NiceGUI User tests of the workflow pages."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from nicegui.testing import User
from sqlalchemy import select

from db.enums import Phase, StepStatus
from db.models import JourneyStep
from domain.unit_of_work import read_session
from tests.journey_factory import PASSWORD


async def sign_in(user: User, email: str, landing: str = "My journeys") -> None:
    """Sign in and wait for the landing page (its redirect must not overtake the next `open`)."""
    await user.open("/login")
    user.find(marker="email").type(email)
    user.find(marker="password").type(PASSWORD)
    user.find(marker="sign-in").click()
    await user.should_see(landing, retries=50)


async def eventually(check: Callable[[], bool], seconds: float = 5) -> None:
    """Wait for an effect of a click (handlers run as tasks)."""
    for _ in range(int(seconds * 20)):
        if check():
            return
        await asyncio.sleep(0.05)
    assert check()


def prop(user: User, marker: str, name: str) -> str:
    (element,) = user.find(marker=marker).elements
    return element.props[name]


async def step_status(journey_id: int, phase: Phase) -> StepStatus:
    async with read_session() as session:
        status = await session.scalar(select(JourneyStep.status).where(
            JourneyStep.journey_id == journey_id, JourneyStep.phase == phase))
    assert status is not None
    return status
