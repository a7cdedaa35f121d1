"""Migration 0002 (matches, match_progress) goes up, down and up again on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from monitor.store.database import MIGRATIONS_DIR, open_store


def _run(engine, action, revision: str) -> None:  # type: ignore[no-untyped-def]
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        action(config, revision)


def test_matches_tables_up_down_up(database_url: str) -> None:
    engine = open_store(database_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert {"matches", "match_progress", "items"} <= tables
        uniques = inspect(engine).get_unique_constraints("matches")
        assert any(set(unique["column_names"]) == {"item_id", "rule_id"} for unique in uniques)
        _run(engine, command.downgrade, "0001")
        assert not {"matches", "match_progress"} & set(inspect(engine).get_table_names())
        _run(engine, command.upgrade, "head")
        assert {"matches", "match_progress"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
