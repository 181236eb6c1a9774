"""Fixtures of the many-workspace scenarios: the offline Slack that plays OAuth v2 and
the app in many-workspace mode, serving real HTTP."""

from __future__ import annotations

import pytest

from tests.fakes.slack_oauth import FakeSlackWorkspaces
from tests.support.app_runner import serve_in_thread
from tests.support.installs import many_settings, workspaces_fake


@pytest.fixture
def oauth_slack() -> FakeSlackWorkspaces:
    fake = workspaces_fake()
    yield fake
    fake.stop()
    assert not fake.refusals, f"Slack would have refused: {fake.refusals}"


@pytest.fixture
def many_app(oauth_slack, database_url):
    running = serve_in_thread(many_settings(oauth_slack, database_url))
    oauth_slack.redirect_url = running.url + "/slack/oauth_redirect"  # the Slack app's config
    yield running
    running.stop()
