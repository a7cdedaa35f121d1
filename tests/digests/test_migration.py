"""Migration 0004 (digest tables): its downgrade and upgrade run on SQLite and PostgreSQL, touching nothing else."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Engine, inspect

from monitor.store.database import MIGRATIONS_DIR, open_store

DIGEST_TABLES = {"digest_sends", "digest_recipients", "digest_send_matches"}


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("digests_0004", MIGRATIONS_DIR / "versions" / "0004_digests.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (module.revision, module.down_revision) == ("0004", "0002")
    return module


def _apply(engine: Engine, step: str) -> None:
    with engine.begin() as connection:
        context = MigrationContext.configure(connection, opts={"render_as_batch": True})
        with Operations.context(context):
            getattr(_migration(), step)()


def test_digest_tables_down_and_up_leave_the_other_tables_alone(database_url: str) -> None:
    engine = open_store(database_url)
    try:
        before = set(inspect(engine).get_table_names())
        assert before >= DIGEST_TABLES
        uniques = inspect(engine).get_unique_constraints("digest_sends")
        assert any(set(unique["column_names"]) == {"digest_id", "period_at"} for unique in uniques)
        _apply(engine, "downgrade")
        assert set(inspect(engine).get_table_names()) == before - DIGEST_TABLES
        _apply(engine, "upgrade")
        assert set(inspect(engine).get_table_names()) == before
    finally:
        engine.dispose()
