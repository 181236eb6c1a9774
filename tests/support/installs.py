"""A browser's walk through "Add to Slack": the app's install link, Slack's authorize page
(the fake's), and back to the app's redirect URL, with the state cookie carried by hand
(it is ``Secure``, so a client on plain http would drop it)."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

from bot.settings import Settings, load_settings
from tests.conftest import SIGNING_SECRET
from tests.fakes.slack_oauth import FakeSlackWorkspaces

SECRET_KEY = "kTeUt3jYLKmTX6QLc0E8mpwnBE9mrHl9lCkj0CfYTZ4="


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


@dataclass
class Page:
    status: int
    headers: dict
    text: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


def get(url: str, cookie: str | None = None) -> Page:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with _opener.open(request, timeout=10) as reply:
            return Page(reply.status, _headers(reply.headers), reply.read().decode())
    except urllib.error.HTTPError as error:
        with error:
            return Page(error.code, _headers(error.headers), error.read().decode())


def _headers(message) -> dict:
    headers: dict[str, str] = {}
    for name, value in message.items():
        name = name.lower()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


@dataclass
class Trip:
    """The three legs of an install, for tests that tamper with one of them."""

    install: Page  # the app's /slack/install answer (302 to Slack, with the cookie)
    cookie: str  # the state cookie it set
    state: str
    slack: Page | None = None  # Slack's authorize page answer (302 back to the app)

    @property
    def back(self) -> str:
        return self.slack.location if self.slack else ""


def start(app_url: str) -> Trip:
    install = get(app_url + "/slack/install")
    assert install.status == 302, install
    cookie = SimpleCookie(install.headers["set-cookie"])
    name = next(iter(cookie))
    state = parse_qs(urlsplit(install.location).query)["state"][0]
    return Trip(install, f"{name}={cookie[name].value}", state)


def via_slack(trip: Trip) -> Trip:
    trip.slack = get(trip.install.location)
    assert trip.slack.status == 302, trip.slack
    return trip


def install(app_url: str, fake: FakeSlackWorkspaces, team_id=None, **choice) -> Page:
    """Install through the real HTTP flow; the fake's admin allows it (``team_id``, or
    ``enterprise_id=`` alone for org-wide). Returns the app's last page."""
    fake.will_install(team_id, **choice)
    trip = via_slack(start(app_url))
    return get(trip.back, cookie=trip.cookie)


def many_settings(fake: FakeSlackWorkspaces, database_url: str, **overrides: str) -> Settings:
    environ = {
        "SLACK_CLIENT_ID": fake.client_id,
        "SLACK_CLIENT_SECRET": fake.client_secret,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database_url,
        "SLACK_API_URL": fake.base_url,
        "SLACK_AUTHORIZE_URL": fake.authorize_url,
        **overrides,
    }
    return load_settings(environ, env_file=None)
