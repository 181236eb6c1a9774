"""Slack's side of "Add to Slack" (OAuth v2) and of many workspaces, for offline tests.

`FakeSlackWorkspaces` is the `FakeSlack` Web API plus:

- Slack's authorize page, `GET /oauth/v2/authorize`: it checks the client id and the
  scopes, then does what the test chose (`will_install`, `will_deny`): it redirects the
  browser to the app's redirect URL with a `code` and the `state`, or with
  `error=access_denied`. A code is good once, for 10 minutes, and only for this app.
- `oauth.v2.access`, with the client id and secret by HTTP Basic as slack_sdk sends them:
  `code` gives a workspace's, an enterprise workspace's or an org-wide install's answer,
  with a refresh token and `expires_in` when token rotation is on;
  `grant_type=refresh_token` exchanges a refresh token, once, for a new pair.
- every other call checked against the token it carries, as Slack does: unknown tokens are
  `invalid_auth`, revoked ones `token_revoked`, those of an uninstalled app
  `account_inactive`, expired ones `token_expired`; and a call that names a user (or her
  DM) outside the token's workspace (for an org-wide install: outside its org) is
  `invalid_auth` too. `auth.test` answers for the token's own installation.

Each authorized call is recorded with the installation it was made for (`calls_for`),
so tests can see that every reply used its own workspace's token.
"""

from __future__ import annotations

import base64
import copy
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from bot.playground.fakeslack.web_api import FakeSlack, SlackError, _Handler, _Reply, _Server

CODE_SECONDS = 600
# Slack's rotating bot tokens live 12 hours.
TOKEN_SECONDS = 12 * 3600


@dataclass
class Install:
    """The app installed in a workspace, or org-wide in an enterprise."""

    key: str  # the team id, or an org-wide install's enterprise id
    team_id: str | None
    enterprise_id: str | None
    org_wide: bool
    bot_user_id: str
    bot_id: str
    scopes: str
    installer: str
    # access token -> when it expires (time.time()), None: never
    tokens: dict[str, float | None] = field(default_factory=dict)
    refresh_token: str | None = None
    gone: str | None = None  # "token_revoked" or "account_inactive" (uninstalled)

    def live_token(self) -> str:
        return list(self.tokens)[-1]


@dataclass
class _Choice:
    team_id: str | None
    enterprise_id: str | None
    org_wide: bool
    installer: str
    deny: bool = False


