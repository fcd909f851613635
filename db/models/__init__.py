"""All models; importing this package registers every table on `Base.metadata`."""

from db.models.audit import AuditEntry, LoginAttempt
from db.models.availability import Unavailability, UserSkill
from db.models.base import Base, utcnow
from db.models.events import EventLogEntry
from db.models.idempotency import IdempotencyKey
from db.models.company import Company, Location, ResourceLoan, Truck, User, UserLocation
from db.models.customer import CustomerLink, OutboundMail
from db.models.crew_time import ClockEvent, CompanyTimeRules, TimesheetApproval
from db.models.documents import InventoryItem, MoveDocument
from db.models.integration import (
    CompanyBranch,
    CompanyIntegration,
    CompanyMaterial,
    CompanyMoveSize,
    CompanyServiceType,
    CompanyUser,
    SyncRun,
    WebhookEvent,
)
from db.models.outbox import ClientAction
from db.models.writeback import WriteBack
from db.models.journey import (
    CrewAssignment,
    Journey,
    JourneyAttention,
    JourneyStep,
    Media,
    PhaseItemTemplate,
    StepActivity,
)

__all__ = [
    "AuditEntry",
    "Base",
    "ClientAction",
    "ClockEvent",
    "Company",
    "CompanyBranch",
    "CompanyIntegration",
    "CompanyMaterial",
    "CompanyMoveSize",
    "CompanyServiceType",
    "CompanyTimeRules",
    "CompanyUser",
    "CrewAssignment",
    "CustomerLink",
    "EventLogEntry",
    "IdempotencyKey",
    "InventoryItem",
    "Journey",
    "JourneyAttention",
    "JourneyStep",
    "Location",
    "LoginAttempt",
    "Media",
    "MoveDocument",
    "OutboundMail",
    "PhaseItemTemplate",
    "ResourceLoan",
    "StepActivity",
    "SyncRun",
    "TimesheetApproval",
    "Truck",
    "Unavailability",
    "User",
    "UserLocation",
    "UserSkill",
    "WebhookEvent",
    "WriteBack",
    "utcnow",
]
