"""Shared fixtures: a real database (SQLite, or PostgreSQL with TEST_DATABASE_URL),
the fake Slack Web API, and the app under test serving real HTTP."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from bot.playground.fakeslack.slack_requests import SlackRequests
from bot.playground.fakeslack.web_api import FakeSlack
from bot.settings import Settings, load_settings
from bot.slack import surfaces
from bot.storage import migrate
from bot.storage.db import Database
from bot.storage.engine import make_engine
from tests.support.app_runner import serve_in_thread

BOT_TOKEN = "xoxb-test-bot-token-0001"
APP_TOKEN = "xapp-test-app-token-0001"
SIGNING_SECRET = "test-signing-secret-5f1c2a"
TEAM_ID = "T0TEAM"
USER_ID = "U0MILA"

PG_URL = os.environ.get("TEST_DATABASE_URL")


def pytest_report_header(config) -> str:
    return f"database: {'PostgreSQL' if PG_URL else 'SQLite'}"


@pytest.fixture(autouse=True)
def _as_a_fresh_process():
    """Each test's app starts as a fresh process would: no DM channel remembered from
    another test's fake Slack (which may have had the same port)."""
    surfaces._DMS.clear()


@pytest.fixture(scope="session")
def _database_template(tmp_path_factory) -> str:
    """A migrated database, made once: a SQLite file to copy, or a PostgreSQL database."""
    if PG_URL:
        url = load_settings({"DATABASE_URL": PG_URL}, env_file=None, require_slack=False)
        admin = make_engine(url.database_url).execution_options(isolation_level="AUTOCOMMIT")
        name = f"voice_test_{uuid.uuid4().hex[:8]}"
        with admin.connect() as c:
            c.execute(sa.text(f"CREATE DATABASE {name}"))
        admin.dispose()
        database_url = url.database_url.rsplit("/", 1)[0] + "/" + name
        engine = make_engine(database_url)
        migrate.upgrade(engine)
        engine.dispose()
        yield database_url
        admin = make_engine(url.database_url).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        engine = make_engine(f"sqlite:///{path}")
        migrate.upgrade(engine)
        engine.dispose()
        yield str(path)


@pytest.fixture
def database_url(_database_template, tmp_path) -> str:
    """A migrated, empty database for one test."""
    if PG_URL:
        engine = make_engine(_database_template)
        tables = ", ".join(t.name for t in SQLModel.metadata.sorted_tables)
        with engine.begin() as c:
            c.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return _database_template
    path = Path(tmp_path) / "voice_coach.db"
    shutil.copy(_database_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def db(database_url) -> Database:
    database = Database(make_engine(database_url))
    yield database
    database.engine.dispose()


@pytest.fixture
def fake_slack() -> FakeSlack:
    fake = FakeSlack(bot_token=BOT_TOKEN, app_token=APP_TOKEN, team_id=TEAM_ID)
    fake.start()
    fake.add_user(USER_ID, tz="America/New_York", real_name="Mila Novak")
    yield fake
    fake.stop()
    # Slack would have refused these: a bug in the app even if the test's own checks passed.
    # A test that breaks a payload on purpose takes them with fake.expect_refusals().
    assert not fake.refusals, f"Slack would have refused: {fake.refusals}"


def make_settings(fake: FakeSlack, database_url: str, **overrides: str) -> Settings:
    environ = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "DATABASE_URL": database_url,
        "SLACK_API_URL": fake.base_url,
        **overrides,
    }
    return load_settings(environ, env_file=None)


@pytest.fixture
def settings(fake_slack, database_url) -> Settings:
    return make_settings(fake_slack, database_url)


@pytest.fixture
def running_app(settings):
    """The production WSGI app, built by bootstrap, served over real HTTP in a thread."""
    app = serve_in_thread(settings)
    yield app
    app.stop()


@pytest.fixture
def slack(running_app, fake_slack) -> SlackRequests:
    """Sends signed requests, in Slack's shapes, to the running app."""
    return SlackRequests(
        app_url=running_app.url,
        signing_secret=SIGNING_SECRET,
        fake=fake_slack,
        team_id=TEAM_ID,
    )
