"""The API's hot reads (a principal's load, the active journeys, today's SmartMoving jobs) are
served from SQLAlchemy's compiled-statement cache once warm: no statement of theirs is compiled
again for the next request (none built with literal values, none opting out of the cache)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.engine.default import DefaultExecutionContext

from api.journeys.edit import DEFAULT_PAGE_SIZE
from db.session import get_engine
from domain.access.rbac import Principal, load_principal
from domain.board.views import active_journeys
from domain.sync.views import ListFilters, Window, journey_list
from domain.unit_of_work import read_session
from tests.helpers import principal_for

pytestmark = pytest.mark.usefixtures("demo")


@contextmanager
def cache_stats() -> Iterator[list[tuple[bool, str]]]:
    """(taken from the compiled cache?, SQL) of every statement executed meanwhile."""
    seen: list[tuple[bool, str]] = []

    def record(_conn: Connection, _cursor: Any, statement: str, _params: Any,
               context: DefaultExecutionContext, _many: bool) -> None:
        seen.append((context.cache_hit is context.dialect.CACHE_HIT, statement))

    engine = get_engine().sync_engine
    event.listen(engine, "after_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "after_cursor_execute", record)


async def _request(principal: Principal, route: Callable[[Principal], Awaitable[Any]]) -> None:
    async with read_session() as session:
        await load_principal(session, principal.user_id)
    await route(principal)


ROUTES: dict[str, Callable[[Principal], Awaitable[Any]]] = {
    "journey/active": lambda p: active_journeys(p, page=1, page_size=DEFAULT_PAGE_SIZE),
    "smartmoving/jobs/today": lambda p: journey_list(p, Window.TODAY, ListFilters(), smartmoving_only=True),
}


@pytest.mark.parametrize("route", sorted(ROUTES))
@pytest.mark.parametrize("email", ["admin@demo.ccrm", "manager@demo.ccrm", "dispatcher@demo.ccrm"])
async def test_a_warm_hot_read_compiles_nothing(route: str, email: str) -> None:
    principal = await principal_for(email)
    await _request(principal, ROUTES[route])  # warms the cache
    with cache_stats() as seen:
        await _request(principal, ROUTES[route])
    assert seen, "the request ran no SQL"
    compiled = [sql for hit, sql in seen if not hit]
    assert compiled == []
