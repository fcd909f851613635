"""Chaos in CI, bounded: the app served as `python app.py` against PostgreSQL through a TCP proxy
(`tests/db_proxy.py`), a client writing journeys one after another the way a careful client does
(an `Idempotency-Key` per journey; on 503 or a lost connection, the same request again after
`Retry-After`), while the proxy is killed for 10 s (the database is down), then paused with SIGSTOP
for 10 s (the database hangs: connections accepted, nothing answered).

Checked: no acknowledged write is lost, none is written twice, the API said 503 with `Retry-After`
meanwhile (never 500), and it recovers: the writes go through again within a bounded number of
attempts (counted, not timed)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from db.models import Journey, Location, User
from db.seed import DEMO_PASSWORD
from db.session import sync_url
from domain.timewindow import today_in
from tests.conftest import TEST_DATABASE_URL
from tests.db_proxy import DatabaseProxy
from tests.e2e.live_server import LiveServer, blank_database, running_live_server, sibling_database

pytestmark = [pytest.mark.postgres_only, pytest.mark.e2e]

#: The length of each fault (the scenario of issue 17).
FAULT_SECONDS = 10.0
#: Short outage bounds for the served app, so the hung phase is answered quickly.
SERVER_ENV = {"DB_CONNECT_TIMEOUT": "2", "DB_STATEMENT_TIMEOUT": "2", "DB_POOL_TIMEOUT": "2",
              "OUTAGE_RETRY_AFTER": "1", "LOG_LEVEL": "WARNING"}
#: A client gives up on one attempt after this long (the server's bounds are far shorter).
CLIENT_TIMEOUT_SECONDS = 30.0
#: Recovery: after the proxy is back, writes go through again within this many attempts.
RECOVERY_ATTEMPTS = 30
PREFIX = "Chaos Client "


@dataclass
class Writer:
    """Writes journeys in a thread; each is retried with its key until it is acknowledged (201)."""

    base_url: str
    token: str
    body: dict[str, object]
    acknowledged: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    retry_after_missing: int = 0
    connection_errors: int = 0
    attempts: int = 0
    #: `attempts` at each acknowledgement, to count how many attempts a recovery took.
    acknowledged_at: list[int] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    #: An answer other than 201 or 503 (or a crash of the writer): it stops.
    failure: str | None = None

    def run(self) -> None:
        try:
            with httpx.Client(base_url=self.base_url, timeout=CLIENT_TIMEOUT_SECONDS,
                              headers={"Authorization": f"Bearer {self.token}"}) as client:
                number = 0
                while not self.stop.is_set() and self.failure is None:
                    number += 1
                    self._write_until_acknowledged(client, f"{PREFIX}{number:04d}")
        except Exception as exc:  # reported by the test's thread
            self.failure = repr(exc)

    def _write_until_acknowledged(self, client: httpx.Client, name: str) -> None:
        while True:  # once sent, a write is retried until acknowledged (even after `stop`)
            self.attempts += 1
            try:
                response = client.post("/api/journey", json={**self.body, "customer_name": name},
                                       headers={"Idempotency-Key": f"chaos-{name.removeprefix(PREFIX)}"})
            except httpx.TransportError:
                self.connection_errors += 1
                time.sleep(0.5)
                continue
            self.statuses[response.status_code] += 1
            if response.status_code == 201:
                self.acknowledged.append(name)
                self.acknowledged_at.append(self.attempts)
                return
            if response.status_code != 503:
                self.failure = f"{response.status_code}: {response.text}"
                return
            if "retry-after" not in response.headers:
                self.retry_after_missing += 1
            time.sleep(float(response.headers.get("retry-after", "1")))

    def wait_for_acknowledgements(self, more: int) -> None:
        """Until `more` further writes are acknowledged, within RECOVERY_ATTEMPTS attempts."""
        target, start = len(self.acknowledged) + more, self.attempts
        while len(self.acknowledged) < target:
            assert self.failure is None, self.failure
            assert self.attempts - start <= RECOVERY_ATTEMPTS, f"no recovery within {RECOVERY_ATTEMPTS} attempts"
            time.sleep(0.1)


@pytest.fixture(scope="module")
def database_url() -> str:
    return blank_database(sibling_database(TEST_DATABASE_URL, "chaos"))


@pytest.fixture(scope="module")
def proxied(database_url: str) -> Iterator[tuple[DatabaseProxy, LiveServer]]:
    with DatabaseProxy.for_url(database_url) as proxy, \
            running_live_server(proxy.url_for(database_url), env=SERVER_ENV) as server:
        yield proxy, server


def _journey_body(database_url: str) -> dict[str, object]:
    engine = create_engine(sync_url(database_url))
    try:
        with Session(engine) as session:
            dispatcher = session.scalars(select(User).where(User.email == "dispatcher@demo.ccrm")).one()
            location = session.get(Location, min(link.location_id for link in dispatcher.location_links))
            assert location is not None
            day = today_in(location.timezone) + timedelta(days=60)
            return {"location_id": location.id, "journey_date": day.isoformat()}
    finally:
        engine.dispose()


def _written(database_url: str) -> Counter[str]:
    engine = create_engine(sync_url(database_url))
    try:
        with Session(engine) as session:
            return Counter(session.scalars(select(Journey.customer_name)
                                           .where(Journey.customer_name.startswith(PREFIX))))
    finally:
        engine.dispose()


def test_writes_survive_a_killed_then_hung_database(proxied: tuple[DatabaseProxy, LiveServer],
                                                    database_url: str) -> None:
    proxy, server = proxied
    login = httpx.post(f"{server.url}/api/auth/login", timeout=30,
                       json={"email": "dispatcher@demo.ccrm", "password": DEMO_PASSWORD})
    assert login.status_code == 200, login.text
    writer = Writer(server.url, login.json()["data"]["access_token"], _journey_body(database_url))
    thread = threading.Thread(target=writer.run, daemon=True)
    thread.start()
    try:
        writer.wait_for_acknowledgements(3)
        proxy.kill()  # down: connections reset, new ones refused
        time.sleep(FAULT_SECONDS)
        down_statuses = Counter(writer.statuses)
        proxy.start()
        writer.wait_for_acknowledgements(3)
        proxy.pause()  # hung: accepted, then silent
        time.sleep(FAULT_SECONDS)
        hung_statuses = Counter(writer.statuses) - down_statuses
        proxy.resume()
        writer.wait_for_acknowledgements(3)
    finally:
        writer.stop.set()
        thread.join(CLIENT_TIMEOUT_SECONDS * 2)
    assert not thread.is_alive()
    assert writer.failure is None, writer.failure
    print(f"chaos: {len(writer.acknowledged)} writes acknowledged in {writer.attempts} attempts; answers "
          f"{dict(writer.statuses)}, {writer.connection_errors} lost connections; down {dict(down_statuses)}, "
          f"hung {dict(hung_statuses)}")

    assert down_statuses[503] > 0, down_statuses  # the outage was answered, and answered 503
    assert hung_statuses[503] > 0, hung_statuses
    assert set(writer.statuses) <= {201, 503}, writer.statuses
    assert writer.retry_after_missing == 0
    written = _written(database_url)
    assert not [name for name in writer.acknowledged if written[name] != 1], "an acknowledged write was lost"
    assert [name for name, times in written.items() if times > 1] == [], "a write was duplicated"
    assert len(writer.acknowledged) >= 9
    assert server.process.poll() is None, server.log_tail()
