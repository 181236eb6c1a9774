"""One playground run: the real app (bootstrap's build, its listeners, services and
scheduler, SQLite in a file) behind a real HTTP server, the strict local Slack, three people
and a team channel, and a clock the page moves.

Whatever the page does goes to the app as Slack sends it (``SlackRequests``: signed HTTP in
Slack's payload shapes); what the app sends back is read from the local Slack, as Slack's
client would show it. Anything Slack would have refused is kept in ``notices``.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.bootstrap import build
from bot.models import Checkin, CheckinKind, CheckinStatus
from bot.playground.fakeslack.slack_requests import SlackRequests, SlackWouldRefuse
from bot.playground.fakeslack.web_api import FakeSlack
from bot.playground.render import element_state, find_element, state_values
from bot.scheduler import start_scheduler
from bot.settings import load_settings
from bot.web import make_wsgi_app

log = logging.getLogger(__name__)

TEAM_ID = "T0PLAY"
TEAM_DOMAIN = "voice-coach-playground"
BOT_TOKEN = "xoxb-playground-local"
MILA, ANA, BEN = "U0MILA", "U0ANA", "U0BEN"
TEAM_CHANNEL = "C0TEAM"
TZ = "America/New_York"


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    role: str


PEOPLE = (
    Person(MILA, "Mila Novak", "practising speaking up"),
    Person(ANA, "Ana Ruiz", "a teammate who cheers"),
    Person(BEN, "Ben Okafor", "a buddy"),
)
CLOCK_MOVES = {
    "next-meeting": "15 min before the next meeting",
    "after-meeting": "Just after it ends",
    "hour": "+1 hour",
    "day": "+1 day",
    "week": "+1 week",
}
STEPS = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}


class ShiftedClock:
    """Real time plus an offset the page adds to: time goes on while you watch."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def move_to(self, when: datetime) -> None:
        self.offset += max(when - self.now(), timedelta(0))


@dataclass
class Reply:
    """A message only ``user`` sees (an ephemeral reply), in ``channel``."""

    id: int
    user: str
    channel: str
    message: dict
    ts: str


@dataclass
class _Target:
    """What a response URL answers: a new reply in a channel, or a reply or message."""

    user: str
    channel: str
    reply_id: int | None = None
    message_ts: str | None = None
    seen: int = 0


@dataclass
class Outcome:
    """What the page is told after an action: field errors of a modal, or a notice."""

    errors: dict[str, str] = field(default_factory=dict)
    notice: str | None = None

    def json(self) -> dict:
        return {"errors": self.errors, "notice": self.notice}


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


