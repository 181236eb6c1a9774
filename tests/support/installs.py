"""A browser's walk through "Add to Slack": the app's install link, Slack's authorize page
(the fake's), and back to the app's redirect URL, with the state cookie carried by hand
(it is ``Secure``, so a client on plain http would drop it)."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa

from bot.pages import BOT_SCOPES
from bot.playground.fakeslack.slack_requests import SlackRequests
from bot.settings import Settings, load_settings
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, TEAM_ID
from tests.fakes.slack_oauth import FakeSlackWorkspaces

SECRET_KEY = "kTeUt3jYLKmTX6QLc0E8mpwnBE9mrHl9lCkj0CfYTZ4="
# Two plain workspaces, and two workspaces of an Enterprise Grid org.
ALPHA, BETA, GRID, GRID_A, GRID_B = "T0ALPHA", "T0BETA", "E0GRID", "T0GRIDA", "T0GRIDB"
PEOPLE = {ALPHA: "U0ANNA", BETA: "U0BEN", GRID_A: "W0CARA", GRID_B: "W0DAN"}
# The scopes the Slack app's config grants (manifest.yml's; test_manifest holds them equal).
SCOPES = set(BOT_SCOPES)


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


def workspaces_fake() -> FakeSlackWorkspaces:
    """The offline Slack with the four workspaces and a person in each."""
    fake = FakeSlackWorkspaces(bot_token=BOT_TOKEN, team_id=TEAM_ID)
    fake.start()
    fake.scopes = set(SCOPES)
    fake.add_team(ALPHA, "Alpha")
    fake.add_team(BETA, "Beta")
    fake.add_team(GRID_A, "Grid A", enterprise_id=GRID)
    fake.add_team(GRID_B, "Grid B", enterprise_id=GRID)
    for team, user in PEOPLE.items():
        fake.add_member(user, team, tz="Europe/Berlin")
    return fake


def slack_of(app, fake, team: str) -> SlackRequests:
    """Signed requests from a workspace (of the org, installed org-wide, for GRID_*)."""
    org = team in (GRID_A, GRID_B)
    return SlackRequests(
        app.url,
        SIGNING_SECRET,
        fake,
        team,
        enterprise_id=GRID if org else None,
        is_enterprise_install=org,
    )


def rows(db, table) -> list[dict]:
    with db.engine.connect() as c:
        return [dict(r) for r in c.execute(sa.select(table)).mappings()]


def raw_rows(db, table) -> list[dict]:
    """What a database dump holds: the columns as stored, nothing opened."""
    with db.engine.connect() as c:
        return [dict(r) for r in c.execute(sa.text(f"SELECT * FROM {table.name}")).mappings()]


def install_all(app, fake) -> None:
    """ALPHA and BETA, and the GRID org org-wide, through the real flow."""
    for page in (
        install(app.url, fake, ALPHA),
        install(app.url, fake, BETA),
        install(app.url, fake, enterprise_id=GRID),
    ):
        assert page.status == 200, page.text
        assert "/voice" in page.text and "all set" in page.text
