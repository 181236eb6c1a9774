"""A fake Slack Socket Mode server for offline tests.

`FakeSocketMode` is a WebSocket server on 127.0.0.1 that slack_sdk's `SocketModeClient` (and
so Bolt's `SocketModeHandler`) connects to through the URL that `FakeSlack`'s
apps.connections.open answers. Like Slack it greets each connection with a `hello` message,
sends envelopes and collects the client's acknowledgements, holding a command reply or a
view submission's answer to Block Kit's rules. The websockets library answers the client's
pings.
"""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from bot.playground.fakeslack.blockkit import message_problems, view_submission_ack_problems


class FakeSocketMode:
    """A Socket Mode WebSocket server that sends envelopes and returns their acks."""

    def __init__(self, app_id: str = "A0APP") -> None:
        self.app_id = app_id
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: list[ServerConnection] = []
        self._acks: dict[str, dict] = {}
        self._changed = threading.Condition()

    def start(self) -> FakeSocketMode:
        """Listen on an ephemeral port of 127.0.0.1 and serve in a background thread."""
        # Frequent pings wake slack_sdk's client from its blocking recv (3 s timeout, under a
        # lock that its close() needs), so that closing it takes 1 s rather than 3.
        self._server = serve(
            self._serve_connection,
            "127.0.0.1",
            0,
            compression=None,
            close_timeout=1,
            ping_interval=0.1,
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close every connection and stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._thread.join()
            self._server = None

    def __enter__(self) -> FakeSocketMode:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def connection_url(self) -> str:
        """A fresh `ws://` URL shaped like Slack's, as apps.connections.open answers."""
        if self._server is None:
            raise RuntimeError("FakeSocketMode is not started")
        port = self._server.socket.getsockname()[1]
        return f"ws://127.0.0.1:{port}/link/?ticket={uuid.uuid4()}&app_id={self.app_id}"

    def wait_connected(self, timeout: float = 5.0) -> None:
        """Block until a client is connected (and greeted with hello)."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._connections, timeout):
                raise AssertionError(f"no Socket Mode client connected within {timeout}s")

    def send_envelope(
        self,
        type: str,
        payload: dict,
        *,
        retry_attempt: int = 0,
        retry_reason: str = "",
        accepts_response_payload: bool | None = None,
        timeout: float = 5.0,
    ) -> dict:
        """Send an envelope to the newest client; return its ack `{"envelope_id", "payload"?}`.

        `type` is "slash_commands", "interactive" or "events_api". Events carry
        `retry_attempt` and `retry_reason` and, by default, accept no response payload.
        """
        envelope_id = str(uuid.uuid4())
        if accepts_response_payload is None:
            accepts_response_payload = type != "events_api"
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": type,
            "accepts_response_payload": accepts_response_payload,
        }
        if type == "events_api":
            envelope.update(retry_attempt=retry_attempt, retry_reason=retry_reason)
        self.wait_connected(timeout)
        with self._changed:
            connection = self._connections[-1]
        connection.send(json.dumps(envelope))
        with self._changed:
            if not self._changed.wait_for(lambda: envelope_id in self._acks, timeout):
                raise AssertionError(f"envelope {envelope_id} ({type}) not acked in {timeout}s")
            ack = self._acks.pop(envelope_id)
        _hold_to_rules(type, payload, ack.get("payload"))
        return ack

    def _serve_connection(self, connection: ServerConnection) -> None:
        connection.send(json.dumps(self._hello()))
        with self._changed:
            self._connections.append(connection)
            self._changed.notify_all()
        try:
            for message in connection:
                self._receive(json.loads(message))
        except ConnectionClosed:
            pass  # the client went away without a close frame, as slack_sdk's client does
        finally:
            with self._changed:
                self._connections.remove(connection)

    def _receive(self, message: dict) -> None:
        if "envelope_id" in message:
            with self._changed:
                self._acks[message["envelope_id"]] = message
                self._changed.notify_all()

    def _hello(self) -> dict:
        with self._changed:
            count = len(self._connections) + 1
        return {
            "type": "hello",
            "num_connections": count,
            "debug_info": {
                "host": "applink-fake-0",
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": self.app_id},
        }


def _hold_to_rules(type: str, payload: dict, response: Any) -> None:
    """Slack refuses a command reply or view that breaks Block Kit's rules: so do we."""
    if not response:
        return
    if type == "slash_commands":
        problems = message_problems(response)
    elif payload.get("type") == "view_submission":
        problems = view_submission_ack_problems(response, payload.get("view", {}))
    else:
        return
    if problems:
        raise AssertionError(f"Slack would refuse this {type} ack: {problems}")
