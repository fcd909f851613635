"""`/super-admin/companies`: the super admin creates, renames, suspends and reactivates companies."""

from __future__ import annotations

from components.admin.resource_page import ResourceSpec, StateChange, resource_page
from components.forms import FormField, timezone_options
from components.paged_table import RowAction
from domain.access.rbac import Permission, Principal
from domain.admin import companies
from pages.access.session import guarded_page


async def _company_fields(_principal: Principal, _company_id: int | None) -> list[FormField]:
    return [FormField("name", "Company name", autofocus=True),
            FormField("timezone", "Time zone", "select", timezone_options())]


COMPANIES = ResourceSpec(
    noun="company", title="Companies", marker="companies",
    columns=[{"name": n, "label": label, "field": n, "align": "left"} for n, label in (
        ("name", "Name"), ("timezone", "Time zone"), ("status", "Status"), ("user_count", "Users"),
        ("location_count", "Locations"))],
    fetch=lambda p, _company_id, search, page, size: companies.list_companies(
        p, search=search, page=page, page_size=size),
    fields=_company_fields, create=companies.create_company, update=companies.update_company,
    to_row=lambda item: {k: v for k, v in item.items() if k != "created_at"},
    to_form=lambda item: {"name": item["name"], "timezone": item["timezone"]},
    states=[
        StateChange(RowAction("suspend", "pause_circle", "Suspend", "props.row.status === 'ACTIVE'"),
                    companies.suspend_company, "Company suspended: its users can no longer sign in"),
        StateChange(RowAction("reactivate", "play_circle", "Reactivate", "props.row.status !== 'ACTIVE'"),
                    companies.reactivate_company, "Company reactivated"),
    ],
    per_company=False,
)


async def companies_page(principal: Principal) -> None:
    await resource_page(principal, COMPANIES)


def register() -> None:
    guarded_page("/super-admin/companies", allow=Permission.VIEW_ALL_COMPANIES,
                 title="Companies · C&C CRM")(companies_page)
