"""Company administration screens: `/admin/users`, `/admin/locations`, `/admin/trucks` (ADMIN
for their company, SUPER_ADMIN for the company chosen on the page)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from components.admin.availability_dialog import open_availability
from components.admin.resource_page import CustomAction, ItemFunction, ResourceSpec, StateChange, resource_page
from components.forms import FormField, open_form, timezone_options
from components.paged_table import RowAction
from db.enums import LocationLinkKind
from domain.access.passwords import MIN_PASSWORD_LENGTH
from domain.access.rbac import COMPANY_ROLE_LABELS, Permission, Principal
from domain.admin import locations as admin_locations
from domain.admin.bookings import truck_bookings_from_today, user_bookings_from_today
from domain.admin import trucks as admin_trucks
from domain.admin import users as admin_users
from domain.journeys.labels import zone_words
from domain.timewindow import local_time
from pages.access.session import guarded_page


def _col(name: str, label: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "label": label, "field": name, "align": "left", **extra}


def _with_status(item: dict[str, Any]) -> dict[str, Any]:
    """Rows of records with an `active` flag show it like a user's status."""
    return {**item, "status": "ACTIVE" if item["active"] else "INACTIVE"}


def _local(value: datetime | None, timezone: str) -> str:
    """`02 Dec 2026 09:13 (Toronto time)`: a stored UTC time in the company's zone, labelled."""
    local = local_time(value, timezone)
    return f"{local:%d %b %Y %H:%M} ({zone_words(timezone)})" if local else "—"


def _active(noun: str, deactivate: ItemFunction, reactivate: ItemFunction, is_active: str,
            bookings: Callable[[Principal, int], Awaitable[list[str]]] | None = None) -> list[StateChange]:
    """Deactivate (shown when the JS condition `is_active` holds; confirmed first when `bookings`
    names journeys from today on) and reactivate (otherwise)."""
    return [
        StateChange(RowAction("deactivate", "block", "Deactivate", is_active), deactivate,
                    f"{noun.capitalize()} deactivated", bookings),
        StateChange(RowAction("reactivate", "restart_alt", "Reactivate", f"!({is_active})"), reactivate,
                    f"{noun.capitalize()} reactivated"),
    ]


# --- users -------------------------------------------------------------------------------------

def _user_row(item: dict[str, Any]) -> dict[str, Any]:
    kinds = [link["kind"] for link in item["locations"]]
    links = ", ".join(f"{kinds.count(k.value)} {k.value.lower()}" for k in LocationLinkKind if k.value in kinds)
    return {**{k: item[k] for k in ("id", "full_name", "email", "phone", "status")},
            "role": COMPANY_ROLE_LABELS.get(item["role"], item["role"]), "role_value": item["role"],
            "locations": links or "—",
            "last_login_at": _local(item["last_login_at"], item.get("timezone", "UTC"))}


def _user_form(item: dict[str, Any]) -> dict[str, Any]:
    def linked(kind: LocationLinkKind) -> list[int]:
        return [link["location_id"] for link in item["locations"] if link["kind"] == kind.value]

    return {"email": item["email"], "full_name": item["full_name"], "phone": item["phone"], "role": item["role"],
            "assigned": linked(LocationLinkKind.ASSIGNED), "managed": linked(LocationLinkKind.MANAGED)}


def _user_data(values: dict[str, Any], start: dict[str, Any] | None) -> dict[str, Any]:
    """The two location pickers become the one list of links the domain takes."""
    data = dict(values)
    if "assigned" in data or "managed" in data or start is None:
        base = start or {}
        assigned = data.pop("assigned", base.get("assigned")) or []
        managed = data.pop("managed", base.get("managed")) or []
        data["locations"] = [{"location_id": i, "kind": LocationLinkKind.ASSIGNED.value} for i in assigned] + [
            {"location_id": i, "kind": LocationLinkKind.MANAGED.value} for i in managed]
    return data


async def _user_fields(principal: Principal, company_id: int | None) -> list[FormField]:
    locations = await admin_locations.location_options(principal, company_id)
    return [
        FormField("email", "Email", "email", autofocus=True),
        FormField("full_name", "Full name"),
        FormField("phone", "Phone"),
        FormField("role", "Role", "select", dict(COMPANY_ROLE_LABELS)),
        FormField("password", "Initial password", "password", create_only=True,
                  hint=f"at least {MIN_PASSWORD_LENGTH} characters"),
        FormField("assigned", "Assigned locations (works there)", "multiselect", locations),
        FormField("managed", "Managed locations (manages them)", "multiselect", locations),
    ]


def _reset_password(principal: Principal, item: dict[str, Any], reload: Callable[[], Awaitable[None]]) -> None:
    open_form(f"Reset password of {item['full_name']}",
              [FormField("password", "New password", "password", hint=f"at least {MIN_PASSWORD_LENGTH} characters",
                         autofocus=True)],
              lambda values: admin_users.reset_password(principal, item["id"], values.get("password") or ""),
              marker="password-form", save_label="Reset password", saved_message="Password reset",
              on_saved=reload)


