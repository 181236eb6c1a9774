"""Settings: every variable validated, one clear line per problem."""

from __future__ import annotations

import logging

import pytest

from bot.settings import DEFAULT_DATABASE_URL, SettingsError, load_settings

GOOD = {"SLACK_BOT_TOKEN": "xoxb-1-2-abc", "SLACK_SIGNING_SECRET": "s3cr3t-value"}


def load(env_file=None, **env):
    return load_settings({**GOOD, **env}, env_file=env_file)


def test_defaults():
    s = load()
    assert s.database_url == DEFAULT_DATABASE_URL
    assert s.slack_api_url == "https://slack.com/api/"
    assert (s.port, s.log_level, s.web_concurrency) == (3000, "INFO", 1)
    assert s.listener_processes == 1  # the work after each ack leaves the worker
    assert not s.socket_mode


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"SLACK_BOT_TOKEN": ""}, "SLACK_BOT_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token"}, "SLACK_BOT_TOKEN must be a bot token"),
        ({"SLACK_SIGNING_SECRET": " "}, "SLACK_SIGNING_SECRET is not set"),
        ({"SLACK_APP_TOKEN": "xoxb-wrong"}, "SLACK_APP_TOKEN must be an app-level token"),
        ({"PORT": "eighty"}, "PORT must be a whole number from 1 to 65535"),
        ({"PORT": "70000"}, "PORT must be a whole number"),
        ({"WEB_CONCURRENCY": "0"}, "WEB_CONCURRENCY must be a whole number"),
        ({"LISTENER_PROCESSES": "-1"}, "LISTENER_PROCESSES must be a whole number from 0 to 16"),
        ({"LISTENER_PROCESSES": "many"}, "LISTENER_PROCESSES must be a whole number"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL must be one of DEBUG"),
        ({"DATABASE_URL": "mysql://u@h/db"}, "DATABASE_URL must be sqlite:///"),
        ({"SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL must be an http(s) URL"),
    ],
)
def test_a_bad_value_names_the_variable_in_one_line(env, names):
    with pytest.raises(SettingsError) as caught:
        load(**env)
    message = str(caught.value)
    assert names in message
    assert "\n" not in message


def test_socket_mode_needs_no_signing_secret():
    s = load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}, env_file=None)
    assert s.socket_mode and s.slack_signing_secret == ""


def test_database_urls_get_the_psycopg_driver():
    for given in ("postgres://u:p@h/db", "postgresql://u:p@h/db"):
        assert load(DATABASE_URL=given).database_url == "postgresql+psycopg://u:p@h/db"


def test_env_file_is_read_and_the_environment_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("SLACK_BOT_TOKEN=xoxb-from-file\nPORT=4000\nLOG_LEVEL=debug\n")
    s = load_settings({"SLACK_SIGNING_SECRET": "x", "PORT": "5000"}, env_file=env_file)
    assert (s.slack_bot_token, s.port, s.log_level) == ("xoxb-from-file", 5000, "DEBUG")


def test_secrets_and_redacted_url():
    s = load(DATABASE_URL="postgresql://voice:hunter22@db:5432/voice")
    assert "hunter22" in s.secrets()
    assert "hunter22" not in s.redacted_database_url()
    assert s.redacted_database_url() == "postgresql+psycopg://voice:***@db:5432/voice"


def test_database_only_commands_need_no_slack_tokens():
    s = load_settings({}, env_file=None, require_slack=False)
    assert s.database_url == DEFAULT_DATABASE_URL


# -- SECRET_KEY and CALENDAR_ALLOW_LOOPBACK ------------------------------------------

KEY_NEW = "kTeUt3jYLKmTX6QLc0E8mpwnBE9mrHl9lCkj0CfYTZ4="
KEY_OLD = "3Dg0yRvBfVL6ww1mzYoQzt2qjSxZ0Lb0Npu7HF3ipyU="


def test_without_a_secret_key_the_app_still_starts():
    assert load().secret_key is None
    assert load(SECRET_KEY="  ").secret_key is None


def test_one_secret_key():
    assert load(SECRET_KEY=KEY_NEW).secret_key == (KEY_NEW,)


