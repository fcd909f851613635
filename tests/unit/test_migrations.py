"""Migrations: the round trip works, and the models never drift from them."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

import pytest
from db.migrate import current_revision, downgrade_to_base, head_revision, upgrade_to_head
from db.models import Base
from db.session import sync_url
from tests.conftest import TEST_DATABASE_URL
from tests.db_support import ensure_database, is_postgres, reset_schema


def _diff(url: str) -> list:
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = create_engine(sync_url(url))
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


@pytest.fixture
def scratch_url() -> str:
    """A database of its own, so the round trip never disturbs the other tests' schema."""
    parsed = make_url(TEST_DATABASE_URL)
    if is_postgres(TEST_DATABASE_URL):
        url = parsed.set(database=f"{parsed.database}_migrations").render_as_string(hide_password=False)
    else:
        url = parsed.set(database=f"{parsed.database}.migrations").render_as_string(hide_password=False)
    ensure_database(url)
    reset_schema(url)
    return url


def test_upgrade_downgrade_upgrade_round_trip(scratch_url: str) -> None:
    assert current_revision(scratch_url) == head_revision()
    assert _tables(scratch_url) == set(Base.metadata.tables)
    downgrade_to_base(scratch_url)
    assert _tables(scratch_url) == set()
    assert current_revision(scratch_url) is None
    upgrade_to_head(scratch_url)
    assert _tables(scratch_url) == set(Base.metadata.tables)
    assert current_revision(scratch_url) == head_revision()


def test_models_and_migrations_agree(database_url: str) -> None:
    """Fails when a model changes without a migration (or the other way round)."""
    assert _diff(database_url) == []
