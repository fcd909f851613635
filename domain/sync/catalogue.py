"""The company catalogue from SmartMoving: branches (each linked to a Location), service types,
move sizes, materials (premium: the tariffs' materials) and office users.

Fetching happens first (no transaction open while waiting on HTTP); the writes then go in one
transaction with the run's closing. Rows are only touched when a value changed, so a second
run with nothing new writes nothing.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import IntegrationPlan
from db.models import (
    CompanyBranch,
    CompanyMaterial,
    CompanyMoveSize,
    CompanyServiceType,
    CompanyUser,
    Location,
)
from db.seed import display_name
from domain.audit.record import jsonable
from domain.sync.mapping import Catalogue, branch_key, clip
from domain.sync.regions import region_of, state_code
from domain.sync.runs import SyncCounters
from integrations.smartmoving import (
    Branch,
    Listing,
    Material,
    MoveSize,
    OfficeUser,
    ServiceType,
    SmartMovingClient,
)

CatalogueRow = TypeVar("CatalogueRow", CompanyServiceType, CompanyMoveSize, CompanyMaterial, CompanyUser)


@dataclass(frozen=True, slots=True)
class FetchedCatalogue:
    branches: Listing[Branch]
    service_types: Listing[ServiceType]
    move_sizes: Listing[MoveSize]
    users: Listing[OfficeUser]
    #: (tariff id, material) pairs; empty on the BASIC plan (materials are a premium endpoint).
    materials: tuple[tuple[str, Material], ...]
    material_errors: tuple[Any, ...]


async def fetch_catalogue(client: SmartMovingClient, plan: IntegrationPlan) -> FetchedCatalogue:
    branches = await client.branches()
    service_types = await client.service_types()
    move_sizes = await client.move_sizes()
    users = await client.users()
    materials: list[tuple[str, Material]] = []
    material_errors: list[Any] = []
    if plan is IntegrationPlan.PREMIUM:
        tariffs = await client.tariffs()
        material_errors.extend(tariffs.errors)
        for tariff in tariffs.items:
            listing = await client.tariff_materials(tariff.id)
            materials.extend((tariff.id, m) for m in listing.items)
            material_errors.extend(listing.errors)
    return FetchedCatalogue(branches, service_types, move_sizes, users, tuple(materials), tuple(material_errors))


async def write_catalogue(session: AsyncSession, company_id: int, company_timezone: str,
                          fetched: FetchedCatalogue, counters: SyncCounters) -> None:
    """Upsert everything fetched; each malformed record counts as one failure."""
    for listing in (fetched.branches, fetched.service_types, fetched.move_sizes, fetched.users):
        for error in listing.errors:
            counters.fail("catalogue", error.reason)
    for error in fetched.material_errors:
        counters.fail("catalogue", error.reason)
    await _write_branches(session, company_id, company_timezone, fetched.branches.items, counters)
    await _upsert(session, CompanyServiceType, company_id, counters,
                  {str(s.id): {"name": s.name[:200], "raw": _raw(s)} for s in fetched.service_types.items})
    await _upsert(session, CompanyMoveSize, company_id, counters, {
        m.id: {"name": m.name[:200], "description": clip(m.description, 300), "volume": m.volume,
               "weight": m.weight, "raw": _raw(m)} for m in fetched.move_sizes.items})
    await _upsert(session, CompanyUser, company_id, counters, {
        u.id: {"name": u.name[:200], "email": clip(u.email, 254), "title": clip(u.title, 120),
               "role_name": clip(u.role_name, 120), "primary_branch_external_id": u.primary_branch_id,
               "raw": _raw(u)} for u in fetched.users.items})
    await _upsert(session, CompanyMaterial, company_id, counters, {
        m.id: {"name": m.name[:200], "tariff_external_id": tariff_id, "description": clip(m.description, 300),
               "rate": _money(m.rate), "cost": _money(m.cost), "raw": _raw(m)}
        for tariff_id, m in fetched.materials})


async def load_catalogue(session: AsyncSession, company_id: int) -> Catalogue:
    """Service type names and the branch → location links the job mapping needs."""
    service_types = {
        int(external_id): name
        for external_id, name in await session.execute(
            select(CompanyServiceType.external_id, CompanyServiceType.name)
            .where(CompanyServiceType.company_id == company_id))
        if external_id.lstrip("-").isdigit()
    }
    branches = await session.execute(
        select(CompanyBranch.name, CompanyBranch.location_id)
        .where(CompanyBranch.company_id == company_id, CompanyBranch.location_id.is_not(None)))
    return Catalogue(service_types, {branch_key(name): location_id for name, location_id in branches})


async def _write_branches(session: AsyncSession, company_id: int, company_timezone: str,
                          branches: tuple[Branch, ...], counters: SyncCounters) -> None:
    locations = list(await session.scalars(select(Location).where(Location.company_id == company_id)))
    by_id = {loc.id: loc for loc in locations}
    by_external = {loc.external_id: loc for loc in locations if loc.external_id}
    by_name = {branch_key(loc.name): loc for loc in locations}
    existing = {b.external_id: b for b in await session.scalars(
        select(CompanyBranch).where(CompanyBranch.company_id == company_id))}
    for branch in branches:
        row = existing.get(branch.id)
        location = (by_id.get(row.location_id) if row and row.location_id else None) \
            or by_external.get(branch.id) or by_name.get(branch_key(branch.name))
        if location is None:
            location = _new_location(company_id, company_timezone, branch, {loc.name for loc in by_id.values()})
            session.add(location)
            await session.flush()
            by_id[location.id] = location
        if location.external_id is None:
            location.external_id = branch.id
        _store(session, CompanyBranch, company_id, row, branch.id, counters, {
            "name": branch.name[:200], "phone": clip(branch.phone, 40), "is_primary": branch.is_primary,
            "lat": branch.lat, "lng": branch.lng, "location_id": location.id, "raw": _raw(branch)})


def _new_location(company_id: int, company_timezone: str, branch: Branch, taken: set[str]) -> Location:
    """A location for a branch no location matches, placed by its dispatch address."""
    region = region_of(branch.state, branch.full_address, lat=branch.lat, lng=branch.lng)
    name = display_name(branch.name)[:120] or f"Branch {branch.id[:8]}"
    if name in taken:
        name = f"{name} ({branch.city or branch.id[:8]})"[:120]
    return Location(
        company_id=company_id, name=name, code=re.sub(r"\W+", "_", name.upper()).strip("_")[:40] or None,
        timezone=region.timezone if region else company_timezone,
        address=clip(branch.address or branch.full_address, 300),
        city=clip(branch.city, 120), province=clip(state_code(branch.state) or branch.state, 40),
        country=region.country if region else None,
        postal_code=clip(branch.zip, 20), phone=clip(branch.phone, 40), lat=branch.lat, lng=branch.lng,
        external_id=branch.id,
    )


async def _upsert(session: AsyncSession, model: type[CatalogueRow], company_id: int, counters: SyncCounters,
                  records: dict[str, dict[str, Any]]) -> None:
    existing = {row.external_id: row for row in await session.scalars(
        select(model).where(model.company_id == company_id))}
    for external_id, values in records.items():
        _store(session, model, company_id, existing.get(external_id), external_id, counters, values)


def _store(session: AsyncSession, model: type[Any], company_id: int, row: Any, external_id: str,
           counters: SyncCounters, values: dict[str, Any]) -> None:
    """Add the row, or set its changed values; counted as created, updated or unchanged."""
    if row is None:
        session.add(model(company_id=company_id, external_id=external_id[:100], **values))
        counters.created += 1
    elif _apply(row, values):
        counters.updated += 1
    else:
        counters.unchanged += 1
    counters.processed += 1


def _apply(row: object, values: dict[str, Any]) -> bool:
    """Set the values that differ; whether any did (unchanged rows are not written)."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _raw(record: Any) -> dict[str, Any]:
    raw: dict[str, Any] = jsonable(dataclasses.asdict(record))  # a dict stays a dict
    return raw


def _money(value: Decimal | None) -> Decimal | None:
    return value.quantize(Decimal("0.01")) if value is not None else None