class _PageHandler(_Handler):
    def _route(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/oauth/v2/authorize":
            self._send(self.server.fake._authorize_page(url.query))
        else:
            super()._route()

    do_GET = do_POST = _route


class FakeSlackWorkspaces(FakeSlack):
    """See the module docstring. The constructor's own workspace (``team_id`` and
    ``bot_token``) still works as in `FakeSlack`."""

    def __init__(
        self,
        *args: Any,
        client_id: str = "1111.2222",
        client_secret: str = "fake-client-secret-0042",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.client_id, self.client_secret = client_id, client_secret
        self.redirect_url: str | None = None  # the app config's redirect URL
        self.scopes: set[str] | None = None  # the app config's bot scopes, if checked
        self.rotation = False  # token rotation on in the app config
        self.token_seconds = TOKEN_SECONDS
        self.teams: dict[str, dict] = {}  # team id -> {"name", "enterprise_id"}
        self.enterprises: dict[str, str] = {}  # enterprise id -> name
        self.installs: dict[str, Install] = {}
        self.refreshes: list[str] = []  # the installation key of each refresh made
        self.refused_refreshes: list[str] = []
        self._by_token: dict[str, Install] = {}
        self._refresh_tokens: dict[str, Install] = {}
        self._used_refresh_tokens: set[str] = set()
        self._codes: dict[str, tuple[_Choice, float, str | None]] = {}
        self._choices: list[_Choice] = []
        self._authorized: list[tuple[str, str, dict]] = []  # (method, install key, args)
        self._caller = threading.local()

    def start(self) -> FakeSlackWorkspaces:
        self._server = _Server(("127.0.0.1", 0), _PageHandler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    @property
    def authorize_url(self) -> str:
        """What SLACK_AUTHORIZE_URL points at."""
        return f"{self.url}/oauth/v2/authorize"

    # -- set-up ---------------------------------------------------------------------------

    def add_team(self, team_id: str, name: str, enterprise_id: str | None = None) -> None:
        """A workspace (of an Enterprise Grid org, when ``enterprise_id`` is given)."""
        with self._lock:
            self.teams[team_id] = {"name": name, "enterprise_id": enterprise_id}
            if enterprise_id:
                self.enterprises.setdefault(enterprise_id, f"{name} Org")

    def add_member(self, user_id: str, team_id: str, **profile: Any) -> dict:
        """A person of ``team_id`` (a user of an org is in each of its workspaces)."""
        self.add_user(user_id, **profile)
        with self._lock:
            user = self._users[user_id]
            user["team_id"] = user["profile"]["team"] = team_id
            enterprise = self.teams.get(team_id, {}).get("enterprise_id")
            if enterprise:
                user["enterprise_user"] = {"enterprise_id": enterprise, "teams": [team_id]}
            return copy.deepcopy(user)

    def will_install(
        self,
        team_id: str | None = None,
        *,
        enterprise_id: str | None = None,
        installer: str = "U0ADMIN",
    ) -> None:
        """The next visitor of the authorize page allows the app: into ``team_id``, or,
        with only ``enterprise_id``, org-wide."""
        org_wide = team_id is None
        enterprise_id = enterprise_id or (self.teams.get(team_id or "", {}).get("enterprise_id"))
        with self._lock:
            self._choices.append(_Choice(team_id, enterprise_id, org_wide, installer))

    def will_deny(self) -> None:
        """The next visitor of the authorize page presses Cancel."""
        with self._lock:
            self._choices.append(_Choice(None, None, False, "", deny=True))

    def revoke(self, key: str) -> None:
        """The workspace (or org) revoked the app's tokens."""
        with self._lock:
            self.installs[key].gone = "token_revoked"

    def uninstall(self, key: str) -> None:
        """The workspace (or org) removed the app."""
        with self._lock:
            self.installs[key].gone = "account_inactive"

    def expire_tokens(self, key: str) -> None:
        """Make the installation's access tokens as old as their lifetime."""
        with self._lock:
            install = self.installs[key]
            for token in install.tokens:
                install.tokens[token] = time.time() - 1

    # -- inspection -----------------------------------------------------------------------

    def calls_for(self, key: str, method: str | None = None) -> list[dict]:
        """Arguments of the calls made with installation ``key``'s tokens."""
        with self._lock:
            return [
                copy.deepcopy(args)
                for m, k, args in self._authorized
                if k == key and method in (None, m)
            ]

    def install_keys_of(self, method: str) -> list[str]:
        """For each call to ``method``, the installation whose token made it."""
        with self._lock:
            return [k for m, k, _ in self._authorized if m == method]

    # -- the authorize page ---------------------------------------------------------------

    def _authorize_page(self, query: str) -> _Reply:
        args = dict(parse_qsl(query, keep_blank_values=True))
        if args.get("client_id") != self.client_id:
            return _Reply(400, "<h1>Invalid client_id parameter</h1>")
        scopes = {s for s in args.get("scope", "").split(",") if s}
        if not scopes or (self.scopes is not None and not scopes <= self.scopes):
            return _Reply(400, "<h1>Invalid permissions requested</h1>")
        redirect = args.get("redirect_uri") or self.redirect_url
        if redirect is None or (self.redirect_url and redirect != self.redirect_url):
            return _Reply(400, "<h1>redirect_uri did not match any configured URIs</h1>")
        with self._lock:
            if not self._choices:
                return _Reply(400, "<h1>The test chose no answer (will_install/will_deny)</h1>")
            choice = self._choices.pop(0)
            back = {"state": args.get("state", "")}
            if choice.deny:
                back["error"] = "access_denied"
            else:
                code = f"{self._next_number()}.{secrets.token_hex(16)}"
                self._codes[code] = (choice, time.time(), args.get("redirect_uri"))
                back["code"] = code
        return _Reply(302, "", {"Location": f"{redirect}?{urlencode(back)}"})

    # -- oauth.v2.access ------------------------------------------------------------------

    def _api_oauth_v2_access(self, args: dict) -> dict:
        if args.get("grant_type") == "refresh_token":
            return self._refresh(args.get("refresh_token", ""))
        code = args.get("code", "")
        if code not in self._codes:
            raise SlackError("invalid_code")
        choice, issued, redirect = self._codes.pop(code)  # a code is good once
        if time.time() - issued > CODE_SECONDS:
            raise SlackError("invalid_code")
        if redirect != args.get("redirect_uri"):
            raise SlackError("bad_redirect_uri")
        key = choice.enterprise_id if choice.org_wide else choice.team_id
        old = self.installs.get(key)
        install = Install(
            key=key,
            team_id=choice.team_id,
            enterprise_id=choice.enterprise_id,
            org_wide=choice.org_wide,
            bot_user_id=old.bot_user_id if old else self._next_id("UB"),
            bot_id=old.bot_id if old else self._next_id("B"),
            scopes=",".join(sorted(self.scopes or ())) or "commands,chat:write",
            installer=choice.installer,
        )
        if old is not None and old.gone is None and not self.rotation:
            install.tokens = dict(old.tokens)  # Slack keeps a non-rotating bot token
        else:
            self._issue(install)
        self.installs[key] = install
        for token in install.tokens:
            self._by_token[token] = install
        return self._token_answer(install) | {
            "authed_user": {"id": choice.installer},
        }

    def _refresh(self, refresh_token: str) -> dict:
        install = self._refresh_tokens.get(refresh_token)
        if install is None or refresh_token in self._used_refresh_tokens:
            self.refused_refreshes.append(refresh_token)
            raise SlackError("invalid_refresh_token")
        if install.gone is not None:
            raise SlackError(install.gone)
        self._used_refresh_tokens.add(refresh_token)  # single-use
        self._issue(install)
        self.refreshes.append(install.key)
        return self._token_answer(install)

    def _issue(self, install: Install) -> None:
        prefix = "xoxe.xoxb-1-" if self.rotation else "xoxb-"
        token = f"{prefix}{self._next_number()}-{secrets.token_hex(12)}"
        install.tokens[token] = time.time() + self.token_seconds if self.rotation else None
        self._by_token[token] = install
        if self.rotation:
            install.refresh_token = f"xoxe-1-{secrets.token_hex(20)}"
            self._refresh_tokens[install.refresh_token] = install

    def _token_answer(self, install: Install) -> dict:
        team = None
        if install.team_id:
            team = {"id": install.team_id, "name": self.teams[install.team_id]["name"]}
        enterprise = None
        if install.enterprise_id:
            enterprise = {
                "id": install.enterprise_id,
                "name": self.enterprises[install.enterprise_id],
            }
        token = install.live_token()
        answer = {
            "app_id": self.app_id,
            "access_token": token,
            "token_type": "bot",
            "scope": install.scopes,
            "bot_user_id": install.bot_user_id,
            "team": team,
            "enterprise": enterprise,
            "is_enterprise_install": install.org_wide,
        }
        if self.rotation:
            answer |= {
                "refresh_token": install.refresh_token,
                "expires_in": int(install.tokens[token] - time.time()),
            }
        return answer

    # -- every call checked against its token ---------------------------------------------

    def _authorize(self, method: str, args: dict, headers: dict) -> None:
        if method == "oauth.v2.access":
            self._check_client(headers)
            return
        authorization = headers.get("authorization", "")
        token = authorization.removeprefix("Bearer ").strip() or args.get("token")
        install = self._by_token.get(token or "")
        if install is None:
            self._caller.install = None
            super()._authorize(method, args, headers)
            return
        if install.gone is not None:
            raise SlackError(install.gone)
        expires = install.tokens.get(token)
        if expires is not None and time.time() >= expires:
            raise SlackError("token_expired")
        self._check_members(install, args)
        self._caller.install = install
        self._authorized.append((method, install.key, copy.deepcopy(args)))

    def _check_client(self, headers: dict) -> None:
        scheme, _, credentials = headers.get("authorization", "").partition(" ")
        if scheme != "Basic":
            raise SlackError("invalid_client_id")
        try:
            client_id, _, secret = base64.b64decode(credentials).decode().partition(":")
        except ValueError:
            raise SlackError("invalid_client_id") from None
        if client_id != self.client_id:
            raise SlackError("invalid_client_id")
        if secret != self.client_secret:
            raise SlackError("bad_client_secret")

    def _covers(self, install: Install, team_id: str | None) -> bool:
        if install.org_wide:
            return self.teams.get(team_id or "", {}).get("enterprise_id") == install.enterprise_id
        return team_id == install.team_id

    def _check_members(self, install: Install, args: dict) -> None:
        """A bot acts in its own workspace (org) only: refuse anyone of another one."""
        named = [args.get(name) for name in ("channel", "user", "user_id")]
        named += str(args.get("users") or "").split(",")
        for value in filter(None, named):
            user = self._users.get(value) or self._users.get(self._dm_user(value) or "")
            if (
                user is not None
                and not user["is_bot"]
                and not self._covers(install, user["team_id"])
            ):
                raise SlackError("invalid_auth")

    def _api_auth_test(self, args: dict) -> dict:
        install = getattr(self._caller, "install", None)
        if install is None:
            return super()._api_auth_test(args)
        team_id = install.enterprise_id if install.org_wide else install.team_id
        name = (
            self.enterprises[install.enterprise_id]
            if install.org_wide
            else self.teams[install.team_id]["name"]
        )
        answer = {
            "url": f"https://{team_id.lower()}.slack.com/",
            "team": name,
            "user": "voice-coach",
            "team_id": team_id,
            "user_id": install.bot_user_id,
            "bot_id": install.bot_id,
            "is_enterprise_install": install.org_wide,
        }
        if install.enterprise_id:
            answer["enterprise_id"] = install.enterprise_id
        return answer

    def _store_view(self, spec: dict, view_id: str, previous: dict | None = None) -> dict:
        view = super()._store_view(spec, view_id, previous)
        install = getattr(self._caller, "install", None)
        if install is not None and install.team_id:
            for stored in (view, self._views[view_id]):
                stored["team_id"] = stored["app_installed_team_id"] = install.team_id
                stored["bot_id"] = install.bot_id
        return view