class World:
    def __init__(self, database_path: Path) -> None:
        self.clock = ShiftedClock()
        self.fake = FakeSlack(bot_token=BOT_TOKEN, team_id=TEAM_ID, team_domain=TEAM_DOMAIN)
        self.fake.start()
        for person in PEOPLE:
            self.fake.add_user(person.user_id, tz=TZ, real_name=person.name)
        self.fake.add_channel(TEAM_CHANNEL, name="team", members=[p.user_id for p in PEOPLE])
        signing_secret = secrets.token_hex(16)
        settings = load_settings(
            {
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": signing_secret,
                "DATABASE_URL": f"sqlite:///{database_path}",
                "SLACK_API_URL": self.fake.base_url,
                "LOG_LEVEL": "WARNING",
            },
            env_file=None,
        )
        self.container = build(settings, clock=self.clock)
        wsgi = make_wsgi_app(self.container.app, self.container.db, clock=self.clock)
        self._server = make_server(
            "127.0.0.1", 0, wsgi, server_class=ThreadingServer, handler_class=QuietHandler
        )
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.app_url = f"http://127.0.0.1:{self._server.server_port}"
        self.scheduler = start_scheduler(self.container)
        self.slack = SlackRequests(
            self.app_url, signing_secret, fake=self.fake, team_id=TEAM_ID, team_domain=TEAM_DOMAIN
        )
        self.lock = threading.RLock()
        self.replies: list[Reply] = []
        self.notices: list[str] = []
        self.stacks: dict[str, list[str]] = {}
        self._targets: dict[str, _Target] = {}
        self._triggers: dict[str, str] = {}
        self._calls_seen = 0
        self._refusals_seen = 0
        self._reply_ids = 0

    def stop(self) -> None:
        self.scheduler.shutdown(wait=True)
        self._server.shutdown()
        self._server.server_close()
        self.container.db.dispose()
        self.fake.stop()

    # -- what the page asks for -------------------------------------------------------------

    def command(self, user: str, channel: str, line: str) -> Outcome:
        line = line.strip()
        if not line:
            return Outcome(notice="Type a command, for example /voice help.")
        name, _, text = line.partition(" ")
        if not name.startswith("/"):
            return Outcome(
                notice="Voice Coach answers /voice commands here. Try /voice help to see them."
            )
        if name != "/voice":
            return Outcome(notice=f"{name} isn't a command here. Try /voice help.")
        with self.lock:
            channel_name = "directmessage" if channel.startswith("D") else self._name(channel)
            sent = self._send(
                lambda: self.slack.command(
                    text.strip(),
                    user_id=user,
                    channel_id=channel,
                    channel_name=channel_name,
                )
            )
            response = sent.get("response")
            if response is None:
                return sent["outcome"]
            self._triggers[response.trigger_id] = user
            self._targets[response.response_url] = _Target(user, channel)
            if response.status == 200 and response.text.strip():
                self._reply(user, channel, _as_message(response.text))
            return sent["outcome"]

    def act(self, user: str, ref: list[str], block_id: str, action_id: str, raw, state: dict):
        """A click or a choice on a message, a reply, the Home tab or a modal."""
        with self.lock:
            kind = ref[0] if ref else ""
            view = message = reply = None
            if kind == "view":
                view = self.fake.view(ref[1])
            elif kind == "home":
                view = self.fake.home_view(user)
            elif kind == "msg":
                message = self.fake.message(ref[1], ref[2])
            elif kind == "reply":
                reply = next((r for r in self.replies if r.id == int(ref[1])), None)
            surface = view or message or (reply.message if reply else None)
            if surface is None:
                return Outcome(notice="That message or view is gone.")
            element = find_element(surface.get("blocks", []), block_id, action_id)
            if element is None:
                return Outcome(notice="That button is no longer there.")
            action = element_state(element, raw)
            kind_of = action.pop("type")
            if element.get("value") is not None:
                action["value"] = element["value"]
            if kind_of == "button":
                action["text"] = element.get("text")
            values = state_values(surface.get("blocks", []), state)
            channel = ref[1] if kind == "msg" else reply.channel if reply else None
            sent = self._send(
                lambda: self.slack.block_action(
                    user_id=user,
                    action_id=action_id,
                    block_id=block_id,
                    action_type=kind_of,
                    view=view,
                    message=message,
                    channel_id=channel,
                    state_values=values,
                    fields=action,
                )
            )
            response = sent.get("response")
            if response is not None:
                self._triggers[response.trigger_id] = user
                if response.response_url:
                    self._targets[response.response_url] = _Target(
                        user,
                        channel or self.fake.dm_channel(user),
                        reply_id=reply.id if reply else None,
                        message_ts=message["ts"] if message else None,
                    )
            return sent["outcome"]

    def submit(self, user: str, view_id: str, raw: dict) -> Outcome:
        with self.lock:
            view = self.fake.view(view_id)
            if view is None:
                return Outcome(notice="That form is closed.")
            values = state_values(view["blocks"], raw)
            before = {v["id"] for v in self.fake.open_views()}
            sent = self._send(
                lambda: self.slack.view_submission(
                    user_id=user, callback_id=view["callback_id"], values=values, view_id=view_id
                )
            )
            response = sent.get("response")
            if response is None:
                return sent["outcome"]
            self._triggers[response.trigger_id] = user
            ack = _as_message(response.text) if response.text.strip() else {}
            stack = self.stacks.setdefault(user, [])
            action = ack.get("response_action")
            if action == "errors":
                return Outcome(errors=ack.get("errors", {}))
            if action == "push":
                stack.extend(v["id"] for v in self.fake.open_views() if v["id"] not in before)
            elif action == "clear":
                stack.clear()
            elif action != "update" and view_id in stack:
                del stack[stack.index(view_id) :]
            return sent["outcome"]

    def close(self, user: str, view_id: str) -> Outcome:
        with self.lock:
            stack = self.stacks.setdefault(user, [])
            if view_id in stack:
                del stack[stack.index(view_id) :]
            view = self.fake.view(view_id)
            if view is None or not view.get("notify_on_close"):
                return Outcome()
            return self._send(
                lambda: self.slack.view_closed(
                    user_id=user,
                    callback_id=view["callback_id"],
                    private_metadata=view["private_metadata"],
                    view_id=view_id,
                )
            )["outcome"]

    def open_tab(self, user: str, tab: str) -> Outcome:
        """Slack sends app_home_opened each time she opens the app's Home or Messages tab."""
        with self.lock:
            event = {
                "type": "app_home_opened",
                "user": user,
                "channel": self.fake.dm_channel(user),
                "tab": "home" if tab == "home" else "messages",
                "event_ts": f"{datetime.now(UTC).timestamp():.6f}",
            }
            home = self.fake.home_view(user)
            if tab == "home" and home is not None:
                event["view"] = home
            return self._send(lambda: self.slack.event(event))["outcome"]

    def move_clock(self, how: str) -> Outcome:
        with self.lock:
            if how == "next-meeting":
                when = self._before_next_meeting()
                if when is None:
                    return Outcome(
                        notice="No meeting is planned yet. Add one with /voice meetings."
                    )
                self.clock.move_to(when)
            elif how == "after-meeting":
                when = self._next_due(CheckinKind.POST)
                if when is None:
                    return Outcome(notice="No meeting is waiting for an answer. Add one first.")
                self.clock.move_to(when)
            elif how in STEPS:
                self.clock.offset += STEPS[how]
            else:
                return Outcome(notice="The clock moves by an hour, a day or a week.")
        self.run_jobs_now()
        return Outcome()

    def run_jobs_now(self) -> None:
        """Every scheduled job runs at once, at the clock's new time."""
        now = datetime.now(UTC)
        for job in self.scheduler.get_jobs():
            job.modify(next_run_time=now)

    def clock_text(self) -> str:
        local = self.clock.now().astimezone(ZoneInfo(TZ))
        return local.strftime("%a %d %b, %H:%M")

    # -- keeping up with what Slack has seen ---------------------------------------------------

    def sync(self) -> None:
        """Take in what happened since: modals opened, response-URL replies, refusals."""
        with self.lock:
            calls = self.fake.calls[self._calls_seen :]
            self._calls_seen += len(calls)
            for call in calls:
                if call.method in ("views.open", "views.push") and call.response.get("ok"):
                    user = self._triggers.get(call.args.get("trigger_id", ""))
                    if user is not None:
                        self.stacks.setdefault(user, []).append(call.response["view"]["id"])
            for url, target in self._targets.items():
                posts = self.fake.response_url_posts(url)
                for body in posts[target.seen :]:
                    self._answer_response_url(target, body)
                target.seen = len(posts)
            refusals = self.fake.refusals[self._refusals_seen :]
            self._refusals_seen += len(refusals)
            for refusal in refusals:
                problems = "; ".join(refusal.messages[:3])
                self.notices.append(
                    f"Slack refused {refusal.where}: {refusal.error}"
                    + (f" ({problems})" if problems else "")
                )

    def _answer_response_url(self, target: _Target, body: dict) -> None:
        reply = next((r for r in self.replies if r.id == target.reply_id), None)
        if body.get("delete_original") and reply is not None:
            self.replies.remove(reply)
            return
        if body.get("replace_original") and reply is not None:
            reply.message = body
            return
        self._reply(target.user, target.channel, body)

    def _reply(self, user: str, channel: str, message: dict) -> Reply:
        ts = f"{datetime.now(UTC).timestamp():.6f}"
        self._reply_ids += 1
        reply = Reply(self._reply_ids, user, channel, message, ts)
        self.replies.append(reply)
        return reply

    def _send(self, request) -> dict:
        """Send one request to the app; what went wrong becomes a notice, never a crash."""
        try:
            response = request()
        except SlackWouldRefuse as e:
            self.notices.append(str(e))
            return {"outcome": Outcome(notice=str(e))}
        except OSError as e:
            note = f"The app did not answer ({e.__class__.__name__})."
            self.notices.append(note)
            return {"outcome": Outcome(notice=note)}
        if response.status != 200:
            note = f"The app answered HTTP {response.status}: Slack would show an error."
            self.notices.append(note)
            return {"outcome": Outcome(notice=note), "response": response}
        return {"outcome": Outcome(), "response": response}

    def _name(self, channel_id: str) -> str:
        return next((c["name"] for c in self.fake.channels() if c["id"] == channel_id), "channel")

    def _next_due(self, kind: str) -> datetime | None:
        with self.container.db.session() as session:
            due = session.exec(
                select(Checkin.due_at)
                .where(Checkin.kind == kind, Checkin.status == CheckinStatus.PENDING)
                .order_by(Checkin.due_at)
            ).first()
        return due

    def _before_next_meeting(self) -> datetime | None:
        now = self.clock.now()
        with self.container.db.session() as session:
            pre = session.exec(
                select(Checkin)
                .where(
                    Checkin.kind == CheckinKind.PRE,
                    Checkin.status == CheckinStatus.PENDING,
                    Checkin.occurrence_start > now,
                )
                .order_by(Checkin.occurrence_start)
            ).first()
        if pre is None:
            return None
        return max(now, min(pre.due_at, pre.occurrence_start - timedelta(minutes=15)))


def _as_message(text: str) -> dict:
    try:
        body = json.loads(text)
    except ValueError:
        return {"text": text}
    return body if isinstance(body, dict) else {"text": str(body)}
