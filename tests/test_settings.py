"""Settings: every variable validated, one clear line per problem."""

from __future__ import annotations

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
