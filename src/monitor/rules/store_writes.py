"""Idempotent writes of the match stage on SQLite and PostgreSQL: insert-or-ignore, upsert."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from monitor.store.match_models import Match, MatchProgress


def _insert(connection: Connection, table: Any) -> Any:
    dialect = connection.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"the match stage supports SQLite and PostgreSQL, not {dialect}")


def insert_matches(
    connection: Connection, rows: Sequence[dict[str, Any]]
) -> list[tuple[tuple[int, int, str], dict[str, Any]]]:
    """Insert the rows that are not stored yet; returns (id, item_id, rule_id) and the row of each new one."""
    if not rows:
        return []
    table = Match.__table__
    statement = (
        _insert(connection, table)
        .on_conflict_do_nothing(index_elements=["item_id", "rule_id"])
        .returning(table.c.id, table.c.item_id, table.c.rule_id)
    )
    by_key = {(row["item_id"], row["rule_id"]): row for row in rows}
    inserted = connection.execute(statement, list(rows)).all()
    return [((row.id, row.item_id, row.rule_id), by_key[(row.item_id, row.rule_id)]) for row in inserted]


def record_progress(connection: Connection, items: Sequence[tuple[int, int]], now: datetime) -> None:
    """Mark items as matched by all enabled rules at their current revision."""
    if not items:
        return
    table = MatchProgress.__table__
    statement = _insert(connection, table)
    statement = statement.on_conflict_do_update(
        index_elements=["item_id"],
        set_={"revision": statement.excluded.revision, "matched_at": statement.excluded.matched_at},
    )
    connection.execute(
        statement,
        [{"item_id": item_id, "revision": revision, "matched_at": now} for item_id, revision in items],
    )
