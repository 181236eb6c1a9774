"""The one validated settings object, built once at the entry point.

Nothing below the entry point reads ``os.environ``: everything that needs a
setting gets this object (or a value from it) passed in.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

DEFAULT_DATABASE_URL = "sqlite:///voice_coach.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_SLACK_AUTHORIZE_URL = "https://slack.com/oauth/v2/authorize"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line for a person."""


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str
    slack_signing_secret: str
    slack_app_token: str | None
    database_url: str
    slack_api_url: str
    port: int
    log_level: str
    web_concurrency: int
    slack_messages_per_minute: int = 600
    # Processes of each gunicorn worker that do the work after Slack's acknowledgement
    # (bot.slack.handover). 0: the worker does it on its listener threads.
    listener_processes: int = 0
    # Where gunicorn's workers keep their metrics (bot.observability.multiproc).
    metrics_dir: str | None = None
    # Fernet keys that seal secrets at rest (calendar links, workspace tokens), newest
    # first: the first seals, every one opens (key rotation). None: no SECRET_KEY.
    secret_key: tuple[str, ...] | None = None
    # Tests only: calendar links may then be fetched over http and from 127.0.0.0/8.
    calendar_allow_loopback: bool = False
    # Many workspaces (OAuth v2): the app's client credentials, instead of a bot token.
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_authorize_url: str = DEFAULT_SLACK_AUTHORIZE_URL
    # Challenge difficulties learned from all workspaces together, not each its own
    # (bot.domain.difficulty): only numbers per challenge cross, never a person.
    pool_across_workspaces: bool = False
    # Benchmarks and demos only: the app's clock reads clock_start at the real Unix time
    # clock_anchor and runs clock_speed times faster (bot.clock.ScaledClock). None: real time.
    clock_start: datetime | None = None
    clock_speed: float = 1.0
    clock_anchor: float | None = None

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    @property
    def many_workspaces(self) -> bool:
        """The one place the mode is decided: installed by "Add to Slack" into any number
        of workspaces (client credentials), or one workspace with SLACK_BOT_TOKEN."""
        return self.slack_client_id is not None

    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in a log line."""
        found = [
            self.slack_bot_token,
            self.slack_signing_secret,
            self.slack_app_token,
            self.slack_client_secret,
        ]
        password = urlsplit(self.database_url).password
        return tuple(s for s in [*found, password, *(self.secret_key or ())] if s)

    def redacted_database_url(self) -> str:
        parts = urlsplit(self.database_url)
        if not parts.password:
            return self.database_url
        return self.database_url.replace(f":{parts.password}@", ":***@", 1)


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    env_file: str | Path | None = ".env",
    require_slack: bool = True,
) -> Settings:
    """Read the environment (over ``.env``) and validate every value.

    ``require_slack=False`` is for commands such as ``db upgrade`` that need only
    the database.
    """
    values: dict[str, str] = {}
    if env_file and Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    get = _Reader(values)

    app_token = get.optional("SLACK_APP_TOKEN")
    if app_token is not None and not app_token.startswith("xapp-"):
        raise SettingsError(
            "SLACK_APP_TOKEN must be an app-level token starting with 'xapp-' "
            "(Basic Information → App-Level Tokens, scope connections:write), or unset it "
            "to serve HTTP."
        )
    client_id, client_secret = get.optional("SLACK_CLIENT_ID"), get.optional("SLACK_CLIENT_SECRET")
    secret_key = _secret_key(get.optional("SECRET_KEY"))
    if require_slack and (client_id or client_secret):
        bot_token, secret = _many_workspaces(get, client_id, client_secret, app_token, secret_key)
    elif require_slack:
        bot_token = get.required(
            "SLACK_BOT_TOKEN",
            "copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions into .env "
            "(or try it without Slack: python -m bot try)",
        )
        if not bot_token.startswith("xoxb-"):
            raise SettingsError(
                "SLACK_BOT_TOKEN must be a bot token starting with 'xoxb-' "
                "(OAuth & Permissions → Bot User OAuth Token)."
            )
        # Socket Mode requests are not signed, so the secret is only needed for HTTP.
        secret = get.optional("SLACK_SIGNING_SECRET")
        if secret is None and app_token is None:
            raise SettingsError(
                "SLACK_SIGNING_SECRET is not set: copy the Signing Secret from "
                "Basic Information → App Credentials into .env."
            )
    else:
        bot_token = get.optional("SLACK_BOT_TOKEN") or ""
        secret = get.optional("SLACK_SIGNING_SECRET")

    return Settings(
        slack_bot_token=bot_token,
        slack_signing_secret=secret or "",
        slack_app_token=app_token,
        database_url=_database_url(get.optional("DATABASE_URL") or DEFAULT_DATABASE_URL),
        slack_api_url=_slack_api_url(get.optional("SLACK_API_URL") or DEFAULT_SLACK_API_URL),
        port=get.integer("PORT", default=3000, low=1, high=65535, example="3000"),
        log_level=_log_level(get.optional("LOG_LEVEL") or "INFO"),
        web_concurrency=get.integer("WEB_CONCURRENCY", default=1, low=1, high=64, example="2"),
        listener_processes=get.integer(
            "LISTENER_PROCESSES", default=1, low=0, high=16, example="1"
        ),
        slack_messages_per_minute=get.integer(
            "SLACK_MESSAGES_PER_MINUTE", default=600, low=1, high=1_000_000, example="600"
        ),
        metrics_dir=get.optional("PROMETHEUS_MULTIPROC_DIR"),
        secret_key=secret_key,
        calendar_allow_loopback=_calendar_allow_loopback(get.optional("CALENDAR_ALLOW_LOOPBACK")),
        pool_across_workspaces=_flag(
            "POOL_ACROSS_WORKSPACES",
            get.optional("POOL_ACROSS_WORKSPACES"),
            "challenge difficulties are then learned from all workspaces together",
        ),
        slack_client_id=client_id if require_slack else None,
        slack_client_secret=client_secret if require_slack else None,
        slack_authorize_url=_http_url(
            "SLACK_AUTHORIZE_URL",
            get.optional("SLACK_AUTHORIZE_URL") or DEFAULT_SLACK_AUTHORIZE_URL,
            DEFAULT_SLACK_AUTHORIZE_URL,
        ),
        **_scaled_clock(get),
    )


def _many_workspaces(
    get: _Reader,
    client_id: str | None,
    client_secret: str | None,
    app_token: str | None,
    secret_key: tuple[str, ...] | None,
) -> tuple[str, str]:
    """Client credentials: installed by "Add to Slack" into any number of workspaces.
    Returns (bot token, signing secret); every conflict is refused in one line."""
    if get.optional("SLACK_BOT_TOKEN") is not None:
        raise SettingsError(
            "SLACK_BOT_TOKEN and SLACK_CLIENT_ID/SLACK_CLIENT_SECRET are both set: keep "
            "SLACK_BOT_TOKEN for one workspace, or the client credentials for any number "
            "of workspaces, and unset the other."
        )
    if app_token is not None:
        raise SettingsError(
            "SLACK_APP_TOKEN is set with SLACK_CLIENT_ID/SLACK_CLIENT_SECRET: Socket Mode "
            "serves one workspace only; unset SLACK_APP_TOKEN to serve HTTP for many, or "
            "use SLACK_BOT_TOKEN instead of the client credentials."
        )
    for name, value in (("SLACK_CLIENT_ID", client_id), ("SLACK_CLIENT_SECRET", client_secret)):
        if value is None:
            raise SettingsError(
                f"{name} is not set: with many workspaces copy both the Client ID and the "
                "Client Secret from Basic Information → App Credentials into .env."
            )
    secret = get.required(
        "SLACK_SIGNING_SECRET",
        "copy the Signing Secret from Basic Information → App Credentials into .env",
    )
    if secret_key is None:
        raise SettingsError(
            "SECRET_KEY is not set: with many workspaces it encrypts their tokens at rest; "
            f"generate one with `{GENERATE_SECRET_KEY}`."
        )
    return "", secret


class _Reader:
    def __init__(self, values: Mapping[str, str]):
        self._values = values

    def optional(self, name: str) -> str | None:
        value = self._values.get(name, "").strip()
        return value or None

    def required(self, name: str, how: str) -> str:
        value = self.optional(name)
        if value is None:
            raise SettingsError(f"{name} is not set: {how}.")
        return value

    def integer(self, name: str, *, default: int, low: int, high: int, example: str) -> int:
        raw = self.optional(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise SettingsError(
                f"{name} must be a whole number from {low} to {high} (e.g. {name}={example}); "
                f"got {raw!r}."
            )
        return value


def _database_url(url: str) -> str:
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    # Heroku still hands out postgres://; SQLAlchemy wants an explicit driver.
    if scheme in ("postgres", "postgresql", "postgresql+psycopg"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if scheme == "sqlite" and url.startswith("sqlite:///"):
        return url
    raise SettingsError(
        "DATABASE_URL must be sqlite:///path/to/file.db or "
        "postgresql://user:password@host:5432/dbname; "
        f"got one starting with {url[:12]!r}."
    )


def _slack_api_url(url: str) -> str:
    url = _http_url("SLACK_API_URL", url, DEFAULT_SLACK_API_URL)
    return url if url.endswith("/") else url + "/"


def _http_url(name: str, url: str, example: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(
            f"{name} must be an http(s) URL such as {example} "
            f"(or unset it to use Slack's own); got {url!r}."
        )
    return url


def _log_level(level: str) -> str:
    level = level.upper()
    if level not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}; got {level!r}.")
    return level


GENERATE_SECRET_KEY = (
    "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
)
_FERNET_KEY = re.compile(r"[A-Za-z0-9_-]{43}=")
# A generated key is 32 random bytes, about 30 of them distinct; fewer than 16 means
# it was typed or built by hand (all zeros, a repeated word), not generated.
_MIN_DISTINCT_BYTES = 16


def _secret_key(raw: str | None) -> tuple[str, ...] | None:
    """Comma-separated Fernet keys, newest first. Never echoes a key in its error."""
    if raw is None:
        return None
    keys = tuple(key.strip() for key in raw.split(","))
    for number, key in enumerate(keys, start=1):
        which = "it" if len(keys) == 1 else f"key {number} of {len(keys)}"
        problem = _fernet_key_problem(key)
        if problem:
            raise SettingsError(
                f"SECRET_KEY: {which} {problem}; generate one with `{GENERATE_SECRET_KEY}` "
                "(several keys: comma-separated, newest first)."
            )
    return keys


def _fernet_key_problem(key: str) -> str | None:
    if not key:
        return "is empty"
    if not _FERNET_KEY.fullmatch(key):
        return "is not a Fernet key (44 url-safe base64 characters ending in '=')"
    # 43 base64 characters and '=' always decode, to the 32 bytes Fernet wants.
    if len(set(base64.urlsafe_b64decode(key))) < _MIN_DISTINCT_BYTES:
        return "is too weak (not 32 random bytes)"
    return None


def _calendar_allow_loopback(raw: str | None) -> bool:
    value = (raw or "").lower()
    if value in ("", "0", "false"):
        return False
    if value in ("1", "true"):
        return True
    raise SettingsError(
        "CALENDAR_ALLOW_LOOPBACK must be 1 or true (tests only: calendar links may then be "
        f"fetched over http and from 127.0.0.0/8), or unset; got {raw!r}."
    )


def _flag(name: str, raw: str | None, meaning: str) -> bool:
    value = (raw or "").lower()
    if value in ("", "0", "false"):
        return False
    if value in ("1", "true"):
        return True
    raise SettingsError(f"{name} must be 1 or true ({meaning}), or unset; got {raw!r}.")


# A scaled clock runs at most this many times faster than real time.
MAX_CLOCK_SPEED = 1000.0


def _scaled_clock(get: _Reader) -> dict:
    """CLOCK_START (an ISO 8601 instant with its UTC offset), CLOCK_SPEED (how many times
    faster than real time, default 1) and CLOCK_ANCHOR (the real Unix time at which the
    clock reads CLOCK_START; default: now). For benchmarks and demos only; processes
    that must agree on the time are given the same three."""
    start, speed, anchor = (get.optional(n) for n in ("CLOCK_START", "CLOCK_SPEED", "CLOCK_ANCHOR"))
    if start is None:
        if speed is not None or anchor is not None:
            raise SettingsError(
                "CLOCK_SPEED and CLOCK_ANCHOR need CLOCK_START (benchmarks and demos only); "
                "unset them to run on real time."
            )
        return {}
    try:
        at = datetime.fromisoformat(start)
    except ValueError:
        at = None
    if at is None or at.utcoffset() is None:
        raise SettingsError(
            "CLOCK_START must be an instant with its UTC offset, e.g. "
            f"CLOCK_START=2026-03-02T13:00:00+00:00 (benchmarks and demos only); got {start!r}."
        )
    return {
        "clock_start": at,
        "clock_speed": _number("CLOCK_SPEED", speed or "1", low=0.001, high=MAX_CLOCK_SPEED),
        "clock_anchor": _number("CLOCK_ANCHOR", anchor, low=0, high=1e11)
        if anchor is not None
        else time.time(),
    }


def _number(name: str, raw: str, *, low: float, high: float) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:  # NaN fails too
        raise SettingsError(f"{name} must be a number from {low:g} to {high:g}; got {raw!r}.")
    return value


def log_level_number(settings: Settings) -> int:
    return logging.getLevelNamesMapping()[settings.log_level]
