"""The audit trail in words: "Truck: none → TOR-2101; crew: + Noah Anderson (driver)" rather than
`truck_id=None, crew=[] → truck_id=140, crew=[{'user_id': 5, 'role': 'DRIVER'}]`.

The ids an entry's values carry (trucks, people, branches) are resolved to names for a whole page
of entries at once (`load_names`: one query per kind, not per row); times read in the given zone,
24-hour; enum values as plain words."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Phase
from db.models import Location, Truck, User
from domain.inventory.conditions import condition_words
from domain.journeys.labels import PHASE_LABELS, plain_words

#: Longest change text (the CSV export carries the raw values).
CHANGES_LENGTH = 240

ACTION_WORDS: dict[str, str] = {
    "journey.create": "Journey created", "journey.update": "Journey changed", "journey.cancel": "Journey cancelled",
    "journey.delete": "Journey deleted", "journey.assign": "Truck and crew assigned",
    "phase.started": "Phase started", "phase.completed": "Phase completed", "phase.approved": "Phase approved",
    "phase.rejected": "Phase sent back", "phase.reset": "Phase reopened", "phase.item_recorded": "Item recorded",
    "media.stored": "Photo or signature stored", "document.issued": "Document issued",
    "phase_item.added": "Checklist item added",
    "phase_item.required_changed": "Checklist item required or optional", "export": "Exported",
    "create": "Created", "update": "Changed", "deactivate": "Deactivated", "reactivate": "Reactivated",
    "reset_password": "Password reset", "login": "Signed in", "logout": "Signed out",
    "on_my_way": "Customer e-mailed: crew on the way", "on_my_way_not_repeated": "On my way tapped again (no e-mail)",
    "revoke_customer_links": "Customer tracking link revoked",
}
ENTITY_WORDS: dict[str, str] = {
    "journey": "Journey", "journey_step": "Journey phase", "truck": "Truck", "location": "Branch", "user": "Person",
    "company": "Company", "integration": "SmartMoving integration", "sync_run": "Sync run", "audit": "Audit trail",
    "journeys": "Journeys", "phase_item": "Checklist item", "media": "Photo or signature",
    "move_document": "Move document",
}
FIELD_WORDS: dict[str, str] = {
    "truck_id": "Truck", "crew": "crew", "location_id": "Branch", "user_id": "Person", "scheduled_start": "start",
    "scheduled_end": "end", "journey_date": "day", "customer_name": "customer", "phase": "phase",
    "status": "status", "started_at": "started", "completed_at": "completed", "approved_at": "approved",
    "rejection_reason": "reason", "current_phase": "phase", "progress": "progress",
    "estimated_value": "estimated value",
    "is_active": "active", "active": "active", "full_name": "name", "item_key": "item",
    "kind": "kind", "version": "version", "sha256": "SHA-256", "size_bytes": "size in bytes",
    "issued_at": "issued",
    "sent_to": "sent to", "expires_at": "expires", "told_at": "told", "revoked_at": "revoked",
    "customer_link_shows_financials": "tracking pages show money",
    "pickup_conditions": "condition at pickup", "pickup_note": "note at pickup", "pickup_photo_ids": "photos at pickup",
    "delivery": "delivery check", "delivery_conditions": "condition at delivery", "delivery_note": "note at delivery",
    "delivery_photo_ids": "photos at delivery",
}
#: Inventory values read as words: condition codes ("SC" → scratched), photo ids as a count.
_CONDITION_KEYS = frozenset({"pickup_conditions", "delivery_conditions"})
_PHOTO_KEYS = frozenset({"pickup_photo_ids", "delivery_photo_ids"})
_ORDER = {key: position for position, key in enumerate(FIELD_WORDS)}
UTC_ZONE = ZoneInfo("UTC")
_ID_KINDS = {"truck_id": "trucks", "location_id": "locations", "user_id": "people"}


@dataclass(frozen=True, slots=True)
class Names:
    trucks: Mapping[int, str] = field(default_factory=dict)
    people: Mapping[int, str] = field(default_factory=dict)
    locations: Mapping[int, str] = field(default_factory=dict)

    def of(self, key: str, value: Any) -> str | None:
        kind = _ID_KINDS.get(key)
        if kind is None or not isinstance(value, int):
            return None
        found: Mapping[int, str] = getattr(self, kind)
        return found.get(value, "a removed record")


def action_words(action: str) -> str:
    return ACTION_WORDS.get(action) or plain_words(action.replace(".", " "))


def entity_words(entity: str) -> str:
    return ENTITY_WORDS.get(entity) or plain_words(entity)


def _ids(values: Iterable[Mapping[str, Any] | None]) -> dict[str, set[int]]:
    wanted: dict[str, set[int]] = {"trucks": set(), "people": set(), "locations": set()}
    for value in values:
        for key, item in (value or {}).items():
            if key in _ID_KINDS and isinstance(item, int):
                wanted[_ID_KINDS[key]].add(item)
            if key == "crew" and isinstance(item, list):
                wanted["people"].update(m["user_id"] for m in item
                                        if isinstance(m, dict) and isinstance(m.get("user_id"), int))
    return wanted


async def load_names(session: AsyncSession, values: Iterable[Mapping[str, Any] | None]) -> Names:
    """The names behind every id in `values` (old and new values of a page of entries): one query
    per kind of id that occurs, whatever the number of entries."""
    wanted = _ids(values)
    found: dict[str, dict[int, str]] = {"trucks": {}, "people": {}, "locations": {}}
    for kind, id_column, name_column in (("trucks", Truck.id, Truck.number), ("people", User.id, User.full_name),
                                         ("locations", Location.id, Location.name)):
        if wanted[kind]:
            rows = await session.execute(select(id_column, name_column).where(id_column.in_(wanted[kind])))
            found[kind] = {row_id: name for row_id, name in rows}
    return Names(found["trucks"], found["people"], found["locations"])


def _crew_member(member: Any, names: Names) -> str:
    if not isinstance(member, dict):
        return str(member)
    name = names.of("user_id", member.get("user_id")) or "someone"
    role = member.get("role")
    return f"{name} ({plain_words(str(role)).lower()})" if role else name


def _crew_change(before: Any, after: Any, names: Names) -> str:
    old = {_crew_member(m, names) for m in before or []}
    new = {_crew_member(m, names) for m in after or []}
    parts = [f"+ {m}" for m in sorted(new - old)] + [f"− {m}" for m in sorted(old - new)]
    return ", ".join(parts) or "no change"


def _time(text: str, zone: ZoneInfo) -> str | None:
    if len(text) < 16 or text[4] != "-" or "T" not in text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return f"{moment:%d %b %Y %H:%M}"
    return f"{moment.astimezone(zone):%d %b %Y %H:%M}"


def value_words(key: str, value: Any, names: Names, zone: ZoneInfo) -> str:
    """One value as people read it: names for ids, local 24-hour times, plain words for enums."""
    if value is None or value == "" or value == []:
        return "none"
    if (name := names.of(key, value)) is not None:
        return name
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key in _CONDITION_KEYS and isinstance(value, list):
        return condition_words(str(code) for code in value)
    if key in _PHOTO_KEYS and isinstance(value, list):
        return f"{len(value)} photo{'s' if len(value) != 1 else ''}"
    if key in ("phase", "current_phase") and value in Phase.__members__:
        return PHASE_LABELS[Phase(value)]
    if isinstance(value, str):
        if (moment := _time(value, zone)) is not None:
            return moment
        if value.isupper() and " " not in value:
            return plain_words(value).lower()
        return value
    if isinstance(value, list):
        return ", ".join(value_words(key, v, names, zone) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{FIELD_WORDS.get(k, plain_words(k).lower())} {value_words(k, v, names, zone)}"
                         for k, v in value.items())
    return str(value)


def change_words(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, names: Names = Names(),
                 zone: ZoneInfo = UTC_ZONE) -> str:
    """"Truck: none → TOR-2101; crew: + Noah Anderson (driver)": what changed (old → new) first,
    then the values only set or kept (context such as the phase)."""
    old, new = old or {}, new or {}
    changed, context = [], []
    keys = [*old, *(k for k in new if k not in old)]  # JSONB does not keep the written order: ours
    keys.sort(key=lambda k: _ORDER.get(k, len(_ORDER)))
    for key in keys:
        label = FIELD_WORDS.get(key, plain_words(key).lower())
        before, after = old.get(key), new.get(key)
        if key == "crew" and (key in old or key in new):
            changed.append(f"{label}: {_crew_change(before, after, names)}")
        elif key in old and (key not in new or before != after):
            changed.append(f"{label}: {value_words(key, before, names, zone)} → {value_words(key, after, names, zone)}")
        else:
            context.append(f"{label}: {value_words(key, after, names, zone)}")
    text = "; ".join(changed + context)
    return text if len(text) <= CHANGES_LENGTH else text[: CHANGES_LENGTH - 1] + "…"
