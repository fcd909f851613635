"""The audit trail API: `GET /api/audit` (filtered, paged) and `GET /api/audit/export.csv`
(the same filters, at most EXPORT_ROW_LIMIT rows; the `X-Export-Truncated` header says when
the limit cut the export short). Auditors, admins and the super admin; others get 403."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from api.http.deps import CurrentPrincipal
from api.http.envelope import ok
from api.admin.resources import PagingQuery
from api.http.params import Day, RowId
from domain.audit.log import AuditFilters, export_audit_csv, list_audit_entries

router = APIRouter(prefix="/api/audit", tags=["audit"])


def _filters(date_from: Day | None = None, date_to: Day | None = None, user_id: RowId | None = None,
             actor: str | None = None, entity: str | None = None, action: str | None = None,
             company_id: RowId | None = None) -> AuditFilters:
    return AuditFilters(date_from=date_from, date_to=date_to, user_id=user_id, actor=actor, entity=entity,
                        action=action, company_id=company_id)


Filters = Annotated[AuditFilters, Depends(_filters)]


class CsvResponse(Response):
    media_type = "text/csv"  # Starlette adds the charset


@router.get("")
async def list_entries(principal: CurrentPrincipal, filters: Filters, paging: PagingQuery) -> JSONResponse:
    page = await list_audit_entries(principal, filters, page=paging.page, page_size=paging.page_size)
    return ok(page.as_dict())


@router.get("/export.csv", response_class=CsvResponse)
async def export_csv(principal: CurrentPrincipal, filters: Filters) -> Response:
    export = await export_audit_csv(principal, filters)
    headers = {
        "Content-Disposition": f'attachment; filename="{export.filename}"',
        "X-Export-Rows": str(export.rows),
        "X-Export-Row-Limit": str(export.limit),
        "X-Export-Truncated": "true" if export.truncated else "false",
    }
    return CsvResponse(export.content, headers=headers)
