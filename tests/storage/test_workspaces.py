"""Requests already handled are remembered per workspace, once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot.models import ProcessedRequest, Workspace
from bot.storage import workspaces
from bot.storage.db import Database

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_a_request_key_is_first_only_once_per_team(db: Database):
    with db.session() as s:
        assert workspaces.record_request_once(s, team_id="T1", request_key="event:Ev1", now=NOW)
    with db.session() as s:
        assert not workspaces.record_request_once(s, team_id="T1", request_key="event:Ev1", now=NOW)
        assert workspaces.record_request_once(s, team_id="T2", request_key="event:Ev1", now=NOW)
    with db.session() as s:
        rows = s.exec(select(ProcessedRequest)).all()
    assert sorted(r.team_id for r in rows) == ["T1", "T2"]
    assert rows[0].processed_at == NOW  # aware UTC in, aware UTC out


def test_reinstall_clears_the_uninstall_mark(db: Database):
    with db.session() as s:
        workspaces.mark_uninstalled(s, team_id="T1", now=NOW)
    with db.session() as s:
        workspaces.upsert_workspace(s, team_id="T1", name="Acme", now=NOW)
    with db.session() as s:
        workspace = s.get(Workspace, "T1")
    assert workspace.uninstalled_at is None and workspace.name == "Acme"
