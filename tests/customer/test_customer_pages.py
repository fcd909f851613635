"""The customer's side on the pages (NiceGUI's simulated user, PostgreSQL): the crew's On my way
button, the tracking page following the move live, and the journey page's link with Revoke."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from nicegui.testing import User
from sqlalchemy import select

from db.enums import Phase
from db.models import Company, OutboundMail
from domain.customer.links import tell_customer_on_my_way
from domain.mail.local_server import LocalMailServer
from domain.mail.outbox import drain_outbox
from domain.mail.service import SENT_MAIL_PATH
from domain.unit_of_work import read_session
from domain.workflow import phases as workflow
from pages.access.session import GUARDED_PAGES
from tests.customer.support import CUSTOMER_EMAIL, MAIL_FROM, add_document, on_the_way, sender_to, smtp_server
from tests.helpers import count, sign_in
from tests.journey_factory import PASSWORD, World, fill_phase, now_iso, password_hash

pytestmark = pytest.mark.postgres_only
__all__ = ["smtp_server"]


async def _token(world: World, server: LocalMailServer) -> str:
    await tell_customer_on_my_way(world["driver"], world.journey_id)
    await drain_outbox(sender_to(server), MAIL_FROM)
    found = re.search(r"/track/([A-Za-z0-9_-]+)", server.received()[-1].text())
    assert found is not None
    return found.group(1)


async def test_the_crew_taps_on_my_way_and_the_customer_gets_the_mail(db: str, user: User,
                                                                       smtp_server: LocalMailServer) -> None:
    world = await on_the_way(hashed=password_hash())
    await sign_in(user, world["driver"].email, PASSWORD)
    await user.open(f"/mobile/journey/{world.journey_id}")
    await user.should_see("3. Pickup", retries=30)
    user.find(marker="on-my-way").click()
    await user.should_see(f"{CUSTOMER_EMAIL} will get an e-mail", retries=30)
    user.find(marker="on-my-way").click()
    await user.should_see("was already told at", retries=30)
    assert await count(OutboundMail) == 1
    await drain_outbox(sender_to(smtp_server), MAIL_FROM)
    (mail,) = smtp_server.received()
    assert mail.recipients == (CUSTOMER_EMAIL,) and "/track/" in mail.text()
    await workflow.record_item(world["driver"], world.journey_id, Phase.PICKUP, "arrival_time",
                               {"time": now_iso()})
    await user.should_not_see(marker="on-my-way")  # arrived: the button is gone


async def test_without_an_email_the_phone_says_so_and_nothing_is_queued(db: str, user: User) -> None:
    world = await on_the_way(email=None, hashed=password_hash())
    await sign_in(user, world["mover"].email, PASSWORD)
    await user.open(f"/mobile/journey/{world.journey_id}")
    user.find(marker="on-my-way").click()
    await user.should_see("no usable customer e-mail", retries=30)
    assert await count(OutboundMail) == 0


async def test_the_tracking_page_follows_the_move_live(db: str, user: User, smtp_server: LocalMailServer) -> None:
    world = await on_the_way()
    token = await _token(world, smtp_server)
    await user.open(f"/track/{token}")
    await user.should_see("Test Movers")
    await user.should_see("On the way")
    await user.should_see("08:00–13:00 (Toronto time)")
    await user.should_see("Driver, Mover")
    await user.should_not_see("4,200")
    await workflow.record_item(world["driver"], world.journey_id, Phase.PICKUP, "arrival_time",
                               {"time": now_iso()})
    await user.should_see("The crew has arrived.")
    await fill_phase(world, Phase.PICKUP)
    await user.should_see("The crew is loading your belongings.")
    await workflow.complete_phase(world["driver"], world.journey_id, Phase.PICKUP)
    await user.should_see("Your belongings are on the way to the destination.")
    document = await add_document(world)
    for phase in (Phase.TRANSPORT, Phase.DELIVERY):
        await fill_phase(world, phase)
        await workflow.complete_phase(world["driver"], world.journey_id, phase)
    await user.should_see("Your move is complete. Thank you!")
    await user.should_see(marker=f"document-{document}")


async def test_money_shows_only_when_the_company_admin_turns_it_on(db: str, user: User,
                                                                   smtp_server: LocalMailServer) -> None:
    world = await on_the_way(hashed=password_hash())
    token = await _token(world, smtp_server)
    await sign_in(user, world["admin"].email, PASSWORD)
    await user.open(f"/journeys/{world.journey_id}")
    user.find(marker="tracking-money").click()
    await user.should_see("Tracking pages now show the estimated value", retries=30)
    async with read_session() as session:
        assert await session.scalar(select(Company.customer_link_shows_financials)
                                    .where(Company.id == world.company_id)) is True
    await user.open(f"/track/{token}")
    await user.should_see("$4,200")


async def test_the_office_revokes_the_link_from_the_journey_page(db: str, user: User,
                                                                 smtp_server: LocalMailServer) -> None:
    world = await on_the_way(hashed=password_hash())
    token = await _token(world, smtp_server)
    await sign_in(user, world["dispatcher"].email, PASSWORD)
    await user.open(f"/journeys/{world.journey_id}")
    await user.should_see(f"Link sent to {CUSTOMER_EMAIL}", retries=30)
    await user.should_see("expires")
    await user.should_not_see(marker="tracking-money")  # the company's admins decide that
    user.find(marker="revoke-link").click()
    await user.should_see("The customer's link no longer works", retries=30)
    await user.should_see("revoked at")
    response = await user.http_client.get(f"/track/{token}")
    assert response.status_code == 410 and "This link has expired" in response.text


async def test_an_open_tracking_page_goes_blank_when_the_link_is_revoked(db: str, user: User,
                                                                         smtp_server: LocalMailServer) -> None:
    world = await on_the_way()
    token = await _token(world, smtp_server)
    await user.open(f"/track/{token}")
    await user.should_see("On the way")
    from domain.customer.links import revoke_customer_links
    await revoke_customer_links(world["manager"], world.journey_id)
    await user.should_see("This link has expired")
    await user.should_not_see("Driver, Mover")
    async with read_session() as session:
        assert await session.scalar(select(Company.name).where(Company.id == world.company_id)) == "Test Movers"


@pytest.fixture
def demo_mail_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The app as `make run` starts it: its own local SMTP server (on a free port here)."""
    from config import get_settings

    with LocalMailServer() as probe:
        port = probe.port
    monkeypatch.setenv("DEMO_MAIL_SERVER", "true")
    monkeypatch.setenv("DEMO_SMTP_PORT", str(port))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
    GUARDED_PAGES.pop(SENT_MAIL_PATH, None)  # registered for this test's app only


async def test_the_demo_shows_the_mail_its_own_server_received(demo_mail_server: None, db: str, user: User) -> None:
    from domain.mail.service import demo_mail_server as running
    from domain.mail.service import drain_now

    world = await on_the_way(hashed=password_hash())
    await tell_customer_on_my_way(world["driver"], world.journey_id)
    await sign_in(user, world["admin"].email, PASSWORD)
    server = running()
    assert server is not None
    assert (await drain_now()).sent == 1
    (mail,) = server.received()
    assert mail.recipients == (CUSTOMER_EMAIL,)
    await user.open(SENT_MAIL_PATH)
    await user.should_see("Test Movers: your crew is on the way")
    await user.should_see("Open the customer's page")
    await user.should_see("Sent mail")  # in the header too