def test_several_secret_keys_newest_first():
    s = load(SECRET_KEY=f" {KEY_NEW} , {KEY_OLD}")
    assert s.secret_key == (KEY_NEW, KEY_OLD)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("changeme", "it is not a Fernet key"),
        ("A" * 43 + "=", "it is too weak"),  # 32 zero bytes: valid Fernet, not random
        (KEY_NEW[:-1], "it is not a Fernet key"),  # 43 characters
        (KEY_NEW.replace("=", ""), "it is not a Fernet key"),
        (KEY_NEW[:-2] + "+=", "it is not a Fernet key"),  # standard, not url-safe, base64
        (f"{KEY_NEW},changeme", "key 2 of 2 is not a Fernet key"),
        (f"{KEY_NEW},", "key 2 of 2 is empty"),
    ],
)
def test_a_malformed_or_weak_secret_key_stops_with_one_line(value, problem):
    with pytest.raises(SettingsError) as caught:
        load(SECRET_KEY=value)
    message = str(caught.value)
    assert message.startswith("SECRET_KEY: ")
    assert problem in message
    assert "python -c 'from cryptography.fernet import Fernet; " in message
    assert "\n" not in message
    # The value is never repeated back (it may be a real key with a typo).
    assert value not in message and KEY_NEW not in message


def test_every_secret_key_is_a_secret():
    s = load(SECRET_KEY=f"{KEY_NEW},{KEY_OLD}")
    assert {KEY_NEW, KEY_OLD} <= set(s.secrets())


@pytest.mark.parametrize(
    ("value", "allowed"),
    [
        ("", False),
        ("0", False),
        ("false", False),
        ("FALSE", False),
        ("1", True),
        ("true", True),
        ("True", True),
    ],
)
def test_calendar_allow_loopback(value, allowed):
    assert load(CALENDAR_ALLOW_LOOPBACK=value).calendar_allow_loopback is allowed


def test_calendar_allow_loopback_is_off_by_default():
    assert load().calendar_allow_loopback is False


@pytest.mark.parametrize("value", ["yes", "on", "2", "127.0.0.1"])
def test_calendar_allow_loopback_refuses_anything_else_in_one_line(value):
    with pytest.raises(SettingsError) as caught:
        load(CALENDAR_ALLOW_LOOPBACK=value)
    message = str(caught.value)
    assert message.startswith("CALENDAR_ALLOW_LOOPBACK must be 1 or true")
    assert repr(value) in message and "\n" not in message


@pytest.mark.parametrize("allowed", [False, True])
def test_start_up_warns_once_when_calendar_loopback_is_allowed(
    allowed, fake_slack, database_url, caplog
):
    from bot.bootstrap import build
    from tests.conftest import make_settings

    env = {"CALENDAR_ALLOW_LOOPBACK": "1"} if allowed else {}
    with caplog.at_level(logging.INFO):
        container = build(make_settings(fake_slack, database_url, **env))
    container.db.engine.dispose()
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    if allowed:
        assert len(warnings) == 1
        assert "http" in warnings[0] and "127.0.0.0/8" in warnings[0]
        assert "unsafe outside tests" in warnings[0]
    else:
        assert warnings == []


# -- one workspace or many ---------------------------------------------------------------

MANY = {
    "SLACK_CLIENT_ID": "1111.2222",
    "SLACK_CLIENT_SECRET": "client-secret-value",
    "SLACK_SIGNING_SECRET": "s3cr3t-value",
    "SECRET_KEY": KEY_NEW,
}


def test_one_workspace_is_the_bot_token():
    s = load()
    assert not s.many_workspaces
    assert s.slack_authorize_url == "https://slack.com/oauth/v2/authorize"


def test_many_workspaces_are_the_client_credentials():
    s = load_settings({**MANY, "SLACK_AUTHORIZE_URL": "http://127.0.0.1:9/oauth"}, env_file=None)
    assert s.many_workspaces and not s.socket_mode
    assert (s.slack_client_id, s.slack_bot_token) == ("1111.2222", "")
    assert s.slack_authorize_url == "http://127.0.0.1:9/oauth"
    assert "client-secret-value" in s.secrets()


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-1-2-abc"}, "SLACK_BOT_TOKEN and SLACK_CLIENT_ID/SLACK_CLIENT"),
        ({"SLACK_APP_TOKEN": "xapp-1"}, "Socket Mode serves one workspace only"),
        ({"SLACK_CLIENT_SECRET": ""}, "SLACK_CLIENT_SECRET is not set"),
        ({"SLACK_CLIENT_ID": ""}, "SLACK_CLIENT_ID is not set"),
        ({"SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET is not set"),
        ({"SECRET_KEY": ""}, "SECRET_KEY is not set: with many workspaces"),
        ({"SECRET_KEY": "A" * 43 + "="}, "SECRET_KEY: it is too weak"),
        ({"SLACK_AUTHORIZE_URL": "slack.com"}, "SLACK_AUTHORIZE_URL must be an http(s) URL"),
    ],
)
def test_a_muddled_mode_stops_with_one_line_saying_what_to_set(env, says):
    with pytest.raises(SettingsError) as caught:
        load_settings({**MANY, **env}, env_file=None)
    message = str(caught.value)
    assert says in message and "\n" not in message
    assert "client-secret-value" not in message and KEY_NEW not in message


