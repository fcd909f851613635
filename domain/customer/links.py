"""The customer's tracking link, sent when the crew taps "On my way".

- The token is `secrets.token_urlsafe(32)` (256 bits); only its SHA-256 is stored, so the
  database alone opens no tracking page. It is looked up by that digest (a unique index): no
  comparison of secrets in Python, and an unknown token costs what a known one does.
- A link shows one journey and expires at the end of the second day after the move day, in the
  branch's zone (a move on Thursday: until Saturday 24:00) — long enough to fetch the documents
  after the move, short enough that an old e-mail stops showing anything.
- Office users who may edit the journey revoke its links (every active one) from the journey page.
- The mail: one per tap, except that a tap within `RESEND_AFTER` of the last on-my-way e-mail of
  the journey sends nothing (two crew members tapping, or a double tap). A later tap sends a new
  e-mail with a new link; the earlier link keeps working until it expires or is revoked.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from config import get_settings
from db.enums import Phase
from db.models import Company, CustomerLink, Journey, JourneyStep, OutboundMail, StepActivity, utcnow
from domain.access.rbac import Permission, Principal
from domain.audit import record as audit
from domain.audit.record import audited_write
from domain.customer.messages import on_my_way_mail
from domain.customer.stage import STAGE_WORDS, Stage, stage_of
from domain.errors import DomainError, Forbidden, NotFound, ValidationFailed
from domain.events import bus as events
from domain.events.bus import DomainEvent, EventType
from domain.journeys.access import load_journey
from domain.mail.outbox import queue_mail
from domain.timewindow import local_time, zone
from domain.unit_of_work import read_session, unit_of_work
from domain.workflow.access import crew_ids

ON_MY_WAY = "customer.on_my_way"
#: A second tap within this time after the last on-my-way e-mail sends nothing.
RESEND_AFTER = timedelta(minutes=10)
#: The link works until the end of this many days after the move day (branch zone).
DAYS_AFTER_MOVE = 2
#: The stages in which "On my way" may be tapped (and its button is shown).
ON_MY_WAY_STAGES = frozenset({Stage.ON_THE_WAY})
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class LinkExpired(DomainError):
    """The link existed, but was revoked or is past its expiry: 410, and nothing of the journey."""

    status_code = 410
    code = "gone"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_expiry(journey_date: date, timezone: str) -> datetime:
    """The end of the move day + DAYS_AFTER_MOVE in the branch's zone, in UTC (as stored)."""
    return datetime.combine(journey_date + timedelta(days=DAYS_AFTER_MOVE + 1), time(0), zone(timezone)).astimezone(UTC)


def tracking_url(token: str) -> str:
    return f"{get_settings().public_url}/track/{token}"


async def pickup_records(session: AsyncSession, journey_id: int) -> int:
    """How many records the crew made on the journey's pickup phase (see `stage`)."""
    return await session.scalar(
        select(func.count(StepActivity.id)).join(JourneyStep, JourneyStep.id == StepActivity.step_id)
        .where(JourneyStep.journey_id == journey_id, JourneyStep.phase == Phase.PICKUP)) or 0


async def journey_stage(session: AsyncSession, journey: Journey) -> Stage:
    return stage_of(journey.status, journey.current_phase, await pickup_records(session, journey.id))


@dataclass(frozen=True, slots=True)
class OnMyWay:
    """What a tap did: `sent` False when the customer had been told within RESEND_AFTER."""

    sent: bool
    sent_to: str
    #: When the customer was told (this tap, or the earlier one), in the branch's zone.
    told_at: datetime
    expires_at: datetime

    @property
    def words(self) -> str:
        if self.sent:
            return f"{self.sent_to} will get an e-mail with a link to follow the move."
        return (f"{self.sent_to} was already told at {self.told_at:%H:%M}: no second e-mail within "
                f"{int(RESEND_AFTER.total_seconds() // 60)} minutes.")


