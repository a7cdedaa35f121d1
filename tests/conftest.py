"""Shared fixtures: a fixture HTTP server on loopback and a fresh store on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.fixture_server import FixtureServer

FIXTURES = Path(__file__).resolve().parent / "fixtures"
POSTGRES_URL = os.environ.get("MONITOR_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
POSTGRES_REQUIRED = os.environ.get("MONITOR_REQUIRE_POSTGRES") == "1"

os.environ.setdefault("MONITOR_ALLOW_PRIVATE_NETWORKS", "1")


def postgres_available() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        with create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3}).connect() as connection:
            connection.execute(text("select 1"))
        return None
    except Exception as error:  # any driver or network failure means "absent"
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {type(error).__name__}: {error}".splitlines()[0]


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    reason = postgres_available()
    if reason:
        if POSTGRES_REQUIRED:
            pytest.fail(f"MONITOR_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)
    return POSTGRES_URL


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"monitor_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(postgres_admin_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'monitor.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Runs the test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'monitor.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def fixture_server() -> Iterator[FixtureServer]:
    with FixtureServer() as server:
        yield server
