"""SmartMoving integration: client, normaliser and records (domain-free).

The simulator (`integrations.smartmoving.simulator.server`) is not imported here: it is a dev/test
tool and `python -m integrations.smartmoving.simulator.server` must not import itself twice.
"""

from integrations.smartmoving.client import SmartMovingClient
from integrations.smartmoving.errors import (
    AuthenticationError,
    MalformedRecord,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    RequestError,
    RequestTimeoutError,
    ServerError,
    SmartMovingError,
    UnreachableError,
)
from integrations.smartmoving.normalise import parse_webhook_event
from integrations.smartmoving.records import (
    Branch,
    CustomerListing,
    JobDetail,
    JobSummary,
    JobTimes,
    JobType,
    Listing,
    Material,
    MoveSize,
    OfficeUser,
    OpportunityDetail,
    OpportunityStatus,
    OpportunitySummary,
    ReferralSource,
    ServiceType,
    Tariff,
    WebhookEvent,
)

__all__ = [
    "AuthenticationError",
    "Branch",
    "CustomerListing",
    "JobDetail",
    "JobSummary",
    "JobTimes",
    "JobType",
    "Listing",
    "MalformedRecord",
    "Material",
    "MoveSize",
    "NetworkError",
    "NotFoundError",
    "OfficeUser",
    "OpportunityDetail",
    "OpportunityStatus",
    "OpportunitySummary",
    "RateLimitedError",
    "ReferralSource",
    "RequestError",
    "RequestTimeoutError",
    "ServerError",
    "ServiceType",
    "SmartMovingClient",
    "SmartMovingError",
    "Tariff",
    "UnreachableError",
    "WebhookEvent",
    "parse_webhook_event",
]
