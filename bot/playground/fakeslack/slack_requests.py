"""Send signed requests, shaped like Slack's, over real HTTP to a running app.

Slash commands go form-encoded; block_actions, view_submission and view_closed as
`payload=<urlencoded JSON>`; events as JSON. Each request is signed with the app's signing
secret and the current time (`int(time.time())`, so a clock moved by time-machine signs with
the moved time). Response URLs and trigger ids come from the `FakeSlack`, when one is given.

Like Slack, it holds the app's answer to its rules: an acknowledgement later than 3 seconds,
a command reply or a view that Block Kit refuses, and field errors keyed by anything but an
input block of the submitted view fail the test (`SlackWouldRefuse`).
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bot.playground.fakeslack.blockkit import message_problems, view_submission_ack_problems
from bot.playground.fakeslack.web_api import view_object

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# Slack shows the person an error when an acknowledgement takes longer than this.
ACK_SECONDS = 3.0
MODAL = {
    "type": "modal",
    "blocks": [],
    "title": {"type": "plain_text", "text": "Voice Coach"},
    "close": {"type": "plain_text", "text": "Cancel"},
    "submit": {"type": "plain_text", "text": "Submit"},
}


class SlackWouldRefuse(AssertionError):
    """The app answered Slack in a way Slack does not accept."""


@dataclass
class AppResponse:
    """What the app answered, plus the ids the request carried."""

    status: int
    headers: Message
    text: str
    response_url: str | None = None
    trigger_id: str | None = None
    event_id: str | None = None

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.text)


class SlackRequests:
    """Builds Slack's request payloads and sends them, signed, to the app."""

    def __init__(
        self,
        app_url: str,
        signing_secret: str,
        fake: Any = None,
        team_id: str = "T0TEAM",
        path: str = "/slack/events",
        *,
        api_app_id: str = "A0APP",
        team_domain: str = "voicecoach-test",
        verification_token: str = "verification-token",
        enterprise_id: str | None = None,
        is_enterprise_install: bool = False,
    ) -> None:
        """``enterprise_id``: the workspace is part of an Enterprise Grid org;
        ``is_enterprise_install``: the app is installed org-wide there."""
        self.url = app_url.rstrip("/") + path
        self.verifier = SignatureVerifier(signing_secret)
        self.fake = fake
        self.team_id, self.team_domain, self.api_app_id = team_id, team_domain, api_app_id
        self.verification_token = verification_token
        self.enterprise_id, self.is_enterprise_install = enterprise_id, is_enterprise_install

    # -- payloads ------------------------------------------------------------------------------

    def command(
        self,
        text: str = "",
        *,
        user_id: str,
        command: str = "/voice",
        user_name: str | None = None,
        channel_id: str | None = None,
        channel_name: str | None = None,
    ) -> AppResponse:
        """A slash command; by default from the user's DM with the app."""
        response_url, trigger_id = self._response_url(), self._trigger_id()
        fields = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel_id or self._dm(user_id),
            "channel_name": channel_name or ("directmessage" if not channel_id else "general"),
            "user_id": user_id,
            "user_name": user_name or user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "true" if self.is_enterprise_install else "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
        if self.enterprise_id:
            fields |= {"enterprise_id": self.enterprise_id, "enterprise_name": "Grid Org"}
        response = self.send_raw(urlencode(fields).encode(), FORM)
        response.response_url, response.trigger_id = response_url, trigger_id
        if response.status == 200 and response.text.strip():
            self._hold_to_rules("command reply", message_problems(_json_object(response.text)))
        return response

    def block_action(
        self,
        *,
        user_id: str,
        action_id: str,
        value: str | None = None,
        block_id: str = "b",
        selected_option: dict | str | None = None,
        selected_conversation: str | None = None,
        action_type: str = "button",
        container: dict | None = None,
        message: dict | None = None,
        view: dict | None = None,
        channel_id: str | None = None,
        state_values: dict | None = None,
        fields: dict | None = None,
    ) -> AppResponse:
        """A block_actions payload from a view (when `view` is given) or else a message.

        From a message it carries `channel`, `message` (when given; without one it looks like
        an ephemeral message), `state` and a `response_url`. From a view it carries the view,
        with `state_values` as its state. `selected_option` may be just the option's value;
        `fields` go into the action as they are (e.g. `selected_date`, `selected_options`).
        """
        action: dict[str, Any] = {
            "type": action_type,
            "action_id": action_id,
            "block_id": block_id,
            "action_ts": _ts(),
        }
        if action_type == "button":
            action["text"] = {"type": "plain_text", "text": "Button", "emoji": True}
        if value is not None:
            action["value"] = value
        if selected_option is not None:
            action["selected_option"] = _option(selected_option)
        if selected_conversation is not None:
            action["selected_conversation"] = selected_conversation
        action |= fields or {}
        payload = self._interaction("block_actions", user_id) | {"actions": [action]}
        if view is not None:
            view = {**view, "state": {"values": state_values or {}}}
            payload |= {"container": {"type": "view", "view_id": view["id"]}, "view": view}
        else:
            payload |= self._message_context(user_id, message, channel_id, state_values)
        if container is not None:
            payload["container"] = container
        return self._send_payload(payload)

    def view_submission(
        self,
        *,
        user_id: str,
        callback_id: str,
        values: dict,
        private_metadata: str | None = None,
        view_id: str | None = None,
        hash: str | None = None,
    ) -> AppResponse:
        """A view_submission; `values` is `state.values`: block_id -> action_id -> value dict.

        The view submitted is the modal with this callback_id that the app last opened in
        the fake (its blocks, id and hash), as Slack would send it; `private_metadata`, when
        given, stands in for what the app stored (a forged or stale one)."""
        view = self._submitted_view(callback_id, view_id, values)
        if private_metadata is not None:
            view["private_metadata"] = private_metadata
        view |= {"state": {"values": values}, "hash": hash or view["hash"]}
        payload = self._interaction("view_submission", user_id) | {
            "view": view,
            "response_urls": [],
        }
        response = self._send_payload(payload)
        if response.status == 200 and response.text.strip():
            ack = _json_object(response.text)
            self._hold_to_rules("view_submission ack", view_submission_ack_problems(ack, view))
            if self.fake is not None:
                self.fake.answer_submission(view["id"], ack)
        return response

    def view_closed(
        self,
        *,
        user_id: str,
        callback_id: str,
        private_metadata: str = "",
        view_id: str | None = None,
        is_cleared: bool = False,
    ) -> AppResponse:
        """A view_closed (sent only for modals opened with notify_on_close)."""
        payload = self._interaction("view_closed", user_id)
        del payload["trigger_id"]
        view = self._modal(callback_id, private_metadata, view_id)
        payload |= {"view": view | {"notify_on_close": True}, "is_cleared": is_cleared}
        return self._send_payload(payload)

    def event(
        self,
        event: dict,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
    ) -> AppResponse:
        """An Events API event_callback; a retry (`retry_num`) also sends Slack's retry headers."""
        event_id = event_id or f"Ev{secrets.token_hex(5).upper()}"
        body = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "api_app_id": self.api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": self.enterprise_id,
                    # An org-wide install's authorization names the org, not a workspace.
                    "team_id": None if self.is_enterprise_install else self.team_id,
                    "user_id": self.fake.bot_user_id if self.fake else "UBOT",
                    "is_bot": True,
                    "is_enterprise_install": self.is_enterprise_install,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{secrets.token_urlsafe(24)}",
        }
        headers = {}
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
        response = self.send_raw(json.dumps(body).encode(), JSON, extra_headers=headers)
        response.event_id = event_id
        return response

    def url_verification(self, challenge: str) -> AppResponse:
        """The url_verification handshake Slack sends when the request URL is saved."""
        body = {
            "token": self.verification_token,
            "challenge": challenge,
            "type": "url_verification",
        }
        return self.send_raw(json.dumps(body).encode(), JSON)

    # -- transport -----------------------------------------------------------------------------

    def send_raw(
        self,
        body: bytes,
        content_type: str,
        timestamp: int | None = None,
        signature: str | None = None,
        extra_headers: dict | None = None,
    ) -> AppResponse:
        """POST `body`, signed for `timestamp` (default now) unless `signature` is given.

        Non-2xx answers are returned, not raised.
        """
        timestamp = int(time.time()) if timestamp is None else timestamp
        if signature is None:
            signature = self.verifier.generate_signature(timestamp=str(timestamp), body=body)
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": signature,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            **(extra_headers or {}),
        }
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                response = AppResponse(reply.status, reply.headers, reply.read().decode())
        except urllib.error.HTTPError as error:
            with error:
                response = AppResponse(error.code, error.headers, error.read().decode())
        took = time.perf_counter() - started
        if took > ACK_SECONDS:
            self._hold_to_rules("ack", [f"[ERROR] acknowledged after {took:.1f} s, over 3 s"])
        return response

    # -- pieces --------------------------------------------------------------------------------

    def _send_payload(self, payload: dict) -> AppResponse:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        response = self.send_raw(body, FORM)
        response.response_url = payload.get("response_url")
        response.trigger_id = payload.get("trigger_id")
        return response

    def _interaction(self, type: str, user_id: str) -> dict:
        return {
            "type": type,
            "user": {
                "id": user_id,
                "username": user_id.lower(),
                "name": user_id.lower(),
                "team_id": self.team_id,
            },
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "trigger_id": self._trigger_id(),
            "team": {"id": self.team_id, "domain": self.team_domain},
            "enterprise": (
                {"id": self.enterprise_id, "name": "Grid Org"} if self.enterprise_id else None
            ),
            "is_enterprise_install": self.is_enterprise_install,
        }

    def _message_context(
        self, user_id: str, message: dict | None, channel_id: str | None, state: dict | None
    ) -> dict:
        channel_id = channel_id or self._dm(user_id)
        context = {
            "container": {
                "type": "message",
                "message_ts": message["ts"] if message else _ts(),
                "channel_id": channel_id,
                "is_ephemeral": message is None,
            },
            "channel": {"id": channel_id, "name": "directmessage"},
            "state": {"values": state or {}},
            "response_url": self._response_url(),
        }
        if message is not None:
            context["message"] = message
        return context

    def _submitted_view(self, callback_id: str, view_id: str | None, values: dict) -> dict:
        stored = self.fake.latest_view(callback_id, view_id) if self.fake else None
        if stored is not None:
            return stored
        # Not opened through the fake (a forged or replayed form): its input blocks are the
        # ones its state names, as in every submission Slack sends.
        view = self._modal(callback_id, "", view_id)
        view["blocks"] = [_input_block(block_id, fields) for block_id, fields in values.items()]
        return view

    def _hold_to_rules(self, what: str, problems: list[str]) -> None:
        if problems:
            if self.fake is not None:
                self.fake.refuse_ack(what, problems)
            raise SlackWouldRefuse(f"Slack would refuse this {what}: {problems}")

    def _modal(self, callback_id: str, private_metadata: str, view_id: str | None) -> dict:
        spec = {**MODAL, "callback_id": callback_id, "private_metadata": private_metadata}
        view_id = view_id or f"V{secrets.token_hex(5).upper()}"
        bot_id = self.fake.bot_id if self.fake else "B0BOT"
        return view_object(spec, view_id, self.team_id, self.api_app_id, bot_id)

    def _dm(self, user_id: str) -> str:
        return self.fake.dm_channel(user_id) if self.fake else f"D{user_id}"

    def _response_url(self) -> str:
        if self.fake:
            return self.fake.new_response_url()
        return f"https://hooks.slack.com/actions/{self.team_id}/1/{secrets.token_hex(8)}"

    def _trigger_id(self) -> str:
        if self.fake:
            return self.fake.issue_trigger_id()
        return f"{int(time.time() * 1000)}.1234567890.{secrets.token_hex(16)}"


def _input_block(block_id: str, fields: dict) -> dict:
    action_id, value = next(iter(fields.items()), ("a", {}))
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": block_id},
        "element": {"type": value.get("type", "plain_text_input"), "action_id": action_id},
    }


def _json_object(text: str) -> dict:
    try:
        body = json.loads(text)
    except ValueError:
        return {"text": text}  # Bolt acks with a plain string: Slack shows it as text
    return body if isinstance(body, dict) else {"text": str(body)}


def _ts() -> str:
    return f"{time.time():.6f}"


def _option(option: dict | str) -> dict:
    if isinstance(option, dict):
        return option
    return {"text": {"type": "plain_text", "text": option, "emoji": True}, "value": option}
