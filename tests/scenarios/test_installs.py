""" "Add to Slack" through the running app and the offline Slack: three workspaces (two
plain, one org-wide) installed by the real HTTP flow, each person served with her own
workspace's token; every failed install ends on a clear page and stores nothing."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import sqlalchemy as sa

from bot.models import SLACK_BOTS, SLACK_INSTALLATIONS, SLACK_OAUTH_STATES, Workspace
from bot.services.workspaces import GRACE
from tests.support.installs import (
    ALPHA,
    BETA,
    GRID,
    GRID_A,
    GRID_B,
    PEOPLE,
    get,
    install,
    install_all,
    raw_rows,
    rows,
    slack_of,
    start,
    via_slack,
)
from tests.support.journey import wait


@pytest.fixture
def fake(oauth_slack):
    return oauth_slack


@pytest.fixture
def app(many_app):
    return many_app


# -- pages -------------------------------------------------------------------------------------


def test_the_landing_page_says_what_it_does_and_links_add_to_slack_and_privacy(app):
    page = get(app.url + "/")
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    assert 'href="/slack/install">Add to Slack' in page.text
    assert 'href="/privacy"' in page.text and "Who sees what" in page.text


def test_the_privacy_page_states_the_grace_period_the_code_applies(app):
    page = get(app.url + "/privacy")
    assert page.status == 200
    assert f"kept for {GRACE.days} days" in page.text
    assert "/voice export" in page.text and "/voice forget-me" in page.text
    assert "<code>users:read</code>" in page.text


def test_install_goes_to_slacks_authorize_page_with_state_and_the_manifest_scopes(app, fake):
    trip = start(app.url)
    assert trip.install.location.startswith(fake.authorize_url + "?")
    query = parse_qs(urlsplit(trip.install.location).query)
    assert query["client_id"] == [fake.client_id] and query["state"] == [trip.state]
    assert set(query["scope"][0].split(",")) == fake.scopes  # manifest.yml's, no more
    assert trip.state and "Secure" in trip.install.headers["set-cookie"]


# -- three workspaces ----------------------------------------------------------------------------


def test_three_workspaces_install_and_each_is_served_with_its_own_token(app, fake, db):
    install_all(app, fake)

    workspaces = {w["team_id"]: w for w in rows(db, Workspace.__table__)}
    assert set(workspaces) == {ALPHA, BETA, GRID}
    assert workspaces[GRID]["is_enterprise_install"] and workspaces[GRID]["enterprise_id"] == GRID
    assert not workspaces[ALPHA]["is_enterprise_install"]
    assert rows(db, SLACK_OAUTH_STATES) == []  # each state was used, once

    # A dump holds no usable token: every token column is sealed.
    stored = raw_rows(db, SLACK_BOTS) + raw_rows(db, SLACK_INSTALLATIONS)
    live = {token for i in fake.installs.values() for token in i.tokens}
    assert len(live) == 3
    for row in stored:
        assert row["bot_token"] not in live and not row["bot_token"].startswith("xox")

    for team, user in PEOPLE.items():
        slack = slack_of(app, fake, team)
        # The App Home's welcome, then "Get started": the onboarding modal.
        assert slack.event({"type": "app_home_opened", "user": user, "tab": "home"}).status == 200
        home = wait(lambda user=user: fake.home_view(user))
        button = next(
            e
            for b in home["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == "get_started"
        )
        opened = len(fake.calls_to("views.open"))
        r = slack.block_action(
            user_id=user, action_id=button["action_id"], value=button.get("value"), view=home
        )
        assert r.status == 200
        fake.wait_for("views.open", count=opened + 1)
        # And /voice help answers her in her workspace.
        assert slack.command("help", user_id=user).status == 200

    key = {ALPHA: ALPHA, BETA: BETA, GRID_A: GRID, GRID_B: GRID}
    published = fake.install_keys_of("views.publish")
    opened = fake.install_keys_of("views.open")
    assert sorted(published) == sorted(key.values())
    assert sorted(opened) == sorted(key.values())
    # One person of the org-wide install is one person across its workspaces.
    for team, user in PEOPLE.items():
        calls = fake.calls_for(key[team], "views.publish")
        assert any(c["user_id"] == user for c in calls)


def test_a_reinstall_updates_the_installation_and_keeps_one_row(app, fake, db):
    assert install(app.url, fake, ALPHA).status == 200
    assert install(app.url, fake, ALPHA).status == 200
    assert len(rows(db, SLACK_BOTS)) == 1 and len(rows(db, SLACK_INSTALLATIONS)) == 1
    assert rows(db, SLACK_BOTS)[0]["team_id"] == ALPHA


# -- installs that do not finish -------------------------------------------------------------


def _nothing_stored(db) -> None:
    assert rows(db, SLACK_BOTS) == [] and rows(db, SLACK_INSTALLATIONS) == []
    assert rows(db, Workspace.__table__) == []


def _clear_page(page, status: int, words: str) -> None:
    assert page.status == status, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert words in page.text and "Traceback" not in page.text
    assert "Nothing was installed" in page.text or "nothing was installed" in page.text


def test_a_denied_install_says_nothing_was_installed(app, fake, db):
    fake.will_deny()
    trip = via_slack(start(app.url))
    assert "error=access_denied" in trip.back
    _clear_page(get(trip.back, cookie=trip.cookie), 200, "You chose not to allow")
    _nothing_stored(db)


def test_a_forged_state_is_refused(app, fake, db):
    fake.will_install(ALPHA)
    trip = via_slack(start(app.url))
    forged = trip.back.replace(trip.state, "forged-state-0000")
    _clear_page(get(forged, cookie=trip.cookie), 400, "start again")
    # The same forged state in the cookie too: no such state was ever issued.
    page = get(forged, cookie="slack-app-oauth-state=forged-state-0000")
    _clear_page(page, 401, "Install links work once")
    _nothing_stored(db)


def test_a_reused_state_is_refused_and_the_code_is_not_spent_twice(app, fake, db):
    fake.will_install(ALPHA)
    trip = via_slack(start(app.url))
    assert get(trip.back, cookie=trip.cookie).status == 200
    _clear_page(get(trip.back, cookie=trip.cookie), 401, "Install links work once")
    assert len(rows(db, SLACK_BOTS)) == 1
    assert len(fake.calls_to("oauth.v2.access")) == 1


def test_an_expired_state_is_refused(app, fake, db):
    fake.will_install(ALPHA)
    trip = via_slack(start(app.url))
    with db.engine.begin() as c:  # as if she came back after the state's 10 minutes
        c.execute(sa.update(SLACK_OAUTH_STATES).values(expire_at=sa.func.current_timestamp()))
    _clear_page(get(trip.back, cookie=trip.cookie), 401, "Install links work once")
    assert fake.calls_to("oauth.v2.access") == []
    _nothing_stored(db)


def test_slacks_refusal_of_the_code_is_a_clear_page(app, fake, db):
    fake.will_install(ALPHA)
    trip = via_slack(start(app.url))
    fake.fail_next("oauth.v2.access", "invalid_code")
    _clear_page(get(trip.back, cookie=trip.cookie), 401, "Slack would not confirm")
    _nothing_stored(db)


def test_a_slack_error_named_in_the_redirect_is_shown_plainly(app, fake, db):
    trip = start(app.url)
    query = urlencode({"error": "<script>invalid_team</script>", "state": trip.state})
    page = get(f"{app.url}/slack/oauth_redirect?{query}", cookie=trip.cookie)
    _clear_page(page, 200, "Slack said <code>&lt;script&gt;invalid_team&lt;/script&gt;</code>")
    _nothing_stored(db)


def test_slack_unreachable_during_the_install_is_a_page_not_a_stack_trace(app, fake, db):
    fake.will_install(ALPHA)
    trip = via_slack(start(app.url))
    fake.fail_next("oauth.v2.access", "connection_reset", times=5)
    page = get(trip.back, cookie=trip.cookie)
    assert page.status in (401, 502)
    assert "Traceback" not in page.text and "Nothing was installed" in page.text
    _nothing_stored(db)