def _availability(kind: str) -> tuple[RowAction, CustomAction]:
    """The row action opening a person's or a truck's Availability dialog (time off, skills)."""
    async def open_it(principal: Principal, item: dict[str, Any], _reload: Callable[[], Awaitable[None]]) -> None:
        await open_availability(principal, **{f"{kind}_id": item["id"]})

    when = "['DRIVER', 'MOVER'].includes(props.row.role_value)" if kind == "user" else ""
    return RowAction("availability", "event_busy", "Availability", when), open_it


USERS = ResourceSpec(
    noun="user", title="Users", marker="users",
    columns=[_col("full_name", "Name", sortable=True), _col("email", "Email"), _col("role", "Role"),
             _col("status", "Status"), _col("locations", "Locations"), _col("last_login_at", "Last sign-in")],
    fetch=lambda p, company_id, search, page, size: admin_users.list_users(
        p, company_id=company_id, search=search, page=page, page_size=size),
    fields=_user_fields, create=admin_users.create_user, update=admin_users.update_user,
    to_row=_user_row, to_form=_user_form, from_form=_user_data,
    states=_active("user", admin_users.deactivate_user, admin_users.reactivate_user, "props.row.status === 'ACTIVE'",
                   user_bookings_from_today),
    custom={"reset_password": (RowAction("reset_password", "key", "Reset password"), _reset_password),
            "availability": _availability("user")},
)


# --- locations ---------------------------------------------------------------------------------

async def _location_fields(_principal: Principal, _company_id: int | None) -> list[FormField]:
    return [
        FormField("name", "Name", autofocus=True), FormField("code", "Code"),
        FormField("timezone", "Time zone", "select", timezone_options()), FormField("address", "Address"),
        FormField("city", "City"), FormField("province", "Province"), FormField("country", "Country (2 letters)"),
        FormField("postal_code", "Postal code"), FormField("phone", "Phone"),
        FormField("lat", "Latitude", "number"), FormField("lng", "Longitude", "number"),
    ]


LOCATIONS = ResourceSpec(
    noun="location", title="Locations", marker="locations",
    columns=[_col("name", "Name"), _col("code", "Code"), _col("city", "City"), _col("province", "Province"),
             _col("timezone", "Time zone"), _col("phone", "Phone"), _col("status", "Status")],
    fetch=lambda p, company_id, search, page, size: admin_locations.list_locations(
        p, company_id=company_id, search=search, page=page, page_size=size),
    fields=_location_fields, create=admin_locations.create_location, update=admin_locations.update_location,
    to_row=_with_status,
    to_form=lambda item: {k: v for k, v in item.items() if k not in ("id", "company_id", "active")},
    states=_active("location", admin_locations.deactivate_location, admin_locations.reactivate_location,
                   "props.row.active"),
)


# --- trucks ------------------------------------------------------------------------------------

async def _truck_fields(principal: Principal, company_id: int | None) -> list[FormField]:
    return [
        FormField("number", "Truck number", autofocus=True), FormField("size", "Size (e.g. 26 ft)"),
        FormField("location_id", "Location", "select", await admin_locations.location_options(principal, company_id)),
    ]


TRUCKS = ResourceSpec(
    noun="truck", title="Trucks", marker="trucks",
    columns=[_col("number", "Number"), _col("size", "Size"), _col("location_name", "Location"),
             _col("status", "Status")],
    fetch=lambda p, company_id, search, page, size: admin_trucks.list_trucks(
        p, company_id=company_id, search=search, page=page, page_size=size),
    fields=_truck_fields, create=admin_trucks.create_truck, update=admin_trucks.update_truck,
    to_row=_with_status,
    to_form=lambda item: {k: item[k] for k in ("number", "size", "location_id")},
    states=_active("truck", admin_trucks.deactivate_truck, admin_trucks.reactivate_truck, "props.row.active",
                   truck_bookings_from_today),
    custom={"availability": _availability("truck")},
)


async def users_page(principal: Principal) -> None:
    await resource_page(principal, USERS)


async def locations_page(principal: Principal) -> None:
    await resource_page(principal, LOCATIONS)


async def trucks_page(principal: Principal) -> None:
    await resource_page(principal, TRUCKS)


def register() -> None:
    guarded_page("/admin/users", allow=Permission.MANAGE_COMPANY, title="Users · C&C CRM")(users_page)
    guarded_page("/admin/locations", allow=Permission.MANAGE_COMPANY, title="Locations · C&C CRM")(locations_page)
    guarded_page("/admin/trucks", allow=Permission.MANAGE_COMPANY, title="Trucks · C&C CRM")(trucks_page)
