"""Alembic environment: runs against the connection handed over by `monitor.store.database.migrate`."""

from alembic import context
from sqlalchemy import create_engine

import monitor.store.delivery_models
import monitor.store.digest_models
import monitor.store.feed_models
import monitor.store.match_models
import monitor.store.service_models  # noqa: F401
from monitor.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        url = config.get_main_option("sqlalchemy.url")
        with create_engine(url).begin() as own_connection:
            _run(own_connection)
    else:
        _run(connection)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