def test_a_bot_token_with_only_a_client_id_is_refused_too():
    with pytest.raises(SettingsError, match="both set"):
        load(SLACK_CLIENT_ID="1111.2222")


def test_one_workspace_refuses_bolts_client_credentials_trap(
    fake_slack, database_url, monkeypatch, tmp_path
):
    """Bolt switches App(token=...) to OAuth with file stores when SLACK_CLIENT_ID and
    SLACK_CLIENT_SECRET are in the process's environment: the app refuses to start so."""
    from bot.bootstrap import StartupError, build
    from tests.conftest import make_settings

    settings = make_settings(fake_slack, database_url)
    monkeypatch.setenv("SLACK_CLIENT_ID", "1111.2222")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "client-secret-value")
    monkeypatch.setenv("HOME", str(tmp_path))  # where Bolt's file stores would go
    with pytest.raises(StartupError, match="unset them for one workspace"):
        build(settings)


def test_pooling_across_workspaces_is_off_unless_the_operator_turns_it_on():
    from bot.settings import SettingsError, load_settings

    base = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    assert load_settings(base, env_file=None).pool_across_workspaces is False
    on = load_settings({**base, "POOL_ACROSS_WORKSPACES": "1"}, env_file=None)
    assert on.pool_across_workspaces is True
    import pytest

    with pytest.raises(SettingsError, match="POOL_ACROSS_WORKSPACES must be 1 or true"):
        load_settings({**base, "POOL_ACROSS_WORKSPACES": "yes"}, env_file=None)


# -- the scaled clock (benchmarks and demos) ---------------------------------------------------


def test_real_time_unless_a_clock_start_is_set():
    s = load()
    assert (s.clock_start, s.clock_speed, s.clock_anchor) == (None, 1.0, None)


def test_a_scaled_clock_is_read_from_its_three_variables():
    from datetime import UTC, datetime

    s = load(CLOCK_START="2026-03-02T08:00:00-05:00", CLOCK_SPEED="60", CLOCK_ANCHOR="1760000000.5")
    assert s.clock_start == datetime(2026, 3, 2, 13, 0, tzinfo=UTC)
    assert (s.clock_speed, s.clock_anchor) == (60.0, 1760000000.5)


def test_a_scaled_clock_without_an_anchor_starts_now():
    import time

    before = time.time()
    s = load(CLOCK_START="2026-03-02T13:00:00Z")
    assert s.clock_speed == 1.0
    assert before <= s.clock_anchor <= time.time()


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"CLOCK_START": "tomorrow"}, "CLOCK_START must be an instant with its UTC offset"),
        ({"CLOCK_START": "2026-03-02T13:00:00"}, "CLOCK_START must be an instant with its UTC"),
        ({"CLOCK_START": "2026-03-02T13:00Z", "CLOCK_SPEED": "fast"}, "CLOCK_SPEED must be a"),
        ({"CLOCK_START": "2026-03-02T13:00Z", "CLOCK_SPEED": "0"}, "CLOCK_SPEED must be a"),
        ({"CLOCK_START": "2026-03-02T13:00Z", "CLOCK_SPEED": "nan"}, "CLOCK_SPEED must be a"),
        ({"CLOCK_START": "2026-03-02T13:00Z", "CLOCK_SPEED": "5000"}, "CLOCK_SPEED must be a"),
        ({"CLOCK_START": "2026-03-02T13:00Z", "CLOCK_ANCHOR": "noon"}, "CLOCK_ANCHOR must be a"),
        ({"CLOCK_SPEED": "60"}, "CLOCK_SPEED and CLOCK_ANCHOR need CLOCK_START"),
        ({"CLOCK_ANCHOR": "1760000000"}, "CLOCK_SPEED and CLOCK_ANCHOR need CLOCK_START"),
    ],
)
def test_a_malformed_clock_is_refused_in_one_line(env, names):
    with pytest.raises(SettingsError) as caught:
        load(**env)
    assert names in str(caught.value)
    assert "\n" not in str(caught.value)
