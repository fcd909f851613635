"""Enumerations stored in the database (as VARCHAR with a CHECK constraint, portable to SQLite)."""

from __future__ import annotations

import enum


class Role(str, enum.Enum):
    SUPER_ADMIN = "SUPER_ADMIN"
    ADMIN = "ADMIN"
    MANAGER = "MANAGER"
    DISPATCHER = "DISPATCHER"
    DRIVER = "DRIVER"
    MOVER = "MOVER"
    AUDITOR = "AUDITOR"


class UserStatus(str, enum.Enum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    SUSPENDED = "SUSPENDED"


class CompanyStatus(str, enum.Enum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"


class LocationLinkKind(str, enum.Enum):
    ASSIGNED = "ASSIGNED"
    MANAGED = "MANAGED"


class JourneyStatus(str, enum.Enum):
    SCHEDULED = "SCHEDULED"
    MORNING_PREP = "MORNING_PREP"
    EN_ROUTE = "EN_ROUTE"
    ONSITE = "ONSITE"
    COMPLETED = "COMPLETED"
    AUDITED = "AUDITED"
    CANCELLED = "CANCELLED"


class Phase(str, enum.Enum):
    CREATION = "CREATION"
    MORNING_PREP = "MORNING_PREP"
    PICKUP = "PICKUP"
    TRANSPORT = "TRANSPORT"
    DELIVERY = "DELIVERY"
    COMPLETION = "COMPLETION"


PHASE_ORDER: tuple[Phase, ...] = tuple(Phase)


class StepStatus(str, enum.Enum):
    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    APPROVED = "APPROVED"


class ItemKind(str, enum.Enum):
    """Kinds of checklist items a phase template can ask for."""

    CHECK = "CHECK"
    NUMBER = "NUMBER"
    CHOICE = "CHOICE"
    TEXT = "TEXT"
    PHOTO = "PHOTO"
    SIGNATURE = "SIGNATURE"
    READING = "READING"


class ActivityKind(str, enum.Enum):
    CHECKLIST = "CHECKLIST"
    PHOTO = "PHOTO"
    SIGNATURE = "SIGNATURE"
    NOTE = "NOTE"
    READING = "READING"
    GPS = "GPS"


class CrewRole(str, enum.Enum):
    DRIVER = "DRIVER"
    MOVER = "MOVER"
    FOREMAN = "FOREMAN"


class DataSource(str, enum.Enum):
    SMARTMOVING = "SMARTMOVING"
    MANUAL = "MANUAL"


class JourneySyncStatus(str, enum.Enum):
    SYNCED = "SYNCED"
    ERROR = "ERROR"
    NOT_SYNCED = "NOT_SYNCED"


class MediaKind(str, enum.Enum):
    PHOTO = "PHOTO"
    SIGNATURE = "SIGNATURE"


class IntegrationSource(str, enum.Enum):
    SMARTMOVING = "SMARTMOVING"


class IntegrationPlan(str, enum.Enum):
    BASIC = "BASIC"
    PREMIUM = "PREMIUM"


class IntegrationStatus(str, enum.Enum):
    NEVER_SYNCED = "NEVER_SYNCED"
    OK = "OK"
    SYNCING = "SYNCING"
    ERROR = "ERROR"
    DISABLED = "DISABLED"


class SyncKind(str, enum.Enum):
    JOBS = "JOBS"
    FULL_JOBS = "FULL_JOBS"
    CATALOGUE = "CATALOGUE"
    WEBHOOK = "WEBHOOK"


class SyncRunStatus(str, enum.Enum):
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"
    #: Its process died mid-run (killed, stopped); closed by the next holder of the sync guard.
    INTERRUPTED = "INTERRUPTED"


class WebhookStatus(str, enum.Enum):
    QUEUED = "QUEUED"
    PROCESSED = "PROCESSED"
    FAILED = "FAILED"


class ClockKind(str, enum.Enum):
    """What a crew member clocks on a journey's day (crew time, `domain/crew_time`)."""

    START_OF_DAY = "START_OF_DAY"
    ARRIVED_PICKUP = "ARRIVED_PICKUP"
    DEPARTED_PICKUP = "DEPARTED_PICKUP"
    ARRIVED_DELIVERY = "ARRIVED_DELIVERY"
    BREAK_START = "BREAK_START"
    BREAK_END = "BREAK_END"
    END_OF_DAY = "END_OF_DAY"


class InventorySource(str, enum.Enum):
    """Where an inventory line came from: SmartMoving's inventory of the opportunity, or the crew."""

    SMARTMOVING = "SMARTMOVING"
    CREW = "CREW"


class DeliveryCheck(str, enum.Enum):
    """An inventory line at delivery: not yet checked, delivered as loaded, missing, or damaged."""

    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    MISSING = "MISSING"
    DAMAGED = "DAMAGED"


class DocumentKind(str, enum.Enum):
    BILL_OF_LADING = "BILL_OF_LADING"
    COMPLETION_REPORT = "COMPLETION_REPORT"


class WriteBackKind(str, enum.Enum):
    """What a completed journey writes back to SmartMoving: its completion report, its job note."""

    ATTACHMENT = "ATTACHMENT"
    NOTE = "NOTE"


class WriteBackStatus(str, enum.Enum):
    """A write-back row: waiting, being sent (the call may have reached SmartMoving), done, given
    up on (with words), or not sent on purpose (e.g. a Basic plan, read-only)."""

    QUEUED = "QUEUED"
    SENDING = "SENDING"
    SENT = "SENT"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"


class MailStatus(str, enum.Enum):
    """An outgoing e-mail in the outbox: waiting (first try or a retry), sent, or given up."""

    QUEUED = "QUEUED"
    SENT = "SENT"
    FAILED = "FAILED"
