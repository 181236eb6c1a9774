"""The installation store: tokens sealed at rest (a dump holds none, an old SECRET_KEY
still opens them), one live row per installation, found and deleted by its key (a team,
or an org-wide install's enterprise), on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from datetime import datetime

import sqlalchemy as sa
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Installation
from sqlmodel import Session

from bot.models import SLACK_BOTS, SLACK_INSTALLATIONS, SLACK_OAUTH_STATES
from bot.storage.crypto import SecretBox
from bot.storage.engine import make_engine
from bot.storage.installations import SealedInstallationStore, state_store

NEW, OLD = Fernet.generate_key().decode(), Fernet.generate_key().decode()
CLIENT = "1111.2222"
LATER = datetime(2099, 1, 1)


def _installation(team_id=None, enterprise_id=None, *, token="xoxb-1-secret", at=None, **more):
    return Installation(
        app_id="A0APP",
        enterprise_id=enterprise_id,
        team_id=team_id,
        bot_token=token,
        bot_id="B1",
        bot_user_id="UB1",
        bot_scopes="commands,chat:write",
        bot_refresh_token=more.pop("refresh", None),
        bot_token_expires_in=more.pop("expires_in", None),
        user_id="U0ADMIN",
        is_enterprise_install=team_id is None,
        installed_at=at or time.time(),
        **more,
    )


def _dump(db) -> str:
    with db.engine.connect() as c:
        found = []
        for table in (SLACK_BOTS, SLACK_INSTALLATIONS):
            for row in c.execute(sa.text(f"SELECT * FROM {table.name}")).all():
                found.append(" ".join(str(v) for v in row))
    return "\n".join(found)


def test_tokens_are_sealed_at_rest_and_open_with_an_old_key(db):
    store = SealedInstallationStore(CLIENT, db, SecretBox([OLD]))
    store.save(_installation("T1", token="xoxb-1-plain-bot", refresh="xoxe-1-plain-refresh"))
    dump = _dump(db)
    assert "T1" in dump and "xoxb-1-plain-bot" not in dump and "plain-refresh" not in dump

    rotated = SealedInstallationStore(CLIENT, db, SecretBox([NEW, OLD]))
    bot = rotated.find_bot(enterprise_id=None, team_id="T1")
    assert (bot.bot_token, bot.bot_refresh_token) == ("xoxb-1-plain-bot", "xoxe-1-plain-refresh")
    assert rotated.find_installation(enterprise_id=None, team_id="T1").bot_token == (
        "xoxb-1-plain-bot"
    )


def test_a_reinstall_leaves_one_live_row_with_the_new_token(db):
    store = SealedInstallationStore(CLIENT, db, SecretBox([NEW]))
    store.save(_installation("T1", token="xoxb-old", at=time.time() - 60))
    store.save(_installation("T1", token="xoxb-new"))
    store.save(_installation("T2", token="xoxb-other"))
    with Session(db.engine) as s:
        assert store.find_bot_by_key(s, key="T1").bot_token == "xoxb-new"
        assert store.find_bot_by_key(s, key="T2").bot_token == "xoxb-other"
    with db.engine.connect() as c:
        for table in (SLACK_BOTS, SLACK_INSTALLATIONS):
            teams = c.execute(sa.select(table.c.team_id)).scalars().all()
            assert sorted(teams) == ["T1", "T2"]


def test_an_org_wide_install_is_found_and_deleted_by_its_enterprise_only(db):
    store = SealedInstallationStore(CLIENT, db, SecretBox([NEW]))
    store.save(_installation(None, "E1", token="xoxb-org"))
    store.save(_installation("T9", "E1", token="xoxb-workspace-of-the-org"))
    with db.session() as s:
        assert store.find_bot_by_key(s, key="E1").bot_token == "xoxb-org"
        assert store.find_bot_by_key(s, key="T9").bot_token == "xoxb-workspace-of-the-org"
        assert store.delete_key(s, key="E1") == 2  # its installation and bot rows
    with db.session() as s:
        assert store.find_bot_by_key(s, key="E1") is None
        assert store.find_bot_by_key(s, key="T9") is not None
    # slack_sdk's own lookup of an org install agrees.
    assert store.find_bot(enterprise_id="E1", team_id="T9") is not None
    assert store.find_bot(enterprise_id="E1", team_id=None, is_enterprise_install=True) is None


@contextmanager
def _another_process_writes_after_first_read_of(db, database_url: str, table: sa.Table):
    """After the first SELECT on ``table``, another connection inserts a row into it and
    commits before the reader goes on. On SQLite a reader that did not take the write
    lock at BEGIN then fails at once on its own write ("database is locked", no wait)."""
    other = make_engine(database_url)
    writers: list[threading.Thread] = []

    def insert() -> None:
        with other.begin() as c:
            c.execute(SLACK_OAUTH_STATES.insert().values(state="other", expire_at=LATER))

    def interleave(conn, cursor, statement, *_):
        if not writers and statement.lstrip().startswith("SELECT") and table.name in statement:
            writers.append(threading.Thread(target=insert))
            writers[0].start()
            writers[0].join(1.0)  # it commits now, unless the reader holds the write lock

    sa.event.listen(db.engine, "after_cursor_execute", interleave)
    try:
        yield writers
    finally:
        sa.event.remove(db.engine, "after_cursor_execute", interleave)
        for writer in writers:
            writer.join()
        other.dispose()


def test_an_install_is_not_refused_when_another_process_writes_meanwhile(db, database_url):
    """The install's own transactions (consuming its state, saving its tokens) read and
    then write. A scheduler or another worker writing in between makes them wait their
    turn; it had refused the install under load (401, "invalid_state")."""
    states = state_store(db, expiration_seconds=600)
    state = states.issue()
    with _another_process_writes_after_first_read_of(
        db, database_url, SLACK_OAUTH_STATES
    ) as writers:
        assert states.consume(state) is True
    assert writers, "the interleaving never happened"
    assert states.consume(state) is False  # still good once only

    store = SealedInstallationStore(CLIENT, db, SecretBox([NEW]))
    with _another_process_writes_after_first_read_of(
        db, database_url, SLACK_INSTALLATIONS
    ) as writers:
        store.save(_installation("T1", token="xoxb-saved"))
    assert writers
    assert store.find_bot(enterprise_id=None, team_id="T1").bot_token == "xoxb-saved"
    with db.engine.connect() as c:
        states_left = c.execute(sa.select(SLACK_OAUTH_STATES.c.state)).scalars().all()
    assert states_left == ["other", "other"]  # both other writes landed too
