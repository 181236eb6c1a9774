"""The migrations build exactly the schema models.py describes, on both databases."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from bot.settings import load_settings
from bot.storage import migrate
from bot.storage.db import Database
from bot.storage.engine import make_engine
from tests.conftest import PG_URL


def test_upgraded_database_is_at_head(db: Database):
    assert migrate.current_revision(db.engine) == migrate.head_revision()
    assert migrate.is_up_to_date(db.engine)


def test_models_and_migrations_agree(db: Database):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == [], "models.py changed without a migration: python -m bot db revision"


def test_upgrade_twice_is_a_no_op(db: Database):
    migrate.upgrade(db.engine)
    migrate.upgrade(db.engine)
    assert migrate.current_revision(db.engine) == migrate.head_revision()


def test_every_table_carries_the_team_id():
    # An OAuth state is issued before anyone has said which workspace they install into.
    for table in SQLModel.metadata.sorted_tables:
        if table.name != "slack_oauth_states":
            assert "team_id" in table.columns, table.name


# -- 0003: calendar feeds ------------------------------------------------------------


@pytest.fixture
def empty_engine(tmp_path):
    """An engine on a database with no schema at all."""
    if not PG_URL:
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()
        return
    url = load_settings({"DATABASE_URL": PG_URL}, env_file=None, require_slack=False)
    name = f"voice_mig_{uuid.uuid4().hex[:8]}"
    admin = make_engine(url.database_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f"CREATE DATABASE {name}"))
    engine = make_engine(url.database_url.rsplit("/", 1)[0] + "/" + name)
    yield engine
    engine.dispose()
    with admin.connect() as c:
        c.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def _downgrade(engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def _insert_coachee(c, when: str, *, share_wins: bool = False) -> None:
    """Coachee 1 of team T1, with the columns every revision from 0001 has."""
    c.execute(
        sa.text(
            "INSERT INTO coachee (id, team_id, slack_user_id, tz, share_wins,"
            " pre_checkin_minutes, post_checkin_minutes, reminder_minutes,"
            " working_hours_start, working_hours_end, created_at, updated_at)"
            " VALUES (1, 'T1', 'U1', 'UTC', :share_wins, 15, 5, 120, '09:00:00', '18:00:00',"
            f" '{when}', '{when}')"
        ),
        {"share_wins": share_wins},
    )


def test_0003_keeps_existing_meetings_and_their_check_ins(empty_engine):
    """Upgrading a database with data from 0002 adds the calendar tables and marks every
    meeting typed; going back down removes them without touching anything else (on
    SQLite, copying the meeting table would empty checkin.meeting_id: ON DELETE SET NULL)."""
    when = "2026-03-02 08:00:00"
    migrate.upgrade(empty_engine, "0002")
    with empty_engine.begin() as c:
        _insert_coachee(c, when)
        c.execute(
            sa.text(
                "INSERT INTO meeting (id, team_id, coachee_id, name, weekdays, start_time,"
                " duration_minutes, tz, active, created_at, updated_at)"
                f" VALUES (7, 'T1', 1, 'Planning', 1, '10:00:00', 30, 'UTC', true, '{when}',"
                f" '{when}')"
            )
        )
        c.execute(
            sa.text(
                "INSERT INTO checkin (team_id, coachee_id, meeting_id, kind, occurrence_start,"
                " due_at, send_until, expires_at, status, send_attempts, created_at)"
                f" VALUES ('T1', 1, 7, 'pre', '{when}', '{when}', '{when}', '{when}', 'pending',"
                f" 0, '{when}')"
            )
        )

    def checkin_meetings():
        with empty_engine.connect() as c:
            return c.execute(sa.text("SELECT meeting_id FROM checkin")).scalars().all()

    migrate.upgrade(empty_engine)
    assert migrate.is_up_to_date(empty_engine)
    with empty_engine.connect() as c:
        row = c.execute(sa.text("SELECT source, calendar_series FROM meeting")).one()
    assert tuple(row) == ("manual", None)
    assert checkin_meetings() == [7]
    tables = set(sa.inspect(empty_engine).get_table_names())
    assert {"calendar_feed", "calendar_occurrence"} <= tables

    _downgrade(empty_engine, "0002")
    assert migrate.current_revision(empty_engine) == "0002"
    inspector = sa.inspect(empty_engine)
    assert not {"calendar_feed", "calendar_occurrence"} & set(inspector.get_table_names())
    assert {"source", "calendar_series"}.isdisjoint(
        c["name"] for c in inspector.get_columns("meeting")
    )
    assert checkin_meetings() == [7]

    migrate.upgrade(empty_engine)  # and up again
    assert migrate.is_up_to_date(empty_engine)
    assert checkin_meetings() == [7]


# -- 0004: a calendar feed's last full read ---------------------------------------------


def test_0004_adds_the_last_full_read_and_keeps_connected_calendars(empty_engine):
    """A calendar connected before 0004 stays connected, and its next sync reads it in
    full (no digest yet); going down keeps the link."""
    when = "2026-03-02 08:00:00"
    migrate.upgrade(empty_engine, "0003")
    with empty_engine.begin() as c:
        _insert_coachee(c, when)
        c.execute(
            sa.text(
                "INSERT INTO calendar_feed (team_id, coachee_id, url_sealed, host,"
                f" next_sync_at, created_at, updated_at) VALUES ('T1', 1, 'sealed',"
                f" 'calendar.google.com', '{when}', '{when}', '{when}')"
            )
        )

    def feeds():
        with empty_engine.connect() as c:
            return c.execute(sa.text("SELECT url_sealed, host FROM calendar_feed")).all()

    migrate.upgrade(empty_engine)
    with empty_engine.connect() as c:
        row = c.execute(sa.text("SELECT read_at, read_digest FROM calendar_feed")).one()
    assert tuple(row) == (None, None)
    _downgrade(empty_engine, "0003")
    assert "read_digest" not in {
        c["name"] for c in sa.inspect(empty_engine).get_columns("calendar_feed")
    }
    assert [tuple(r) for r in feeds()] == [("sealed", "calendar.google.com")]
    migrate.upgrade(empty_engine)
    assert migrate.is_up_to_date(empty_engine)


# -- 0005: "Add to Slack" installations ---------------------------------------------------


def test_0005_adds_the_installation_stores_and_keeps_installed_workspaces(empty_engine):
    """A workspace installed before 0005 stays installed, as a plain (not org-wide) one;
    going down removes the stores' tables and nothing else."""
    migrate.upgrade(empty_engine, "0004")
    with empty_engine.begin() as c:
        c.execute(
            sa.text(
                "INSERT INTO workspace (team_id, name, installed_at)"
                " VALUES ('T1', 'One', '2026-03-02 08:00:00')"
            )
        )
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as c:
        row = c.execute(
            sa.text("SELECT team_id, enterprise_id, is_enterprise_install FROM workspace")
        ).one()
    assert (row[0], row[1], bool(row[2])) == ("T1", None, False)
    stores = {"slack_installations", "slack_bots", "slack_oauth_states"}
    assert stores <= set(sa.inspect(empty_engine).get_table_names())
    _downgrade(empty_engine, "0004")
    inspector = sa.inspect(empty_engine)
    assert not stores & set(inspector.get_table_names())
    assert "enterprise_id" not in {c["name"] for c in inspector.get_columns("workspace")}
    migrate.upgrade(empty_engine)
    assert migrate.is_up_to_date(empty_engine)


