"""Paged lists: limits, the page object every list returns, and a case-insensitive search."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import ValidationFailed

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 200
#: Beyond any real list; keeps the row offset a small number for the database.
MAX_PAGE = 100_000
#: Longest search text accepted by the lists, the board and the API.
MAX_SEARCH_LENGTH = 100

Item = TypeVar("Item")


@dataclass(frozen=True)
class Page(Generic[Item]):
    """One page of a list (the administration lists' rows, the board's job cards...)."""

    items: Sequence[Item]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    def as_dict(self) -> dict[str, Any]:
        return {"items": self.items, "total": self.total, "page": self.page, "page_size": self.page_size,
                "pages": self.pages}


def check_paging(page: int, page_size: int) -> None:
    if not 1 <= page <= MAX_PAGE:
        raise ValidationFailed(f"page must be between 1 and {MAX_PAGE}")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationFailed(f"page_size must be between 1 and {MAX_PAGE_SIZE}")


def search_clause(term: str | None, *columns: Any) -> ColumnElement[bool] | None:
    """Rows where any column contains `term` (case-insensitive; % and _ are taken literally)."""
    term = (term or "").strip()
    if not term:
        return None
    if len(term) > MAX_SEARCH_LENGTH:
        raise ValidationFailed(f"search text must be at most {MAX_SEARCH_LENGTH} characters")
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(*(column.ilike(f"%{escaped}%", escape="\\") for column in columns))


def narrow(query: Select[Any], *clauses: ColumnElement[bool] | None) -> Select[Any]:
    """`query` with the given filters; a None filter (not asked for) is left out."""
    return query.where(*(c for c in clauses if c is not None))


async def fetch_page(session: AsyncSession, query: Select[Any], page: int, page_size: int,
                     to_item: Callable[[Any], dict[str, Any]]) -> Page[dict[str, Any]]:
    """One page of `query` (which must be ordered) and the total number of its rows."""
    check_paging(page, page_size)
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = (await session.execute(query.limit(page_size).offset((page - 1) * page_size))).all()
    return Page([to_item(row[0] if len(row) == 1 else row) for row in rows], total, page, page_size)
