"""The one token lookup: SLACK_BOT_TOKEN with one workspace; with many, the stored bot,
cached (the workspace benchmark's goal: at most 0.05 database reads per check-in), and a
refusal that pauses only the workspace whose stored token Slack refused."""

from __future__ import annotations

from cryptography.fernet import Fernet
from slack_sdk import WebClient
from slack_sdk.oauth.token_rotation import TokenRotator

from bot.slack.tokens import OneWorkspaceToken, WorkspaceTokens
from bot.storage.crypto import SecretBox
from bot.storage.installations import SealedInstallationStore
from tests.storage.test_installations import CLIENT, _installation

KEY = Fernet.generate_key().decode()


def _tokens(db) -> tuple[WorkspaceTokens, SealedInstallationStore, list[str]]:
    store = SealedInstallationStore(CLIENT, db, SecretBox([KEY]))
    # Nothing here expires, so the rotator never calls this client.
    rotator = TokenRotator(client_id=CLIENT, client_secret="s", client=WebClient(base_url="x"))
    tokens = WorkspaceTokens(db, store, rotator)
    revoked: list[str] = []
    tokens.on_revoked(revoked.append)
    return tokens, store, revoked


def test_one_workspace_is_always_its_bot_token():
    tokens = OneWorkspaceToken("xoxb-1-only")
    assert tokens.bot_token(team_id="T1") == tokens.bot_token(team_id=None) == "xoxb-1-only"
    tokens.token_refused(team_id="T1", error="invalid_auth")  # the admin's to replace
    assert tokens.bot_token(team_id="T1") == "xoxb-1-only" and "xoxb" not in repr(tokens)


def test_lookups_are_cached_well_under_the_benchmarks_goal(db):
    tokens, store, _ = _tokens(db)
    for n in range(20):
        store.save(_installation(f"T{n}", token=f"xoxb-{n}"))
    store.save(_installation(None, "E1", token="xoxb-org"))
    calls = 0
    for _ in range(50):
        for n in range(20):
            assert tokens.bot_token(team_id=f"T{n}") == f"xoxb-{n}"
            calls += 1
        # A workspace of the org-wide install, named as the dispatcher names it.
        assert tokens.bot_token(team_id="T0NEW", enterprise_id="E1") == "xoxb-org"
        assert tokens.bot_token(team_id="E1") == "xoxb-org"
        calls += 2
    assert tokens.lookups / calls <= 0.05
    assert tokens.bot_token(team_id="T0MISSING") is None


def test_a_refused_token_pauses_its_workspace_unless_it_was_replaced_meanwhile(db):
    tokens, store, revoked = _tokens(db)
    store.save(_installation("T1", token="xoxb-first"))
    store.save(_installation("T2", token="xoxb-two"))
    assert tokens.bot_token(team_id="T1") == "xoxb-first"
    assert tokens.bot_token(team_id="T2") == "xoxb-two"

    store.save(_installation("T1", token="xoxb-reinstalled"))  # by another process
    tokens.token_refused(team_id="T1", error="invalid_auth")
    assert revoked == [] and tokens.bot_token(team_id="T1") == "xoxb-reinstalled"

    tokens.token_refused(team_id="T1", error="token_expired")  # refreshed next time
    tokens.token_refused(team_id="T1", error="ratelimited")  # not about the token
    assert revoked == []

    tokens.token_refused(team_id="T2", error="token_revoked")
    assert revoked == ["T2"]
    assert tokens.bot_token(team_id="T1") == "xoxb-reinstalled"