# -- 0006: if-then plans -----------------------------------------------------------------


def test_0006_adds_if_then_plans_that_go_with_her(empty_engine):
    """A plan belongs to one pre-meeting check-in of hers; deleting her (forget-me, or a
    workspace's data after uninstall) takes it along; going down drops only the table."""
    when = "2026-03-02 08:00:00"
    migrate.upgrade(empty_engine, "0006")
    with empty_engine.begin() as c:
        _insert_coachee(c, when)
        c.execute(
            sa.text(
                "INSERT INTO checkin (id, team_id, coachee_id, kind, occurrence_start, due_at,"
                " send_until, expires_at, status, send_attempts, created_at) VALUES"
                f" (1, 'T1', 1, 'pre', '{when}', '{when}', '{when}', '{when}', 'sent', 0,"
                f" '{when}')"
            )
        )
        c.execute(
            sa.text(
                "INSERT INTO if_then_plan (team_id, coachee_id, checkin_id, challenge_id, text,"
                " source, created_at) VALUES ('T1', 1, 1, 'answer-any-thoughts',"
                f" 'When asked, I will speak.', 'suggested', '{when}')"
            )
        )
    with pytest.raises(sa.exc.IntegrityError), empty_engine.begin() as c:  # one per check-in
        c.execute(
            sa.text(
                "INSERT INTO if_then_plan (team_id, coachee_id, checkin_id, challenge_id, text,"
                f" source, created_at) VALUES ('T1', 1, 1, 'x', 'When x, I will y.', 'own',"
                f" '{when}')"
            )
        )
    _downgrade(empty_engine, "0005")
    assert "if_then_plan" not in sa.inspect(empty_engine).get_table_names()
    with empty_engine.connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM checkin")).scalar() == 1
    migrate.upgrade(empty_engine)
    assert migrate.is_up_to_date(empty_engine)


