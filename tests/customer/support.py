"""Shared by the customer tests: a real local SMTP server, a journey whose crew is on the way,
and documents inserted as the documents feature would issue them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from sqlalchemy import update

from db.enums import DocumentKind, Phase
from db.models import Journey, MoveDocument
from domain.mail.local_server import LocalMailServer
from domain.mail.senders import SmtpSender
from domain.unit_of_work import unit_of_work
from tests.journey_factory import World, make_world, through

CUSTOMER_EMAIL = "ada@customer.test"
MAIL_FROM = "Test Movers <no-reply@movers.test>"


@pytest.fixture
def smtp_server() -> Iterator[LocalMailServer]:
    with LocalMailServer() as server:
        yield server


def sender_to(server: LocalMailServer) -> SmtpSender:
    return SmtpSender(host=server.host, port=server.port, starttls=False, timeout=10)


async def set_journey(journey_id: int, **values: object) -> None:
    async with unit_of_work() as session:
        await session.execute(update(Journey).where(Journey.id == journey_id).values(**values))


async def on_the_way(*, email: str | None = CUSTOMER_EMAIL, company_name: str = "Test Movers",
                     hashed: str = "x") -> World:
    """A journey whose morning prep is done (the crew drives to the customer)."""
    world = await make_world(company_name=company_name, hashed=hashed)
    await set_journey(world.journey_id, customer_email=email)
    await through(world, Phase.MORNING_PREP)
    return world


async def add_document(world: World, kind: DocumentKind = DocumentKind.COMPLETION_REPORT,
                       content: bytes = b"%PDF-1.7 test document\n%%EOF\n", journey_id: int | None = None) -> int:
    async with unit_of_work() as session:
        document = MoveDocument(company_id=world.company_id, journey_id=journey_id or world.journey_id, kind=kind,
                                version=1, filename=f"{kind.value.lower()}.pdf", size_bytes=len(content),
                                sha256=hashlib.sha256(content).hexdigest(), content=content)
        session.add(document)
        await session.flush()
        return document.id
