"""The access vocabulary: typed permission flags, mapped from roles in one place.

Every flag works with every role — `require` either passes or refuses with a 403, never an
error of another kind — and `can`, `require` and the role table agree."""

from __future__ import annotations

import pytest

from db.enums import Role
from domain.access.rbac import PERMISSIONS, Permission, Principal, landing_path
from domain.errors import Forbidden


def _principal(role: Role) -> Principal:
    return Principal(user_id=1, role=role, company_id=None if role is Role.SUPER_ADMIN else 1)


def test_every_role_has_a_row_of_flags() -> None:
    assert set(PERMISSIONS) == set(Role)
    assert all(isinstance(flag, Permission) for flags in PERMISSIONS.values() for flag in flags)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("flag", list(Permission))
def test_require_with_every_flag_passes_or_is_a_403_for_every_role(role: Role, flag: Permission) -> None:
    principal = _principal(role)
    if flag in PERMISSIONS[role]:
        assert principal.can(flag)
        principal.require(flag)
    else:
        assert not principal.can(flag)
        with pytest.raises(Forbidden) as refused:
            principal.require(flag)
        assert refused.value.status_code == 403
        assert refused.value.message == f"your role ({role.value}) may not do this"


def test_a_flag_is_not_a_string() -> None:
    """The old spelling (`require("can_edit_jobs")`) does not slip through as a flag."""
    admin = _principal(Role.ADMIN)
    assert admin.can(Permission.EDIT_JOBS)
    assert not admin.can("can_edit_jobs")  # type: ignore[arg-type]


def test_the_design_rules_on_money_and_sync() -> None:
    """DESIGN: only SUPER_ADMIN may sync; DISPATCHER, DRIVER and MOVER never see estimated values or
    prices; DRIVER and MOVER have no SmartMoving job lists."""
    assert {r for r in Role if Permission.SYNC_DATA in PERMISSIONS[r]} == {Role.SUPER_ADMIN}
    assert {r for r in Role if Permission.VIEW_FINANCIAL_DATA not in PERMISSIONS[r]} == {
        Role.DISPATCHER, Role.DRIVER, Role.MOVER}
    assert {r for r in Role if Permission.VIEW_SMARTMOVING_DATA not in PERMISSIONS[r]} == {Role.DRIVER, Role.MOVER}


@pytest.mark.parametrize(("role", "home"), [
    (Role.SUPER_ADMIN, "/super-admin"), (Role.ADMIN, "/board"), (Role.MANAGER, "/board"),
    (Role.DISPATCHER, "/board"), (Role.AUDITOR, "/board"), (Role.DRIVER, "/mobile"), (Role.MOVER, "/mobile"),
])
def test_each_role_has_its_home_page(role: Role, home: str) -> None:
    assert landing_path(role) == home
