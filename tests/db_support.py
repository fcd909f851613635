"""Test databases: create on demand, reset the schema once per session, empty every table per test."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from db.migrate import upgrade_to_head
from db.models import Base
from db.session import sync_url

DEFAULT_TEST_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def worker_database(url: str, worker: str | None) -> str:
    """The database of one pytest-xdist worker (`worker` e.g. "gw0"): `<name>_gw0` on PostgreSQL,
    `<stem>.gw0<suffix>` beside the file on SQLite; `url` itself outside xdist."""
    if not worker:
        return url
    parsed = make_url(url)
    if is_postgres(url):
        return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)
    path = Path(parsed.database or "test.db")
    return parsed.set(database=str(path.with_name(f"{path.stem}.{worker}{path.suffix}"))).render_as_string(
        hide_password=False)


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database if it does not exist (SQLite files appear by themselves)."""
    parsed = make_url(sync_url(url))
    if not is_postgres(url):
        Path(parsed.database or "").parent.mkdir(parents=True, exist_ok=True)
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()


def reset_schema(url: str) -> None:
    """Drop everything and migrate to head: each session starts from the real migrations."""
    engine = create_engine(sync_url(url))
    try:
        with engine.begin() as conn:
            if is_postgres(url):
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            else:
                for table in reversed(Base.metadata.sorted_tables):
                    conn.execute(text(f'DROP TABLE IF EXISTS "{table.name}"'))
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        engine.dispose()
    upgrade_to_head(url)


@cache
def _per_test_engine(url: str) -> Engine:
    """One blocking engine per database for the per-test work (emptying, restoring): a new
    engine per call cost a connection and SQLAlchemy's first-connect queries each time."""
    return create_engine(sync_url(url), pool_size=1, max_overflow=2)


def empty_tables(url: str) -> None:
    with _per_test_engine(url).begin() as conn:
        if is_postgres(url):
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())


# The demo data, seeded once per session and restored per test ----------------------------------
#
# Seeding the demo company takes seconds (thousands of ORM rows and a week of journeys); restoring
# the rows it wrote takes milliseconds. On PostgreSQL the seeded rows are copied into a schema of
# their own (`demo_snapshot`, beside `public` in the test database) together with a function that
# copies them back and moves every sequence to where the seed left it: one round trip per test.
# On SQLite the rows are kept in memory and inserted again. The snapshot is taken once per session,
# so "today" in the demo data is the day the session started, as it was for every test before.

SNAPSHOT_SCHEMA = "demo_snapshot"


class DemoSnapshot:
    """The rows of a freshly seeded demo database, restorable into the emptied tables."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._rows: dict[str, list[tuple[object, ...]]] = {}
        engine = create_engine(sync_url(url))
        try:
            with engine.begin() as conn:
                if is_postgres(url):
                    self._keep_in_schema(conn)
                else:  # the stored values as they are (no type processing: a JSON NULL stays NULL)
                    for table in Base.metadata.sorted_tables:
                        rows = [tuple(r) for r in conn.exec_driver_sql(f'SELECT * FROM "{table.name}"')]
                        if rows:
                            self._rows[table.name] = rows
        finally:
            engine.dispose()

    @staticmethod
    def _keep_in_schema(conn) -> None:  # type: ignore[no-untyped-def]
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SNAPSHOT_SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {SNAPSHOT_SCHEMA}"))
        statements = []
        for table in Base.metadata.sorted_tables:  # parents before children
            if not conn.scalar(text(f'SELECT EXISTS (SELECT 1 FROM public."{table.name}")')):
                continue
            conn.execute(text(f'CREATE TABLE {SNAPSHOT_SCHEMA}."{table.name}" AS TABLE public."{table.name}"'))
            columns = ", ".join(f'"{c.name}"' for c in table.columns)
            statements.append(f'INSERT INTO public."{table.name}" ({columns}) '
                              f'SELECT {columns} FROM {SNAPSHOT_SCHEMA}."{table.name}";')
        sequences = conn.execute(text(
            "SELECT sequencename, last_value FROM pg_sequences "
            "WHERE schemaname = 'public' AND last_value IS NOT NULL")).all()
        statements += [f"PERFORM setval('public.\"{name}\"', {value}, true);" for name, value in sequences]
        body = "\n".join(statements) or "NULL;"
        conn.execute(text(f"CREATE FUNCTION {SNAPSHOT_SCHEMA}.restore() RETURNS void LANGUAGE plpgsql "
                          f"AS $restore$ BEGIN\n{body}\nEND $restore$"))

    def restore(self) -> None:
        """Put the demo rows back into the (emptied) tables of the test database."""
        with _per_test_engine(self.url).begin() as conn:
            if is_postgres(self.url):
                conn.execute(text(f"SELECT {SNAPSHOT_SCHEMA}.restore()"))
            else:
                for table in Base.metadata.sorted_tables:
                    if rows := self._rows.get(table.name):
                        marks = ", ".join("?" * len(rows[0]))
                        conn.exec_driver_sql(f'INSERT INTO "{table.name}" VALUES ({marks})', rows)
