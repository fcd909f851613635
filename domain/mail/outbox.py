"""The e-mail outbox: `queue_mail` writes a row in the caller's transaction (so the mail exists
exactly when what caused it was committed); `drain_outbox` sends the due rows.

Sending rules:
- One drain at a time across instances (`singleton_lock`), and each row is claimed inside its own
  transaction with `SELECT ... FOR UPDATE SKIP LOCKED`, held while it is handed to the sender and
  its outcome written: no row is ever handed over twice by two drains. (A process killed between
  the server's "250 accepted" and the commit hands the row over again on the next run — the one
  duplicate possible; its Message-ID is the same, so mail clients show it once.)
- A failure is retried with exponential backoff (`retry_delay`: 30 s, 1 min, 2 min, ... capped at
  one hour), up to `MAX_ATTEMPTS`; a permanent refusal (unknown recipient) gives up at once. The
  row keeps the reason in words (`last_error`), never a credential.
- At most `limit` e-mails per run (MAIL_BATCH_SIZE): a backlog drains over several runs.
- Once sent, the row forgets the body (who, when, subject and purpose stay): bodies carry links
  whose tokens are stored nowhere else in clear (the customer's tracking link), and a mail is
  rebuilt from its template if ever needed. A row that failed keeps it, to be looked into.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import MailStatus
from db.models import OutboundMail, utcnow
from domain.errors import ValidationFailed
from domain.mail.senders import MailSender, SendFailed
from domain.runtime.locks import singleton_lock
from domain.unit_of_work import unit_of_work

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
MAX_SUBJECT = 200
MAX_BODY = 100_000
DRAIN_LOCK = "mail-outbox:drain"


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt (1 → 30 s, 2 → 60 s, ...)."""
    return min(FIRST_RETRY * (1 << min(max(attempts - 1, 0), 20)), LONGEST_RETRY)


def queue_mail(session: AsyncSession, *, purpose: str, to: str, subject: str, text: str, html: str | None = None,
               company_id: int | None = None, journey_id: int | None = None) -> OutboundMail:
    """Add an e-mail to the outbox in `session`'s transaction (sent after it commits)."""
    if "\n" in subject or "\r" in subject or len(subject) > MAX_SUBJECT:
        raise ValidationFailed(f"an e-mail subject is one line of at most {MAX_SUBJECT} characters")
    if len(text) > MAX_BODY or len(html or "") > MAX_BODY:
        raise ValidationFailed(f"an e-mail body is limited to {MAX_BODY} characters")
    row = OutboundMail(purpose=purpose, to_address=to, subject=subject, text_body=text, html_body=html,
                       company_id=company_id, journey_id=journey_id, status=MailStatus.QUEUED, attempts=0,
                       next_attempt_at=utcnow())
    session.add(row)
    return row


def message_of(row: OutboundMail, mail_from: str) -> EmailMessage:
    """The e-mail of an outbox row; its Message-ID is derived from the row (stable across retries)."""
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Message-ID"] = make_msgid(idstring=f"ccrm-mail-{row.id}", domain="ccrm.local")
    message.set_content(row.text_body)
    if row.html_body:
        message.add_alternative(row.html_body, subtype="html")
    return message


@dataclass(frozen=True)
class DrainReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    #: Another drain held the lock: this run did nothing.
    skipped: bool = False


async def drain_outbox(sender: MailSender, mail_from: str, *, limit: int = 20,
                       now: datetime | None = None) -> DrainReport:
    """Send up to `limit` due e-mails (see the module's rules). `now` (default: the clock) decides
    which rows are due and when failed ones are tried again."""
    counts = {MailStatus.SENT: 0, MailStatus.QUEUED: 0, MailStatus.FAILED: 0}
    async with singleton_lock(DRAIN_LOCK) as acquired:
        if not acquired:
            return DrainReport(skipped=True)
        for _ in range(limit):
            outcome = await _send_next(sender, mail_from, now or utcnow())
            if outcome is None:
                break
            counts[outcome] += 1
    return DrainReport(sent=counts[MailStatus.SENT], retrying=counts[MailStatus.QUEUED],
                       failed=counts[MailStatus.FAILED])


async def _send_next(sender: MailSender, mail_from: str, now: datetime) -> MailStatus | None:
    """Claim the next due row, hand it over, write the outcome: one transaction. None: none due."""
    async with unit_of_work() as session:
        row = await session.scalar(
            select(OutboundMail)
            .where(OutboundMail.status == MailStatus.QUEUED, OutboundMail.next_attempt_at <= now)
            .order_by(OutboundMail.next_attempt_at, OutboundMail.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if row is None:
            return None
        row.attempts += 1
        try:
            await sender.send(message_of(row, mail_from))
        except SendFailed as exc:
            row.last_error = exc.words[:500]
            if exc.permanent or row.attempts >= MAX_ATTEMPTS:
                row.status = MailStatus.FAILED
            else:
                row.next_attempt_at = now + retry_delay(row.attempts)
        else:
            row.status, row.sent_at, row.last_error = MailStatus.SENT, now, None
            row.text_body, row.html_body = "", None
        return row.status
