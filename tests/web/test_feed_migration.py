"""Migration 0005 (feed_tokens, matches (rule_id, id) index) goes up, down and up again on both databases."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect

from monitor.store.database import MIGRATIONS_DIR, open_store


def _run(engine: Engine, upgrade: bool, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.upgrade if upgrade else command.downgrade)(config, revision)


def _state(engine: Engine) -> tuple[bool, bool]:
    inspector = inspect(engine)
    indexes = {index["name"] for index in inspector.get_indexes("matches")}
    return "feed_tokens" in inspector.get_table_names(), "ix_matches_rule_id_id" in indexes


def test_feed_tokens_up_down_up(database_url: str) -> None:
    engine = open_store(database_url)
    try:
        assert _state(engine) == (True, True)
        columns = {column["name"] for column in inspect(engine).get_columns("feed_tokens")}
        assert columns == {"token_hash", "scope", "created_at", "revoked"}
        _run(engine, False, "0002")
        assert _state(engine) == (False, False)
        _run(engine, True, "heads")
        assert _state(engine) == (True, True)
    finally:
        engine.dispose()
