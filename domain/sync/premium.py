"""Premium job details during a sync: arrival window, stops with access notes, materials and the
inventory, for integrations on the PREMIUM plan only (a BASIC one never calls a premium path).

Budget: they are fetched only for a booked job dated within PREMIUM_DAYS (the crew's horizon:
the phone shows today and tomorrow) that is new, whose listing entry changed (its hash differs
from `Journey.external_hash`) or whose addresses changed, or that has none stored yet (a job
that came into the horizon gets them on the next refresh of its details): one
`/api/premium/opportunities/{o}/jobs/{j}` per such job plus one `/inventory` per opportunity, so
2 calls for the usual one-job opportunity, once, on top of what its details cost. Every other
refresh (the full sync, a webhook that changed nothing the listing shows) keeps what was fetched
before: it is carried over from the stored `external_data`. The horizon also keeps the first sync
of a 14-day window from doubling its calls.

They are extras: a premium call that fails leaves the job's journey synced with what it had,
counted in the run's details, never failed. A 401/403 (the key is not on the Premium tier) stops
premium calls for the rest of the run and says so.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from db.enums import IntegrationPlan
from domain.sync.job_fields import PREMIUM_KEY
from domain.sync.mapping import is_booked
from domain.timewindow import today_in
from integrations.smartmoving import (
    AuthenticationError,
    InventorySummary,
    JobDetail,
    NotFoundError,
    OpportunityDetail,
    PremiumJob,
    SmartMovingClient,
    SmartMovingError,
)

if TYPE_CHECKING:
    from domain.sync.runs import RunInfo

log = logging.getLogger(__name__)

#: Opportunities whose premium details are fetched at once.
CONCURRENCY = 4
#: Jobs get premium details from this many days ahead (company-local): today, tomorrow and the
#: day after (the crew's phone shows today and tomorrow, each branch in its own zone).
PREMIUM_DAYS = 3


@dataclass(slots=True)
class PremiumFetcher:
    """One run's premium calls: paced (CONCURRENCY opportunities at a time) and counted."""

    client: SmartMovingClient
    #: The last day of the horizon (company-local): later jobs get their details when they come closer.
    last_day: dt.date
    jobs: int = 0
    failed: int = 0
    #: Why SmartMoving refused premium paths (then none is called again in this run).
    refused: str | None = None
    gate: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(CONCURRENCY))

    def summary(self) -> dict[str, Any]:
        return {"jobs": self.jobs, "failed": self.failed, "refused": self.refused}

    async def fetch(self, opportunity_id: str, jobs: list[JobDetail]) -> dict[str, dict[str, Any]]:
        """job id → fresh premium section; jobs whose call failed are left out."""
        async with self.gate:
            try:
                inventory = await self._inventory(opportunity_id)
                found: dict[str, dict[str, Any]] = {}
                for job in jobs:
                    premium = await self._job(opportunity_id, job.id)
                    if premium is not None:
                        found[job.id] = premium_section(premium, inventory)
                return found
            except AuthenticationError as exc:
                self.refused = f"premium details refused: {exc}"
                log.warning("SmartMoving %s", self.refused)
                return {}

    async def _inventory(self, opportunity_id: str) -> InventorySummary | None:
        try:
            return await self.client.opportunity_inventory(opportunity_id)
        except NotFoundError:
            return None  # no survey was done: a normal case
        except AuthenticationError:
            raise
        except SmartMovingError as exc:
            self._failed(f"inventory of {opportunity_id}", exc)
            return None

    async def _job(self, opportunity_id: str, job_id: str) -> PremiumJob | None:
        try:
            premium = await self.client.premium_job(opportunity_id, job_id)
        except AuthenticationError:
            raise
        except SmartMovingError as exc:
            self._failed(f"premium job {job_id}", exc)
            return None
        self.jobs += 1
        return premium

    def _failed(self, what: str, exc: SmartMovingError) -> None:
        self.failed += 1
        log.warning("SmartMoving %s not fetched: %s", what, exc)


def premium_fetcher(plan: IntegrationPlan, client: SmartMovingClient, company_timezone: str) -> PremiumFetcher | None:
    if plan is not IntegrationPlan.PREMIUM:
        return None
    return PremiumFetcher(client, today_in(company_timezone) + dt.timedelta(days=PREMIUM_DAYS - 1))


def premium_section(job: PremiumJob, inventory: InventorySummary | None) -> dict[str, Any]:
    """What is stored of a job's premium details (JSON-ready; quantities, never money)."""
    return {
        "arrival_window": job.arrival_window,
        "stops": [{"order": s.order, "origin": s.is_origin, "destination": s.is_destination, "address": s.address,
                   "unit": s.unit, "property": s.property_name,
                   "property_type": None if s.property_type is None else int(s.property_type),
                   "stairs": s.stairs, "elevator": s.has_elevator, "parking": s.parking, "notes": s.notes}
                  for s in job.stops],
        "materials": [{"name": m.name, "quantity": m.quantity, "packing": m.packing_quantity,
                       "unpacking": m.unpacking_quantity} for m in job.materials],
        "inventory": None if inventory is None else {
            "rooms": inventory.rooms, "items": inventory.items, "boxes": inventory.boxes,
            "volume": inventory.volume, "weight": inventory.weight},
    }


def stored_section(stored: dict[str, Any] | None) -> dict[str, Any] | None:
    data = (stored or {}).get("external_data") or {}
    section = data.get(PREMIUM_KEY) if isinstance(data, dict) else None
    return section if isinstance(section, dict) else None


def needs_premium(job: JobDetail, entry_hash: str | None, stored: dict[str, Any] | None) -> bool:
    """New, listing entry changed, addresses changed, or never fetched."""
    if stored is None or stored_section(stored) is None:
        return True
    if entry_hash is not None and stored.get("external_hash") != entry_hash:
        return True
    data = stored.get("external_data") or {}
    return bool(isinstance(data, dict) and data.get("addresses") != list(job.addresses))


async def premium_sections(info: RunInfo, detail: OpportunityDetail, wanted: dict[str, str | None],
                           existing: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """job id → the premium section to store for the wanted jobs of one opportunity: fetched
    now where `needs_premium` says so (PREMIUM plan), else carried over as stored."""
    sections = {job_id: section for job_id in wanted
                if (section := stored_section(existing.get(job_id))) is not None}
    fetcher = info.premium
    if fetcher is None or fetcher.refused is not None or not is_booked(detail.status):
        return sections
    jobs = [job for job in detail.jobs if job.id in wanted and job.job_date <= fetcher.last_day
            and needs_premium(job, wanted[job.id], existing.get(job.id))]
    if jobs:
        sections |= await fetcher.fetch(detail.id, jobs)
    return sections
