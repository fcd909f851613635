"""The mail outbox against a real SMTP server (aiosmtpd): due rows are sent once, at most N per
run; failures are retried with backoff on a fake clock; a permanent refusal gives up at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from db.enums import MailStatus
from db.models import OutboundMail, utcnow
from domain.errors import ValidationFailed
from domain.mail.local_server import LocalMailServer
from domain.mail.outbox import MAX_ATTEMPTS, drain_outbox, queue_mail, retry_delay
from domain.mail.senders import SmtpSender
from domain.unit_of_work import read_session, unit_of_work
from tests.customer.support import MAIL_FROM, sender_to, smtp_server

pytestmark = pytest.mark.postgres_only
__all__ = ["smtp_server"]


async def _queue(n: int, to: str = "someone@customer.test") -> list[int]:
    async with unit_of_work() as session:
        rows = [queue_mail(session, purpose="test", to=to, subject=f"Message {i}", text=f"Body {i}",
                           html=f"<p>Body {i}</p>") for i in range(n)]
        await session.flush()
        return [row.id for row in rows]


async def _rows() -> dict[int, OutboundMail]:
    async with read_session() as session:
        return {row.id: row for row in (await session.scalars(select(OutboundMail))).all()}


async def test_due_mail_is_sent_once_with_text_and_html(db: str, smtp_server: LocalMailServer) -> None:
    (mail_id,) = await _queue(1)
    report = await drain_outbox(sender_to(smtp_server), MAIL_FROM)
    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    again = await drain_outbox(sender_to(smtp_server), MAIL_FROM)
    assert again.sent == 0
    (received,) = smtp_server.received()
    assert received.recipients == ("someone@customer.test",)
    assert received.subject == "Message 0"
    assert received.text().strip() == "Body 0"
    assert received.message.get_body(("html",)) is not None
    row = (await _rows())[mail_id]
    assert (row.status, row.attempts, row.last_error) == (MailStatus.SENT, 1, None)
    assert row.sent_at is not None and (row.text_body, row.html_body) == ("", None)  # sent: the body is gone


async def test_concurrent_drains_never_send_a_row_twice(db: str, smtp_server: LocalMailServer) -> None:
    await _queue(12)
    sender = sender_to(smtp_server)
    reports = await asyncio.gather(*(drain_outbox(sender, MAIL_FROM, limit=50) for _ in range(4)))
    await drain_outbox(sender, MAIL_FROM, limit=50)  # whatever a skipped drain left
    subjects = sorted(r.subject for r in smtp_server.received())
    assert subjects == sorted(f"Message {i}" for i in range(12))
    assert sum(r.sent for r in reports) <= 12
    assert all(row.status is MailStatus.SENT and row.attempts == 1 for row in (await _rows()).values())


async def test_a_run_sends_at_most_its_limit(db: str, smtp_server: LocalMailServer) -> None:
    await _queue(5)
    first = await drain_outbox(sender_to(smtp_server), MAIL_FROM, limit=2)
    assert first.sent == 2 and len(smtp_server.received()) == 2
    await drain_outbox(sender_to(smtp_server), MAIL_FROM, limit=10)
    assert len(smtp_server.received()) == 5


async def test_a_refused_send_is_retried_with_backoff_and_sent_once(db: str, smtp_server: LocalMailServer) -> None:
    (mail_id,) = await _queue(1)
    sender, now = sender_to(smtp_server), utcnow()
    smtp_server.refusal = "451 4.3.0 Try again later"
    for attempt in (1, 2, 3):
        report = await drain_outbox(sender, MAIL_FROM, now=now)
        assert report.retrying == 1
        row = (await _rows())[mail_id]
        assert row.attempts == attempt and row.status is MailStatus.QUEUED
        assert row.next_attempt_at == now + retry_delay(attempt)
        assert "451" in (row.last_error or "")
        early = now + retry_delay(attempt) - timedelta(seconds=1)
        assert (await drain_outbox(sender, MAIL_FROM, now=early)).retrying == 0  # not due before its time
        now += retry_delay(attempt)
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert smtp_server.refused == 3 and smtp_server.received() == []
    smtp_server.refusal = None
    assert (await drain_outbox(sender, MAIL_FROM, now=now)).sent == 1
    assert (await drain_outbox(sender, MAIL_FROM, now=now + timedelta(days=1))).sent == 0
    assert len(smtp_server.received()) == 1
    row = (await _rows())[mail_id]
    assert (row.status, row.attempts, row.last_error) == (MailStatus.SENT, 4, None)


async def test_a_permanent_refusal_gives_up_at_once(db: str, smtp_server: LocalMailServer) -> None:
    (mail_id,) = await _queue(1)
    smtp_server.refusal = "550 5.1.1 No such mailbox"
    report = await drain_outbox(sender_to(smtp_server), MAIL_FROM)
    assert report.failed == 1
    row = (await _rows())[mail_id]
    assert row.status is MailStatus.FAILED and "550" in (row.last_error or "")


async def test_an_unreachable_server_is_retried_then_given_up(db: str) -> None:
    with LocalMailServer() as server:  # a port nobody listens on once it is stopped
        port = server.port
    (mail_id,) = await _queue(1)
    sender, now = SmtpSender(host="127.0.0.1", port=port, starttls=False, timeout=5), utcnow()
    for _ in range(MAX_ATTEMPTS):
        await drain_outbox(sender, MAIL_FROM, now=now)
        now += timedelta(hours=2)
    row = (await _rows())[mail_id]
    assert row.status is MailStatus.FAILED and row.attempts == MAX_ATTEMPTS
    assert "cannot be reached" in (row.last_error or "")


async def test_the_password_is_not_in_the_sender_repr() -> None:
    sender = SmtpSender(host="smtp.example.com", port=587, user="crm", password="s3cret-Value")
    assert "s3cret" not in repr(sender) and "s3cret" not in str(sender)


async def test_a_subject_on_two_lines_is_refused(db: str) -> None:
    async with unit_of_work() as session:
        with pytest.raises(ValidationFailed):
            queue_mail(session, purpose="test", to="a@b.test", subject="Hi\nBcc: x@y.test", text="x")


async def test_a_row_held_by_another_instance_is_skipped_not_sent_twice(db: str, smtp_server: LocalMailServer) -> None:
    """Two instances whose drains overlap (the advisory lock lost with its connection): the row the
    other one holds (`FOR UPDATE`, mid-send) is skipped, the others go out; once released it is
    sent by one of them only."""
    from db.session import session_factory

    held, other = await _queue(2)
    async with session_factory()() as session, session.begin():
        await session.execute(select(OutboundMail).where(OutboundMail.id == held).with_for_update())
        report = await drain_outbox(sender_to(smtp_server), MAIL_FROM)
        assert report.sent == 1 and [r.subject for r in smtp_server.received()] == ["Message 1"]
        assert (await _rows())[held].status is MailStatus.QUEUED and (await _rows())[other].status is MailStatus.SENT
    assert (await drain_outbox(sender_to(smtp_server), MAIL_FROM)).sent == 1
    assert sorted(r.subject for r in smtp_server.received()) == ["Message 0", "Message 1"]
