"""Who may see a company's management data: the super admin (any company) and an admin of
that company."""

from __future__ import annotations

from domain.errors import Forbidden
from domain.access.rbac import Principal


def require_company_access(principal: Principal, company_id: int) -> None:
    if principal.is_super_admin:
        return
    if principal.permissions.can_manage_company and principal.company_id == company_id:
        return
    raise Forbidden("you may not see this company's management data")
