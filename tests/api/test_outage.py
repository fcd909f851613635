"""A database outage: the API answers 503 with `Retry-After` and no internals, a page load answers
a plain "briefly unavailable" page, a hung database (a proxy that accepts and then stays silent) is
answered within the configured bounds instead of hanging, and an open page says a tap was not saved."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from nicegui.testing import User
from sqlalchemy import text

from db.enums import Phase
from db.session import DatabaseTimeouts, create_engine_for, dispose_engine, get_engine, init_engine
from domain.runtime.health import wait_started
from domain.runtime.outage import NOT_SAVED_MESSAGE, UNAVAILABLE_MESSAGE, is_database_outage
from domain.workflow import phases as workflow
from tests.db_proxy import DatabaseProxy
from tests.helpers import bearer, count, sign_in
from tests.journey_factory import CREATION_ITEMS, PASSWORD, World, make_world, password_hash
from domain.access.tokens import issue_token
from tests.principals import principal_for
from db.models import StepActivity

pytestmark = pytest.mark.postgres_only

DOWN_URL = "postgresql+psycopg://postgres:s3cret-pw@127.0.0.1:1/nowhere"
#: Words that would tell a client where the database is or what failed inside.
INTERNALS = ("127.0.0.1", "port 1", ", port", "5432", "OperationalError", "psycopg", "sqlalchemy", "s3cret",
             "Traceback")
#: Short bounds for the hung-database tests (the defaults are 5 s, 15 s, 5 s).
SHORT = DatabaseTimeouts(connect=2, statement=1, pool=1)
#: The client gives up after this: far beyond SHORT, so only a request that hangs reaches it.
CLIENT_PATIENCE_SECONDS = 60
STARTUP_PATIENCE_SECONDS = 60


async def _database_down() -> None:
    """From now on the database refuses connections (once the app's startup has finished with it)."""
    async with asyncio.timeout(STARTUP_PATIENCE_SECONDS):
        await wait_started()
    await dispose_engine()
    init_engine(DOWN_URL)


def _assert_no_internals(response: httpx.Response) -> None:
    for word in INTERNALS:
        assert word not in response.text, (word, response.text)


async def test_every_api_route_answers_503_with_retry_after_during_an_outage(demo: str, user: User) -> None:
    headers = bearer(issue_token(await principal_for("dispatcher@demo.ccrm"))[0])
    await _database_down()
    for method, path, body in (("GET", "/api/journey/active", None), ("GET", "/api/journey/1", None),
                               ("POST", "/api/journey", {"location_id": 1, "journey_date": "2030-01-01",
                                                          "customer_name": "Ada"}),
                               ("GET", "/api/auth/me", None),
                               ("POST", "/api/auth/login", {"email": "a@b.example", "password": "x" * 12})):
        response = await user.http_client.request(method, path, json=body, headers=headers)
        assert response.status_code == 503, (path, response.text)
        assert response.headers["retry-after"] == "5"
        envelope = response.json()
        assert envelope["success"] is False and envelope["error"] == "unavailable"
        assert envelope["message"] == UNAVAILABLE_MESSAGE and envelope["details"] == {"retry_after": 5}
        _assert_no_internals(response)
    health = await user.http_client.get("/health")
    assert health.status_code == 503 and health.headers["retry-after"] == "5"


async def test_a_page_load_during_an_outage_is_a_plain_503_page(demo: str, user: User,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    await sign_in(user, "dispatcher@demo.ccrm")
    await _database_down()
    response = await user.http_client.get("/board")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert "briefly unavailable" in response.text
    _assert_no_internals(response)
    assert "s3cret" not in caplog.text  # the password of the URL never reaches the log


async def test_a_hung_database_is_answered_within_the_bounds(demo: str, user: User) -> None:
    headers = bearer(issue_token(await principal_for("dispatcher@demo.ccrm"))[0])
    with DatabaseProxy.for_url(demo) as proxy:
        async with asyncio.timeout(STARTUP_PATIENCE_SECONDS):
            await wait_started()
        await dispose_engine()
        init_engine(proxy.url_for(demo), SHORT)
        warm = await user.http_client.get("/api/journey/active", headers=headers)
        assert warm.status_code == 200  # a pooled connection through the proxy now exists
        proxy.pause()  # accepted, then silent: no server-side timeout can end this
        try:
            async with httpx.AsyncClient(transport=user.http_client._transport, base_url="http://test",
                                         timeout=CLIENT_PATIENCE_SECONDS) as patient:
                for path in ("/api/journey/active", "/api/journey/active?page=2"):
                    response = await patient.get(path, headers=headers)  # a hang would raise ReadTimeout
                    assert response.status_code == 503, response.text
                    assert response.headers["retry-after"] == "5"
                    _assert_no_internals(response)
                health = await patient.get("/health")
                assert health.status_code == 503
        finally:
            proxy.resume()
        assert (await user.http_client.get("/api/journey/active", headers=headers)).status_code == 200


async def test_the_bounds_reach_the_server_and_the_pool(db: str) -> None:
    engine = create_engine_for(db, timeouts=DatabaseTimeouts(connect=3, statement=7, pool=4))
    try:
        async with engine.connect() as conn:
            assert await conn.scalar(text("SHOW statement_timeout")) == "7s"
        assert engine.pool.timeout() == 4  # type: ignore[attr-defined]
    finally:
        await engine.dispose()


async def test_a_statement_over_the_bound_is_cancelled_as_an_outage(db: str) -> None:
    await dispose_engine()
    init_engine(db, SHORT)
    async with get_engine().connect() as conn:
        with pytest.raises(Exception) as raised:
            await conn.execute(text("SELECT pg_sleep(5)"))
    assert is_database_outage(raised.value)


@pytest.fixture
async def crew_world(db: str) -> World:
    return await make_world(hashed=password_hash())


async def test_an_open_page_says_that_a_tap_was_not_saved(crew_world: World, user: User) -> None:
    world = crew_world
    await workflow.complete_phase(world["dispatcher"], world.journey_id, Phase.CREATION, CREATION_ITEMS)
    await sign_in(user, world["driver"].email, PASSWORD)
    await user.open(f"/mobile/journey/{world.journey_id}")
    await user.should_see("2. Morning prep")
    url = get_engine().url.render_as_string(hide_password=False)
    await _database_down()
    user.find(marker="check-lights_ok").click()
    await user.should_see(NOT_SAVED_MESSAGE, retries=100)
    await dispose_engine()
    init_engine(url)
    assert await count(StepActivity, StepActivity.item_key == "lights_ok") == 0
