"""Schemathesis against the app's own OpenAPI: the app served for real (`python app.py` on a free
port, its own PostgreSQL database `<test db>_api_fuzz` with the demo data), every operation of
`/openapi.json` called as each of the seven demo roles and unauthenticated.

Every response must pass: no 5xx; every error in the envelope (`{success: false, error, message}`,
see `api/http/envelope.py`); a status code, content type and body the OpenAPI documents; 405 for a
method an operation does not have. Afterwards the server's log must show no unhandled error (this
also covers work done after the response, e.g. a queued webhook).

Who sends what:
- an operation's first valid case: as every identity (which of them it lets through, not 401/403,
  is learnt from it);
- every other case, of both phases (fuzzing: random valid and invalid requests, with odd values
  mixed in: NUL characters, out-of-range numbers, far dates; coverage: schemathesis' deterministic
  boundary values, missing and wrong-typed fields, unexpected methods, thousands of cases): as one
  identity, in turn among those the operation let through, so that bad input reaches the code
  behind the role checks without the run taking eight times as long. (Who may call what is the
  access matrix's test, tests/ui/test_access_matrix.py and tests/unit/test_permissions.py.)
- the coverage phase's repeats (the same value of the same parameter, sent beside the others and
  again alone) go once (`CoverageRepeats`).

CI runs derandomized, with FUZZ_EXAMPLES (default 5) random cases per operation (see
tests/fuzz/__init__.py). To dig deeper:

    FUZZ_EXAMPLES=200 FUZZ_SEED=1 .venv/bin/python -m pytest tests/fuzz -q

Writes change the database as they go (it is recreated for each run). The identities themselves
are put back (active, their role, their company active, the token version their tokens were
issued at) after each write that was not refused (4xx), so that a fuzzed "deactivate user 3" or
logout does not turn the rest of the run into 401s.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from http.cookiejar import DefaultCookiePolicy
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from schemathesis import Case, CheckContext, GenerationMode, Response
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CoverageScenario, TestPhase
from schemathesis.hooks import HookContext
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from db.seed import DEMO_ACCOUNTS, DEMO_PASSWORD
from db.session import sync_url
from tests.conftest import TEST_DATABASE_URL
from tests.e2e.live_server import LiveServer, demo_database, running_live_server, sibling_database
from tests.fuzz import FUZZ_EXAMPLES, FUZZ_SEED

pytestmark = [pytest.mark.fuzz, pytest.mark.postgres_only]

ANONYMOUS = "anonymous"

#: Values that broke the app before (see tests/api/test_bad_input.py), mixed into generated
#: fields: text PostgreSQL refuses, numbers beyond its columns, dates at the ends of the calendar.
ODD_VALUES: list[str | int | float] = [
    "\x00", "a\x00b", " ", "0001-01-01", "9999-12-31", "0001-01-01T00:00:00", "9999-12-31T23:59:59+14:00",
    -1, 0, 2**31, -(2**31) - 1, 2**63, 10**30, 1e308, -1e308,
]
ODD_PROBABILITY = 0.25


def error_envelope(_ctx: CheckContext, response: Response, _case: Case) -> None:
    """Every error of the API is `{success: false, error: str, message: str}` in JSON."""
    if response.status_code < 400:
        return
    try:
        body = response.json()
    except ValueError:
        raise AssertionError(f"a {response.status_code} that is not JSON: {response.text[:200]!r}") from None
    assert isinstance(body, dict) and body.get("success") is False, f"not the error envelope: {response.text[:300]}"
    assert isinstance(body.get("error"), str) and isinstance(body.get("message"), str), \
        f"the envelope needs string `error` and `message`: {response.text[:300]}"


CHECKS = [not_a_server_error, error_envelope, status_code_conformance, content_type_conformance,
          response_schema_conformance, unsupported_method]


def _object_schemas(openapi: dict[str, Any], schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The object schemas `schema` may be (following `$ref`, `anyOf` and array items)."""
    if "$ref" in schema:
        schema = openapi["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    for option in schema.get("anyOf", []):
        yield from _object_schemas(openapi, option)
    if "properties" in schema:
        yield schema


def odd_value_bindings(openapi: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Schemathesis `parameters` mixing ODD_VALUES into every parameter and JSON body field the API
    has (its type-wide bindings miss optional ones, whose schema is an `anyOf`)."""
    keys: set[str] = set()
    for operation in (op for item in openapi["paths"].values() for op in item.values()):
        # (schemathesis 4.32 cannot check a dictionary against a parameter's `$ref` schema: those are enums anyway)
        keys.update(f"{p['in']}.{p['name']}" for p in operation.get("parameters", []) if "$ref" not in str(p))
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
        for body_schema in _object_schemas(openapi, body):
            for name, field in body_schema["properties"].items():
                keys.add(f"body.{name}")
                for item in _object_schemas(openapi, field.get("items", {})):
                    keys.update(f"body.{name}[*].{inner}" for inner in item["properties"])
    return {key: {"dictionary": "odd", "probability": ODD_PROBABILITY} for key in sorted(keys)}


def fuzz_config(openapi: dict[str, Any]) -> SchemathesisConfig:
    generation: dict[str, Any] = {"max-examples": FUZZ_EXAMPLES, "database": "none", "no-shrink": True}
    config: dict[str, Any] = {
        "generation": generation,
        "dictionaries": {"odd": {"values": ODD_VALUES}},
        "parameters": odd_value_bindings(openapi),
        "phases": {"stateful": {"enabled": False}},
    }
    if FUZZ_SEED is None:
        generation["deterministic"] = True
    else:
        config["seed"] = FUZZ_SEED
    return SchemathesisConfig.from_dict(config)


#: The demo accounts active again, with their roles, in an active company (one round trip).
RESTORE_IDENTITIES = text(
    "WITH demo(email, role) AS (VALUES " + ", ".join(f"('{email}', '{role.value}')" for role, email in DEMO_ACCOUNTS)
    + "), restored AS (UPDATE users SET status = 'ACTIVE', role = demo.role, token_version = 0 FROM demo"
    " WHERE users.email = demo.email RETURNING users.company_id)"
    " UPDATE companies SET status = 'ACTIVE' WHERE id IN (SELECT company_id FROM restored)"
)


class Senders:
    """Which identities send a case (see the module's docstring)."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.admitted: dict[str, list[str]] = {}
        self.turn = itertools.count()

    def of(self, case: Case) -> list[str]:
        label = case.operation.label
        if case.meta is None:
            return self.names
        if label not in self.admitted and case.meta.generation.mode is GenerationMode.POSITIVE:
            return self.names
        pool = self.admitted.get(label) or self.names
        return [pool[next(self.turn) % len(pool)]]

    def learn(self, case: Case, statuses: dict[str, int]) -> None:
        if case.meta is not None and case.meta.generation.mode is GenerationMode.POSITIVE:
            self.admitted.setdefault(case.operation.label,
                                     [name for name, status in statuses.items() if status not in (401, 403)])


class CoverageRepeats:
    """Leaves out the coverage phase's repeats (a `filter_case` hook). Schemathesis sends each
    value of a query, path or header parameter twice, once beside the other parameters and once
    alone: it is sent once, with the others. And "an unknown property" once per optional property:
    once per operation and location. Every other case, and every distinct value, is still sent."""

    def __init__(self) -> None:
        self.seen: set[tuple[Any, ...]] = set()

    def keep(self, _ctx: HookContext, case: Case) -> bool:
        if case.meta is None or case.meta.phase.name is not TestPhase.COVERAGE:
            return True
        data = case.meta.phase.data
        where = getattr(data, "parameter_location", None)
        values = {ParameterLocation.QUERY: case.query, ParameterLocation.PATH: case.path_parameters,
                  ParameterLocation.HEADER: case.headers}.get(where) if where is not None else None
        if getattr(data, "scenario", None) is CoverageScenario.OBJECT_ADDITIONAL_PROPERTY:
            key: tuple[Any, ...] = (case.operation.label, case.method, where, "unknown property")
        elif values is not None and getattr(data, "parameter", None) is not None:
            key = (case.operation.label, case.method, where, data.parameter, repr(values.get(data.parameter)))
        else:
            return True
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


@pytest.fixture(scope="module")
def fuzz_database_url() -> str:
    return demo_database(sibling_database(TEST_DATABASE_URL, "api_fuzz"))


@pytest.fixture(scope="module")
def fuzz_server(fuzz_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_live_server(fuzz_database_url, workdir=tmp_path_factory.mktemp("fuzz"),
                             env={"LOG_LEVEL": "WARNING"}) as server:
        yield server


@pytest.fixture(scope="module")
def fuzz_database(fuzz_database_url: str, fuzz_server: LiveServer) -> Iterator[Engine]:
    """The server's database (migrated and seeded, see `fuzz_database_url`)."""
    engine = create_engine(sync_url(fuzz_database_url))
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def identities(fuzz_server: LiveServer) -> dict[str, dict[str, str]]:
    """Request headers of each demo role (a token from the login endpoint), and of nobody."""
    headers: dict[str, dict[str, str]] = {ANONYMOUS: {}}
    for role, email in DEMO_ACCOUNTS:
        response = httpx.post(f"{fuzz_server.url}/api/auth/login", json={"email": email, "password": DEMO_PASSWORD},
                              timeout=30)
        assert response.status_code == 200, response.text
        headers[role.value] = {"Authorization": f"Bearer {response.json()['data']['access_token']}"}
    return headers


@pytest.fixture(scope="module")
def senders(identities: dict[str, dict[str, str]]) -> Senders:
    return Senders(list(identities))


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    """One keep-alive connection, no cookies (an API client's, not a browser's)."""
    with requests.Session() as session:
        session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        yield session


@pytest.fixture(scope="module")
def openapi(fuzz_server: LiveServer) -> dict[str, Any]:
    return dict(httpx.get(f"{fuzz_server.url}/openapi.json", timeout=30).raise_for_status().json())


@pytest.fixture
def api_schema(openapi: dict[str, Any], request: pytest.FixtureRequest) -> Any:
    # schemathesis' lazy schema reads `node._nodeid`, which pytest 9.2 no longer has.
    request.node._nodeid = request.node.nodeid
    loaded = schemathesis.openapi.from_dict(openapi, config=fuzz_config(openapi))
    loaded.hooks.register_hook_with_name(CoverageRepeats().keep, "filter_case")
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_api(case: Case, fuzz_server: LiveServer, fuzz_database: Engine, identities: dict[str, dict[str, str]],
             senders: Senders, http: requests.Session) -> None:
    statuses: dict[str, int] = {}
    try:
        for name in senders.of(case):
            response = case.call(base_url=fuzz_server.url, headers=identities[name], session=http)
            statuses[name] = response.status_code
            try:
                case.validate_response(response, checks=CHECKS)
            except FailureGroup as exc:
                exc.add_note(f"sent as: {name}")
                raise
    finally:
        senders.learn(case, statuses)
        # A write may have deactivated, re-roled or suspended an identity; one refused (4xx) wrote nothing.
        refused = bool(statuses) and all(400 <= status < 500 for status in statuses.values())
        if case.method.upper() != "GET" and not refused:
            with fuzz_database.begin() as conn:
                conn.execute(RESTORE_IDENTITIES)


def test_server_logged_no_unhandled_error(fuzz_server: LiveServer) -> None:
    """Also errors after the response (a queued webhook): each logged error and its exception."""
    log = fuzz_server.log_path.read_text(errors="replace")
    errors = re.findall(r"^(?:(?:ERROR|CRITICAL)\b.*|[\w.]+(?:Error|Exception): .*)$", log, re.M)
    assert not errors, "\n".join(errors[:40])