# -- 0007: pooled challenge difficulty ---------------------------------------------------


def test_0007_adds_the_pooled_difficulties_and_goes_down_cleanly(empty_engine):
    migrate.upgrade(empty_engine, "0006")
    assert "challenge_rating" not in sa.inspect(empty_engine).get_table_names()
    migrate.upgrade(empty_engine, "0007")
    with empty_engine.begin() as c:
        c.execute(
            sa.text(
                "INSERT INTO challenge_rating (team_id, challenge_id, difficulty, attempts)"
                " VALUES ('T1', 'agree-and-add', 2.4, 21)"
            )
        )
        with pytest.raises(sa.exc.IntegrityError), c.begin_nested():
            c.execute(
                sa.text(
                    "INSERT INTO challenge_rating (team_id, challenge_id, difficulty, attempts)"
                    " VALUES ('T1', 'agree-and-add', 2.0, 1)"
                )
            )
    _downgrade(empty_engine, "0006")
    assert "challenge_rating" not in sa.inspect(empty_engine).get_table_names()
    migrate.upgrade(empty_engine)
    assert migrate.is_up_to_date(empty_engine)


# -- 0008: self-efficacy checks ---------------------------------------------------------


def test_0008_adds_efficacy_checks_one_per_round_that_go_with_her(empty_engine):
    """One row per round of hers (the claim of its DM); deleting her takes them along
    where the database cascades; going down drops only the table."""
    when = "2026-03-02 08:00:00"
    migrate.upgrade(empty_engine, "0007")
    assert "efficacy_check" not in sa.inspect(empty_engine).get_table_names()
    migrate.upgrade(empty_engine, "0008")
    with empty_engine.begin() as c:
        _insert_coachee(c, when)
        c.execute(
            sa.text(
                "INSERT INTO efficacy_check (team_id, coachee_id, round, status, offered_at,"
                " item_1, item_2, item_3, item_4, item_5, item_6) VALUES"
                f" ('T1', 1, 0, 'answered', '{when}', 80, 70, 60, 40, 30, 10)"
            )
        )
        with pytest.raises(sa.exc.IntegrityError), c.begin_nested():
            c.execute(
                sa.text(
                    "INSERT INTO efficacy_check (team_id, coachee_id, round, status,"
                    f" offered_at) VALUES ('T1', 1, 0, 'offered', '{when}')"
                )
            )
    _downgrade(empty_engine, "0007")
    assert "efficacy_check" not in sa.inspect(empty_engine).get_table_names()
    with empty_engine.connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM coachee")).scalar() == 1
    migrate.upgrade(empty_engine)
    assert migrate.is_up_to_date(empty_engine)
