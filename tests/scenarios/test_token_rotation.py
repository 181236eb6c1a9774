"""Token rotation: a workspace whose bot tokens expire is served with a fresh one every
time, refreshed exactly once per expiry however many processes race for it (refresh
tokens are single-use), and a refresh Slack refuses pauses that workspace only."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from datetime import time as clock_time

from slack_sdk import WebClient
from slack_sdk.oauth.token_rotation import TokenRotator

from bot.bootstrap import workspace_tokens
from bot.domain.placement import SelfPlacement
from bot.domain.schedule import weekdays_to_mask
from bot.models import Workspace
from bot.services.coaching import OnboardingAnswers
from bot.services.dispatch import Dispatcher
from bot.services.meetings import MeetingInput
from bot.slack.checkin_sender import SlackCheckinSender
from bot.slack.tokens import WorkspaceTokens
from bot.storage.db import Database
from bot.storage.engine import make_engine
from tests.scenarios.test_dispatch_processes import checkin_id_of
from tests.support.app_runner import serve_in_thread
from tests.support.clock import FakeClock
from tests.support.installs import ALPHA, BETA, install, many_settings, rows
from tests.support.journey import wait

# Tokens live 3 s here (Slack's: 12 h) and are refreshed in their last 2 s.
LIFETIME, REFRESH_BEFORE = 3, 2
MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
ANSWERS = OnboardingAnswers("Speak up in planning", SelfPlacement.WHEN_ASKED, 50, False, None)


def _process(app, fake) -> tuple[WorkspaceTokens, Database]:
    """What another app process holds: its own engine, store, cache and client."""
    db = Database(make_engine(app.container.settings.database_url))
    client = WebClient(base_url=fake.base_url, timeout=10)
    tokens = workspace_tokens(app.container.settings, db, client)
    return (
        WorkspaceTokens(
            db,
            tokens.store,
            TokenRotator(client_id=fake.client_id, client_secret=fake.client_secret, client=client),
            refresh_before=REFRESH_BEFORE,
            cache_seconds=0.2,
        ),
        db,
    )


def test_two_processes_racing_refresh_once_per_expiry_and_always_hold_a_good_token(
    many_app, oauth_slack
):
    fake = oauth_slack
    fake.rotation, fake.token_seconds = True, LIFETIME
    assert install(many_app.url, fake, ALPHA).status == 200
    processes = [_process(many_app, fake) for _ in range(2)]
    client = WebClient(base_url=fake.base_url, timeout=10)
    problems: list[str] = []
    used: set[str] = set()
    stop = time.monotonic() + 3.5 * (LIFETIME - REFRESH_BEFORE)

    def hammer(tokens: WorkspaceTokens) -> None:
        while time.monotonic() < stop:
            token = tokens.bot_token(team_id=ALPHA)
            if token is None:
                problems.append("no token")
                return
            used.add(token)
            answer = client.auth_test(token=token)  # Slack accepts it: not expired
            if answer["team_id"] != ALPHA:
                problems.append(str(answer))
            time.sleep(0.01)

    threads = [
        threading.Thread(target=hammer, args=(tokens,)) for tokens, _ in processes for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    for _, db in processes:
        db.engine.dispose()

    assert problems == []
    assert fake.refused_refreshes == []  # no refresh token was ever presented twice
    refreshes = len(fake.refreshes)
    assert refreshes >= 3  # several expiries went by
    assert refreshes == sum(tokens.refreshes for tokens, _ in processes)
    # Once per expiry: every token issued was used, and none was refreshed twice.
    assert len(fake.installs[ALPHA].tokens) == refreshes + 1
    assert used <= set(fake.installs[ALPHA].tokens)
    assert len(used) >= refreshes  # each refreshed token was used before it expired


def test_a_refresh_slack_refuses_pauses_that_workspace_only(many_app, oauth_slack, db):
    fake = oauth_slack
    fake.rotation, fake.token_seconds = True, LIFETIME
    assert install(many_app.url, fake, ALPHA).status == 200
    assert install(many_app.url, fake, BETA).status == 200
    tokens = many_app.container.tokens  # refreshes 10 minutes ahead: every token is due
    fake.revoke(ALPHA)
    assert tokens.bot_token(team_id=ALPHA) is None
    gone = wait(lambda: [w for w in rows(db, Workspace.__table__) if w["uninstalled_at"]])
    assert [w["team_id"] for w in gone] == [ALPHA]
    assert tokens.bot_token(team_id=BETA) == fake.installs[BETA].live_token()
    assert fake.refreshes == [BETA]


def test_no_token_reaches_a_log_line(many_app, oauth_slack, caplog):
    """Installs, refreshes, a refused refresh and a refused call, all logged at DEBUG:
    neither an access token, a refresh token nor the client secret is in any line."""
    fake = oauth_slack
    fake.rotation, fake.token_seconds = True, LIFETIME
    with caplog.at_level(logging.DEBUG):
        assert install(many_app.url, fake, ALPHA).status == 200
        assert install(many_app.url, fake, BETA).status == 200
        tokens = many_app.container.tokens
        assert tokens.bot_token(team_id=ALPHA) and tokens.bot_token(team_id=BETA)
        fake.revoke(BETA)
        tokens.forget(team_id=BETA)
        assert tokens.bot_token(team_id=BETA) is None
    secrets = {fake.client_secret, *fake._refresh_tokens}
    for install_ in fake.installs.values():
        secrets |= set(install_.tokens)
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "refused to refresh its token" in logged  # the logs did say what happened
    assert [s for s in secrets if s in logged] == []


def test_tokens_expiring_during_a_dispatch_run_of_two_processes_lose_no_check_in(
    oauth_slack, database_url
):
    """Two dispatcher processes send a workspace's burst while its tokens expire every
    few seconds: every check-in goes out once, each expiry is refreshed once."""
    fake = oauth_slack
    fake.rotation, fake.token_seconds = True, LIFETIME
    fake.latency = 0.25  # the burst outlasts several tokens
    clock = FakeClock(MONDAY_9)
    app = serve_in_thread(many_settings(fake, database_url), clock=clock)
    dispatchers = []
    try:
        fake.redirect_url = app.url + "/slack/oauth_redirect"
        assert install(app.url, fake, ALPHA).status == 200
        people = [f"U0P{n:03d}" for n in range(48)]
        for user in people:
            fake.add_member(user, ALPHA, tz="UTC")
            app.container.services.coaching.start(
                team_id=ALPHA, user_id=user, answers=ANSWERS, tz="UTC"
            )
            app.container.services.meetings.add(
                team_id=ALPHA,
                user_id=user,
                meeting=MeetingInput(
                    "Planning", weekdays_to_mask([0]), None, clock_time(10), 30, "UTC"
                ),
            )
        fake.reset_calls()
        clock.advance(minutes=46)  # every pre-meeting check-in due at 9:45
        dispatchers = [_dispatcher(app, fake, clock, f"process-{n}") for n in range(2)]
        stop = time.monotonic() + 30

        def run(dispatcher) -> None:
            while time.monotonic() < stop and len(_delivered(fake)) < len(people):
                dispatcher.tick()
                time.sleep(0.05)

        threads = [threading.Thread(target=run, args=(d,)) for d, _, _ in dispatchers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(40)
    finally:
        for dispatcher, _, db in dispatchers:
            dispatcher.close()
            db.engine.dispose()
        app.stop()

    delivered = _delivered(fake)
    assert sorted(delivered.values()) == [1] * len(people)  # all, once each
    assert fake.refused_refreshes == []
    refreshes = len(fake.refreshes)
    assert refreshes >= 2  # tokens expired during the run
    assert refreshes == sum(tokens.refreshes for _, tokens, _ in dispatchers)
    assert len(fake.installs[ALPHA].tokens) == refreshes + 1  # once per expiry


def _dispatcher(app, fake, clock, owner: str):
    """A dispatcher as another process would hold it: its own engine and token cache."""
    tokens, db = _process(app, fake)
    sender = SlackCheckinSender(
        WebClient(base_url=fake.base_url, timeout=10),
        token_for=lambda team, enterprise: tokens.bot_token(team_id=team, enterprise_id=enterprise),
        token_refused=lambda team, error: tokens.token_refused(team_id=team, error=error),
    )
    coaching = app.container.services.coaching  # reads her card only
    return Dispatcher(db, clock, coaching, sender, owner=owner), tokens, db


def _delivered(fake) -> Counter:
    return Counter(
        checkin_id_of(c.args)
        for c in list(fake.calls)
        if c.method == "chat.postMessage" and c.status == 200
    )
