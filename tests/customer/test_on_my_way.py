"""On my way, end to end below the pages: the tap queues the e-mail (in the tap's transaction),
the outbox delivers it to a real SMTP server, and the link in it opens this journey's tracking —
until it is revoked or expires. No e-mail → a clear refusal and nothing queued."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pytest
from nicegui.testing import User
from sqlalchemy import select

from db.enums import DocumentKind, MailStatus, Phase
from db.models import AuditEntry, CustomerLink, OutboundMail, utcnow
from domain.customer.links import (
    RESEND_AFTER,
    LinkExpired,
    customer_link_state,
    link_expiry,
    revoke_customer_links,
    tell_customer_on_my_way,
    token_digest,
)
from domain.audit.words import action_words, change_words
from domain.customer.stage import Stage
from domain.customer.tracking import tracked_document, tracking
from domain.customer.guard import MAX_MISSES, WINDOW_SECONDS, MissGuard, guard
from domain.errors import Forbidden, NotFound, TooManyRequests, ValidationFailed
from domain.mail.local_server import LocalMailServer
from domain.mail.outbox import drain_outbox
from domain.unit_of_work import read_session
from domain.workflow import phases as workflow
from tests.customer.support import CUSTOMER_EMAIL, MAIL_FROM, add_document, on_the_way, sender_to, smtp_server
from tests.fake_clock import FakeClock
from tests.helpers import count
from tests.journey_factory import World, fill_phase, make_world

pytestmark = pytest.mark.postgres_only
__all__ = ["smtp_server"]
LINK = re.compile(r"/track/([A-Za-z0-9_-]{20,})")


async def _tell_and_deliver(world: World, server: LocalMailServer) -> str:
    told = await tell_customer_on_my_way(world["driver"], world.journey_id)
    assert told.sent and told.sent_to == CUSTOMER_EMAIL
    assert (await drain_outbox(sender_to(server), MAIL_FROM)).sent == 1
    (mail,) = server.received()
    found = LINK.search(mail.text())
    assert found is not None, mail.text()
    return found.group(1)


async def test_the_customer_gets_the_on_my_way_mail_with_a_working_link(db: str, smtp_server: LocalMailServer) -> None:
    world = await on_the_way()
    token = await _tell_and_deliver(world, smtp_server)
    (mail,) = smtp_server.received()
    assert mail.recipients == (CUSTOMER_EMAIL,)
    assert mail.subject == "Test Movers: your crew is on the way"
    assert "Driver and the Test Movers crew are on the way" in mail.text()
    view = await tracking(token)
    assert view.journey_id == world.journey_id and view.stage is Stage.ON_THE_WAY
    assert view.company == "Test Movers" and view.crew_first_names == ("Driver", "Mover")
    assert view.truck == f"Truck T-{world.company_id}-1 · 26 ft" and view.arrival == "08:00–13:00"
    assert view.estimated_value is None and view.documents == ()  # no money unless the company says so
    async with read_session() as session:
        link = await session.scalar(select(CustomerLink))
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "on_my_way"))
    assert link is not None and link.token_sha256 == token_digest(token) and token not in link.token_sha256
    async with read_session() as session:  # once sent, the token is in clear nowhere in the database
        mail_row = await session.scalar(select(OutboundMail))
    assert mail_row is not None and token not in mail_row.text_body + (mail_row.html_body or "")
    assert entry is not None and (entry.new_values or {}).get("sent_to") == CUSTOMER_EMAIL
    assert action_words(entry.action) == "Customer e-mailed: crew on the way"
    assert change_words(None, entry.new_values).startswith(f"sent to: {CUSTOMER_EMAIL}; expires: ")


async def test_a_second_tap_soon_after_sends_nothing_more(db: str, smtp_server: LocalMailServer) -> None:
    world = await on_the_way()
    first = await tell_customer_on_my_way(world["driver"], world.journey_id)
    again = await tell_customer_on_my_way(world["mover"], world.journey_id,
                                          now=utcnow() + RESEND_AFTER - timedelta(seconds=5))
    assert first.sent and not again.sent
    assert "already told" in again.words
    assert await count(OutboundMail) == 1 and await count(CustomerLink) == 1
    later = await tell_customer_on_my_way(world["driver"], world.journey_id, now=utcnow() + RESEND_AFTER * 2)
    assert later.sent and await count(OutboundMail) == 2
    await drain_outbox(sender_to(smtp_server), MAIL_FROM, now=utcnow() + RESEND_AFTER * 3)
    assert len(smtp_server.received()) == 2


async def test_no_customer_email_is_refused_and_nothing_is_queued(db: str) -> None:
    world = await on_the_way(email=None)
    with pytest.raises(ValidationFailed, match="no usable customer e-mail"):
        await tell_customer_on_my_way(world["driver"], world.journey_id)
    assert await count(OutboundMail) == 0 and await count(CustomerLink) == 0


async def test_only_the_crew_taps_and_only_on_the_way(db: str) -> None:
    world = await on_the_way()
    with pytest.raises((Forbidden, NotFound)):
        await tell_customer_on_my_way(world["other_driver"], world.journey_id)
    await fill_phase(world, Phase.PICKUP)  # arrived and loading: no longer on the way
    with pytest.raises(ValidationFailed, match="this move is loading"):
        await tell_customer_on_my_way(world["driver"], world.journey_id)
    assert await count(OutboundMail) == 0


async def test_the_link_stops_working_once_revoked(db: str, smtp_server: LocalMailServer) -> None:
    world = await on_the_way()
    token = await _tell_and_deliver(world, smtp_server)
    with pytest.raises(Forbidden):
        await revoke_customer_links(world["driver"], world.journey_id)
    assert await revoke_customer_links(world["dispatcher"], world.journey_id) == 1
    with pytest.raises(LinkExpired):
        await tracking(token)
    state = await customer_link_state(world["dispatcher"], world.journey_id)
    assert state is not None and not state.active and state.revoked_at is not None
    with pytest.raises(ValidationFailed, match="no active customer link"):
        await revoke_customer_links(world["dispatcher"], world.journey_id)


async def test_the_link_expires_two_days_after_the_move_day(db: str, smtp_server: LocalMailServer) -> None:
    world = await on_the_way()
    token = await _tell_and_deliver(world, smtp_server)
    state = await customer_link_state(world["dispatcher"], world.journey_id)
    assert state is not None and state.active
    expires = link_expiry(state.sent_at.date(), "America/Toronto")
    local_end = expires.astimezone(state.expires_at.tzinfo)
    assert (local_end.date() - state.sent_at.date()).days == 3 and (local_end.hour, local_end.minute) == (0, 0)
    assert state.expires_at == local_end
    assert (await tracking(token, now=expires - timedelta(seconds=1))).journey_id == world.journey_id
    with pytest.raises(LinkExpired):
        await tracking(token, now=expires)
    with pytest.raises(NotFound):
        await tracking(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))


async def test_documents_once_done_and_only_this_journeys(db: str, smtp_server: LocalMailServer) -> None:
    world = await on_the_way()
    token = await _tell_and_deliver(world, smtp_server)
    other = await make_world(company_name="Other Movers")
    mine = await add_document(world, content=b"%PDF-1.7 mine\n%%EOF\n")
    theirs = await add_document(other, content=b"%PDF-1.7 theirs\n%%EOF\n")
    assert (await tracking(token)).documents == ()  # not before the move is done
    for phase in (Phase.PICKUP, Phase.TRANSPORT, Phase.DELIVERY):
        await fill_phase(world, phase)
        await workflow.complete_phase(world["driver"], world.journey_id, phase)
    view = await tracking(token)
    assert view.stage is Stage.DONE and [d.id for d in view.documents] == [mine]
    assert view.documents[0].title == "Completion report"
    assert (await tracked_document(token, mine)).content == b"%PDF-1.7 mine\n%%EOF\n"
    with pytest.raises(NotFound):
        await tracked_document(token, theirs)


async def test_downloads_over_http(db: str, user: User, smtp_server: LocalMailServer) -> None:
    world = await on_the_way()
    token = await _tell_and_deliver(world, smtp_server)
    other = await make_world(company_name="Other Movers")
    mine = await add_document(world, DocumentKind.BILL_OF_LADING)
    theirs = await add_document(other, DocumentKind.BILL_OF_LADING)
    client = user.http_client
    ok = await client.get(f"/track/{token}/documents/{mine}")
    assert ok.status_code == 200 and ok.content.startswith(b"%PDF")
    assert ok.headers["content-type"] == "application/pdf" and "attachment" in ok.headers["content-disposition"]
    assert (await client.get(f"/track/{token}/documents/{theirs}")).status_code == 404
    assert (await client.get(f"/track/{token}/documents/99999999999")).status_code in (404, 422)
    assert (await client.get(f"/track/{'x' * 43}/documents/{mine}")).status_code == 404
    await revoke_customer_links(world["manager"], world.journey_id)
    assert (await client.get(f"/track/{token}/documents/{mine}")).status_code == 410
    page = await client.get(f"/track/{token}")
    assert page.status_code == 410 and "This link has expired" in page.text and "Ada" not in page.text
    unknown = await client.get(f"/track/{'y' * 43}")
    assert unknown.status_code == 404 and "Ada" not in unknown.text


async def test_the_mail_is_queued_in_the_taps_transaction(db: str) -> None:
    world = await on_the_way()
    await tell_customer_on_my_way(world["driver"], world.journey_id)
    async with read_session() as session:
        mail = await session.scalar(select(OutboundMail))
        link = await session.scalar(select(CustomerLink))
    assert mail is not None and link is not None
    assert mail.status is MailStatus.QUEUED and mail.journey_id == world.journey_id == link.journey_id
    assert mail.to_address == CUSTOMER_EMAIL and "/track/" in mail.text_body


async def test_an_address_guessing_links_is_refused_for_a_while() -> None:
    clock = FakeClock()
    guard = MissGuard(clock=clock)
    for _ in range(MAX_MISSES):
        guard.check("203.0.113.9")
        guard.miss("203.0.113.9")
    with pytest.raises(TooManyRequests):
        guard.check("203.0.113.9")
    guard.check("198.51.100.7")  # another address is not concerned
    guard.check(None)  # nor a request without one (a live page's socket)
    clock.advance(WINDOW_SECONDS + 1)
    guard.check("203.0.113.9")


async def test_guessing_over_http_gets_429_then_nothing_more(db: str, user: User,
                                                              smtp_server: LocalMailServer) -> None:
    world = await on_the_way()
    token = await _tell_and_deliver(world, smtp_server)
    guard.clear()
    try:
        statuses = [(await user.http_client.get(f"/track/{secrets.token_urlsafe(32)}")).status_code
                    for _ in range(MAX_MISSES + 1)]
        assert statuses == [404] * MAX_MISSES + [429]
        refused = await user.http_client.get(f"/track/{token}")  # even a good token, for now
        assert refused.status_code == 429 and "Ada" not in refused.text
    finally:
        guard.clear()
    assert (await user.http_client.get(f"/track/{token}")).status_code == 200