@audited_write
async def tell_customer_on_my_way(principal: Principal, journey_id: int, *, now: datetime | None = None) -> OnMyWay:
    """The crew's "On my way": a tracking link and the e-mail that carries it, queued in the
    outbox in this transaction (see the module's rules); audited, announced to the journey's screens."""
    principal.require(Permission.USE_CREW_APP)
    now = now or utcnow()
    async with unit_of_work() as session:
        journey, location = await load_journey(session, principal, journey_id, for_update=True)
        crew = await crew_ids(session, journey.id)
        if principal.user_id not in crew:
            raise Forbidden("only the crew of this journey can tell the customer they are on the way")
        email = (journey.customer_email or "").strip()
        if not _EMAIL.match(email):
            raise ValidationFailed("This journey has no usable customer e-mail, so no link can be sent. "
                                   "Call the customer instead.")
        stage = await journey_stage(session, journey)
        if stage not in ON_MY_WAY_STAGES:
            raise ValidationFailed(f"'On my way' is for the drive to the customer; this move is "
                                   f"{STAGE_WORDS[stage][0].lower()}.")
        zone_name = location.timezone
        last_told = await session.scalar(select(func.max(OutboundMail.created_at)).where(
            OutboundMail.journey_id == journey.id, OutboundMail.purpose == ON_MY_WAY))
        active = await session.scalar(
            select(CustomerLink).where(CustomerLink.journey_id == journey.id, CustomerLink.revoked_at.is_(None),
                                       CustomerLink.expires_at > now)
            .order_by(CustomerLink.created_at.desc()).limit(1))
        if last_told is not None and active is not None and now - _aware(last_told) < RESEND_AFTER:
            audit.record(session, principal, "on_my_way_not_repeated", "journey", journey.id,
                         new={"sent_to": active.sent_to, "told_at": last_told}, company_id=journey.company_id)
            return OnMyWay(False, active.sent_to, _local(last_told, zone_name), _local(active.expires_at, zone_name))
        token = secrets.token_urlsafe(32)
        expires = link_expiry(journey.journey_date, zone_name)
        link = CustomerLink(company_id=journey.company_id, journey_id=journey.id, token_sha256=token_digest(token),
                            sent_to=email, created_at=now, created_by_id=principal.user_id, expires_at=expires)
        session.add(link)
        mail = queue_mail(session, purpose=ON_MY_WAY, company_id=journey.company_id, journey_id=journey.id,
                          to=email, **on_my_way_mail(await _company_name(session, journey.company_id),
                                                     journey.customer_name, principal.full_name,
                                                     tracking_url(token), expires, zone_name).fields())
        mail.created_at = now
        audit.record(session, principal, "on_my_way", "journey", journey.id,
                     new={"sent_to": email, "expires_at": expires},
                     company_id=journey.company_id)
        events.queue(session, DomainEvent(EventType.JOURNEY_CHANGED, journey.company_id, journey.location_id,
                                          journey.id, crew, {"fields": ["customer_link"]}))
        return OnMyWay(True, email, _local(now, zone_name), _local(expires, zone_name))


async def _company_name(session: AsyncSession, company_id: int) -> str:
    return await session.scalar(select(Company.name).where(Company.id == company_id)) or ""


def _aware(value: datetime) -> datetime:
    """SQLite gives naive UTC datetimes back."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _local(value: datetime, timezone: str) -> datetime:
    local = local_time(_aware(value), timezone)
    assert local is not None
    return local


@audited_write
async def revoke_customer_links(principal: Principal, journey_id: int, *, now: datetime | None = None) -> int:
    """End every active tracking link of the journey at once (office users who may edit it); the
    number revoked. Audited; the journey's screens are told."""
    now = now or utcnow()
    async with unit_of_work() as session:
        journey, _location = await load_journey(session, principal, journey_id, require=Permission.EDIT_JOBS,
                                                for_update=True)
        revoked = (await session.scalars(
            update(CustomerLink)
            .where(CustomerLink.journey_id == journey.id, CustomerLink.revoked_at.is_(None),
                   CustomerLink.expires_at > now)
            .values(revoked_at=now, revoked_by_id=principal.user_id)
            .returning(CustomerLink.id))).all()
        if not revoked:
            raise ValidationFailed("This journey has no active customer link to revoke.")
        audit.record(session, principal, "revoke_customer_links", "journey", journey.id,
                     new={"links": len(revoked), "revoked_at": now}, company_id=journey.company_id)
        events.queue(session, DomainEvent(EventType.JOURNEY_CHANGED, journey.company_id, journey.location_id,
                                          journey.id, await crew_ids(session, journey.id),
                                          {"fields": ["customer_link"]}))
        return len(revoked)


@dataclass(frozen=True, slots=True)
class LinkState:
    """The journey's newest tracking link, for the journey page (times in the branch's zone)."""

    sent_to: str
    sent_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    #: Some link of the journey still opens the page (not revoked, not expired).
    active: bool
    #: The branch's zone (the times above are in it).
    timezone: str


async def customer_link_state(principal: Principal, journey_id: int, *, now: datetime | None = None
                              ) -> LinkState | None:
    """The newest link of a journey in the principal's scope (None: never sent)."""
    now = now or utcnow()
    async with read_session() as session:
        journey, location = await load_journey(session, principal, journey_id)
        links = (await session.scalars(select(CustomerLink).where(CustomerLink.journey_id == journey.id)
                                       .order_by(CustomerLink.created_at.desc(), CustomerLink.id.desc()))).all()
    if not links:
        return None
    newest, zone_name = links[0], location.timezone
    active = any(link.revoked_at is None and _aware(link.expires_at) > now for link in links)
    return LinkState(newest.sent_to, _local(newest.created_at, zone_name), _local(newest.expires_at, zone_name),
                     _local(newest.revoked_at, zone_name) if newest.revoked_at else None, active, zone_name)


async def resolve_link(session: AsyncSession, token: str, now: datetime) -> CustomerLink:
    """The link of a token: NotFound if no link has it, LinkExpired if revoked or past expiry."""
    if not 20 <= len(token) <= 100:
        raise NotFound("This link does not exist.")
    link = await session.scalar(select(CustomerLink).where(CustomerLink.token_sha256 == token_digest(token)))
    if link is None:
        raise NotFound("This link does not exist.")
    if link.revoked_at is not None or _aware(link.expires_at) <= now:
        raise LinkExpired("This link has expired.")
    return link
