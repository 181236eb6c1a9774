"""manifest.yml: valid by Slack's official schema, and in step with the code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.slack import listeners
from bot.slack.ids import COMMAND
from bot.slack.subcommands import SUBCOMMANDS

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "manifest.yml"
# Slack's manifest-schema (slackapi/manifest-schema), vendored; ../shared/slack has the original.
SCHEMA = Path(__file__).with_name("manifest.schema.1.0.0.json")


def _regex(validator, pattern, instance, schema):
    # The official schema spells some patterns "regex", which JSON Schema ignores; Slack doesn't.
    if isinstance(instance, str) and not re.search(pattern, instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


Validator = jsonschema.validators.extend(jsonschema.Draft7Validator, {"regex": _regex})


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text())


class RecordingApp:
    """Stands in for Bolt's App to learn what listeners.register() subscribes to."""

    def __init__(self):
        self.registered: dict[str, set[str]] = {}

    def __getattr__(self, kind: str):
        def register(name, *args, **kwargs):
            self.registered.setdefault(kind, set()).add(name)
            return lambda handler=None, *, ack=None, lazy=(): handler or ack

        return register


@pytest.fixture(scope="module")
def registered() -> dict[str, set[str]]:
    app = RecordingApp()
    listeners.register(app, services=None)
    return app.registered


def test_manifest_validates_against_slacks_schema(manifest):
    errors = sorted(Validator(json.loads(SCHEMA.read_text())).iter_errors(manifest), key=str)
    assert [e.message for e in errors] == []


def test_the_schema_check_catches_a_broken_manifest(manifest):
    broken = {**manifest, "display_information": {"name": "x" * 36, "background_color": "red"}}
    messages = [e.message for e in Validator(json.loads(SCHEMA.read_text())).iter_errors(broken)]
    assert any("too long" in m for m in messages)
    assert any("does not match" in m for m in messages)


def test_vendored_schema_is_slacks_copy():
    shared = ROOT.parent / "shared" / "slack" / SCHEMA.name
    if not shared.exists():
        pytest.skip("no ../shared/slack beside this checkout")
    assert json.loads(shared.read_text()) == json.loads(SCHEMA.read_text())


def test_commands_declared_are_the_commands_registered(manifest, registered):
    declared = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert declared == registered["command"] == {COMMAND}


def test_events_declared_are_the_events_registered(manifest, registered):
    declared = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert declared == registered["event"]


def test_interactivity_is_on_because_the_code_has_actions(manifest, registered):
    assert registered.get("action") or registered.get("view")
    assert manifest["settings"]["interactivity"]["is_enabled"] is True


def test_usage_hint_names_every_subcommand(manifest):
    hint = manifest["features"]["slash_commands"][0]["usage_hint"]
    for sub in SUBCOMMANDS:
        assert sub.name in hint


def test_app_home_has_home_and_messages_tabs(manifest):
    home = manifest["features"]["app_home"]
    assert home["home_tab_enabled"] and home["messages_tab_enabled"]


def test_every_scope_says_why_it_is_there():
    lines = MANIFEST.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "bot:")
    for i in range(start + 1, len(lines)):
        line = lines[i].strip()
        if not line.startswith("- "):
            if line.startswith("#"):
                continue
            break
        assert lines[i - 1].strip().startswith("#"), f"scope {line} has no comment saying why"


def test_scopes_are_the_narrow_set(manifest):
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert scopes == {
        "commands",
        "chat:write",
        "im:write",
        "users:read",
        "users:read.email",
        "channels:read",
        "groups:read",
        "files:write",
    }
    # Never broader than needed: no reading of message history, no posting uninvited.
    assert not scopes & {"chat:write.public", "channels:history", "im:history"}


# -- the hosted app (manifest.yml) and the one-workspace Socket Mode app ------------------

SOCKET_MODE = ROOT / "manifest.socket-mode.yml"


@pytest.fixture(scope="module")
def socket_mode_manifest() -> dict:
    return yaml.safe_load(SOCKET_MODE.read_text())


def test_the_socket_mode_manifest_validates_against_slacks_schema(socket_mode_manifest):
    schema = json.loads(SCHEMA.read_text())
    assert [e.message for e in Validator(schema).iter_errors(socket_mode_manifest)] == []


def test_both_manifests_declare_the_same_app(manifest, socket_mode_manifest):
    def surface(m: dict) -> tuple:
        command = {k: v for k, v in m["features"]["slash_commands"][0].items() if k != "url"}
        return (
            m["display_information"],
            m["features"]["app_home"],
            command,
            m["oauth_config"]["scopes"],
            m["settings"]["event_subscriptions"]["bot_events"],
        )

    assert surface(manifest) == surface(socket_mode_manifest)


def test_the_hosted_app_is_http_org_deployable_with_the_apps_redirect_url(manifest):
    from bot.slack.install import REDIRECT_PATH
    from bot.web import SLACK_PATH

    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is False and settings["org_deploy_enabled"] is True
    assert settings["token_rotation_enabled"] is True  # bot/slack/tokens.py refreshes them
    urls = [
        manifest["features"]["slash_commands"][0]["url"],
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    ]
    assert all(url.startswith("https://") and url.endswith(SLACK_PATH) for url in urls)
    [redirect] = manifest["oauth_config"]["redirect_urls"]
    assert redirect.startswith("https://") and redirect.endswith(REDIRECT_PATH)


def test_the_one_workspace_app_is_socket_mode_without_rotation(socket_mode_manifest):
    settings = socket_mode_manifest["settings"]
    assert settings["socket_mode_enabled"] is True and settings["org_deploy_enabled"] is False
    # A rotating token would die after 12 hours: SLACK_BOT_TOKEN is never refreshed.
    assert settings["token_rotation_enabled"] is False
    assert "redirect_urls" not in socket_mode_manifest["oauth_config"]


def test_add_to_slack_asks_for_the_manifests_scopes(manifest):
    from bot.pages import BOT_SCOPES

    assert list(BOT_SCOPES) == manifest["oauth_config"]["scopes"]["bot"]
