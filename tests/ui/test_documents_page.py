"""The documents card of the journey page (NiceGUI `User`, real PostgreSQL): the issued documents
in words with their download links, and the "Check a document" dialog answering for a file."""

from __future__ import annotations

import pytest
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User
from sqlalchemy import select

from db.enums import Phase
from db.models import MoveDocument
from domain.unit_of_work import read_session
from tests.helpers import sign_in
from tests.journey_factory import PASSWORD, World, make_world, password_hash, through
from tests.ui.test_plain_words import raw_values

pytestmark = pytest.mark.postgres_only


@pytest.fixture
async def world(db: str) -> World:
    journey = await make_world(hashed=password_hash())
    await through(journey, Phase.MORNING_PREP)  # pickup started: the bill of lading is issued
    return journey


async def test_the_journey_page_lists_the_documents_and_checks_a_file(world: World, user: User) -> None:
    async with read_session() as session:
        document = await session.scalar(select(MoveDocument).where(MoveDocument.journey_id == world.journey_id))
    assert document is not None
    await sign_in(user, world["manager"].email, PASSWORD)
    await user.open(f"/journeys/{world.journey_id}")
    await user.should_see("Bill of lading · version 1", retries=30)
    await user.should_see(f"SHA-256 {document.sha256[:12]}…")
    link = user.find(marker=f"download-{document.id}").elements.pop()
    assert link.props["href"] == f"/api/documents/{document.id}/file"
    assert not [t for t in raw_values(user) if "Bill of lading" in t or "Issued" in t]  # words, not raw values

    user.find(marker="verify-open").click()
    upload = user.find(marker="verify-upload").elements.pop()
    await upload.handle_uploads([SmallFileUpload("bill.pdf", "application/pdf", document.content)])
    await user.should_see("Issued here: Bill of lading, version 1", retries=30)
    changed = bytearray(document.content)
    changed[-40] ^= 0xFF
    await upload.handle_uploads([SmallFileUpload("bill.pdf", "application/pdf", bytes(changed))])
    await user.should_see("Not issued here", retries=30)


async def test_the_crew_sees_their_journeys_documents_on_the_phone(world: World, user: User) -> None:
    await sign_in(user, world["driver"].email, PASSWORD)
    await user.open(f"/mobile/journey/{world.journey_id}")
    await user.should_see("Bill of lading · version 1", retries=30)
    await user.should_not_see(marker="verify-open")  # checking files is the desk's
