"""Journey 10: she connects her calendar through /voice calendar, ticks meetings, and the
check-ins follow what the calendar says (moved, cancelled, new occurrences), through the
running app, a local calendar server on 127.0.0.1 and the strict fake Slack.

The app runs with CALENDAR_ALLOW_LOOPBACK=1 (http and 127.0.0.0/8 allowed, as in tests
only) and a SECRET_KEY, except where its absence is the point.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from cryptography.fernet import Fernet
from sqlmodel import select

from bot.bootstrap import build_dispatcher
from bot.domain.placement import SelfPlacement
from bot.models import CalendarFeed, Checkin, Meeting
from bot.playground.fakeslack.slack_requests import SlackRequests
from bot.services.coaching import OnboardingAnswers
from bot.services.planner import extend_horizons
from tests.conftest import SIGNING_SECRET, TEAM_ID, USER_ID, make_settings
from tests.support.app_runner import serve_in_thread
from tests.support.journey import command_reply, dms, wait
from tests.support.view_state import checkboxes, state, text

ANSWERS = OnboardingAnswers("Speak up in planning", SelfPlacement.WHEN_ASKED, 50, False, None)
NEW_YORK = "America/New_York"
SECRET = "s3cr3t-9f2c"  # in every link's path, as in Google's and Outlook's


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- a calendar server on 127.0.0.1 -----------------------------------------------------------


@dataclass
class Page:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/calendar; charset=utf-8"
    delay: float = 0.0
    location: str | None = None


@dataclass
class CalendarServer:
    """Serves ``pages`` by path and remembers every path asked for."""

    pages: dict[str, Page] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def link(self, path: str) -> str:
        return f"{self.base}/{SECRET}/{path}"

    def serve(self, path: str, page: Page) -> str:
        self.pages[f"/{SECRET}/{path}"] = page
        return self.link(path)


@pytest.fixture
def calendars():
    served = CalendarServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            served.asked.append(self.path)
            page = served.pages.get(self.path, Page(b"not here", 404, "text/plain"))
            time.sleep(page.delay)
            self.send_response(page.status)
            self.send_header("Content-Type", page.content_type)
            self.send_header("Content-Length", str(len(page.body)))
            if page.location:
                self.send_header("Location", page.location)
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(page.body)  # unless the client stopped reading (over its cap)

        def log_message(self, *args):
            pass

    served.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    served.server.daemon_threads = True
    threading.Thread(target=served.server.serve_forever, daemon=True).start()
    yield served
    served.server.shutdown()
    served.server.server_close()


def ics(*events: str) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Voice Coach tests//EN"]
    for event in events:
        lines += ["BEGIN:VEVENT", *event.strip().splitlines(), "END:VEVENT"]
    return ("\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n").encode()


def event(uid: str, title: str, start: str, minutes: int, *extra: str) -> str:
    """An event at ``start`` (YYYYMMDDTHHMMSS, New York time)."""
    begin = datetime.strptime(start, "%Y%m%dT%H%M%S")
    end = begin + timedelta(minutes=minutes)
    return "\n".join(
        [
            f"UID:{uid}",
            f"SUMMARY:{title}",
            "DTSTAMP:20260101T000000Z",
            f"DTSTART;TZID={NEW_YORK}:{start}",
            f"DTEND;TZID={NEW_YORK}:{end:%Y%m%dT%H%M%S}",
            *extra,
        ]
    )


SYNC = event("sync@test", "Weekly team sync", "20260223T090000", 30, "RRULE:FREQ=WEEKLY;BYDAY=MO")
REVIEW = event("review@test", "Design review", "20260225T140000", 60, "RRULE:FREQ=WEEKLY;BYDAY=WE")
STANDUP = event(
    "standup@test", "Standup", "20260223T093000", 15, "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
)
PLANNING = event("planning@test", "Quarterly planning", "20260305T130000", 90)
DECLINED = event(
    "demo@test",
    "Vendor demo",
    "20260303T100000",
    45,
    "ORGANIZER:mailto:vendor@example.org",
    "ATTENDEE;PARTSTAT=DECLINED:mailto:u0mila@example.com",
)
HER_CALENDAR = ics(SYNC, REVIEW, STANDUP, PLANNING, DECLINED)


# -- the app -------------------------------------------------------------------------------


@pytest.fixture
def settings(fake_slack, database_url):
    return make_settings(
        fake_slack,
        database_url,
        SECRET_KEY=Fernet.generate_key().decode(),
        CALENDAR_ALLOW_LOOPBACK="1",
    )


@pytest.fixture
def app(running_app):
    return running_app.container


def _onboard(container, user_id: str = USER_ID) -> None:
    container.services.coaching.start(
        team_id=TEAM_ID, user_id=user_id, answers=ANSWERS, tz=NEW_YORK
    )


def _open(slack, fake) -> dict:
    """/voice calendar: the modal it opened (as the fake holds it, with its id)."""
    opened = len(fake.calls_to("views.open"))
    r = slack.command("calendar", user_id=USER_ID)
    assert r.status == 200 and r.text == "", r.text
    fake.wait_for("views.open", count=opened + 1)
    return fake.open_views()[-1]


def _submit_link(slack, link: str, view_id: str):
    return slack.view_submission(
        user_id=USER_ID,
        callback_id="calendar_link",
        values=state(calendar_url=text(link)),
        view_id=view_id,
    )


def _slack_applies(fake, view_id: str, ack: dict) -> dict:
    """The modal after a view_submission acknowledged with ``update``: the view in the ack
    (the fake applies it, as Slack does)."""
    return fake.view(view_id)


def _connect(slack, fake, link: str) -> dict:
    """Opens /voice calendar, pastes ``link``, and returns the meeting list she sees."""
    view = _open(slack, fake)
    assert view["callback_id"] == "calendar_link"
    r = _submit_link(slack, link, view["id"])
    assert r.status == 200, r.text
    ack = r.json()
    assert ack["response_action"] == "update", ack
    if ack["view"]["callback_id"] == "calendar_loading":
        _slack_applies(fake, view["id"], ack)
        return wait(lambda: _showing(fake, view["id"], "calendar_pick"))
    assert ack["view"]["callback_id"] == "calendar_pick"
    return _slack_applies(fake, view["id"], ack)


def _showing(fake, view_id: str, callback_id: str) -> dict | None:
    view = fake.view(view_id)
    return view if view and view["callback_id"] == callback_id else None


def _options(view: dict) -> dict[str, dict]:
    """Her meeting list: each checkbox's text -> its block, value and whether it's ticked."""
    found = {}
    for block in view["blocks"]:
        if block["type"] == "input" and block["block_id"].startswith("calendar_series_"):
            for option in block["element"]["options"]:
                found[option["text"]["text"]] = {
                    "block": block["block_id"],
                    "value": option["value"],
                    "ticked": option in block["element"].get("initial_options", []),
                }
    return found


def _tick(slack, view: dict, *lines: str):
    options = _options(view)
    by_block: dict[str, list[str]] = {}
    for line in lines:
        by_block.setdefault(options[line]["block"], []).append(options[line]["value"])
    values = {
        b: {b: checkboxes(*by_block.get(b, []))} for b in {o["block"] for o in options.values()}
    }
    return slack.view_submission(
        user_id=USER_ID, callback_id="calendar_pick", values=values, view_id=view["id"]
    )


def _texts(view: dict) -> str:
    return json.dumps(view, ensure_ascii=False)


SYNC_LINE = "Weekly team sync · Mon 09:00 · 30 min"
REVIEW_LINE = "Design review · Wed 14:00 · 1 h"


# -- connecting and ticking ---------------------------------------------------------------


def test_connect_tick_two_and_reopen_shows_her_ticks(slack, fake_slack, app, calendars, db):
    _onboard(app)
    link = calendars.serve("basic.ics", Page(HER_CALENDAR))
    with time_machine.travel(_utc(2026, 3, 1, 12, 0), tick=True):
        view = _open(slack, fake_slack)
        words = _texts(view)
        for where in ("Secret address in iCal format", "Publish a calendar"):
            assert where in words
        assert "Can view titles and locations" in words and "Can view when I'm busy" in words

        r = _submit_link(slack, link, view["id"])
        ack = r.json()
        assert ack["response_action"] == "update" and ack["view"]["callback_id"] == "calendar_pick"
        listing = _slack_applies(fake_slack, view["id"], ack)
        lines = set(_options(listing))
        assert {SYNC_LINE, REVIEW_LINE, "Standup · Every weekday 09:30 · 15 min"} <= lines
        assert any(line.startswith("Quarterly planning · Thu 5 Mar 13:00") for line in lines)
        assert not [line for line in lines if "Vendor demo" in line]  # she declined it
        assert not any(o["ticked"] for o in _options(listing).values())
        assert SECRET not in _texts(listing) and "127.0.0.1" in _texts(listing)  # the host only

        r = _tick(slack, listing, SYNC_LINE, REVIEW_LINE)
        assert r.status == 200 and r.text == "", r.text
        confirmation = wait(lambda: dms(fake_slack))[-1]
        said = _texts(confirmation)
        assert "I'll check in before and after" in said
        assert "Weekly team sync" in said and "Design review" in said and "Standup" not in said

        again = _open(slack, fake_slack)
        assert again["callback_id"] == "calendar_pick"
        ticked = {line for line, o in _options(again).items() if o["ticked"]}
        assert ticked == {SYNC_LINE, REVIEW_LINE}

    with db.session() as s:
        meetings = s.exec(select(Meeting).where(Meeting.source == "calendar")).all()
        feed = s.exec(select(CalendarFeed)).one()
        planned = s.exec(select(Checkin)).all()
    assert sorted(m.name for m in meetings) == ["Design review", "Weekly team sync"]
    assert SECRET not in feed.url_sealed  # stored sealed
    assert {c.kind for c in planned} >= {"pre", "post"}


def test_a_slow_calendar_shows_fetching_then_her_meetings(slack, fake_slack, app, calendars):
    _onboard(app)
    link = calendars.serve("slow.ics", Page(HER_CALENDAR, delay=1.6))
    with time_machine.travel(_utc(2026, 3, 1, 12, 0), tick=True):
        view = _open(slack, fake_slack)
        r = _submit_link(slack, link, view["id"])  # acknowledged within 3 s all the same
        ack = r.json()
        assert ack["view"]["callback_id"] == "calendar_loading"
        assert "Fetching your calendar…" in _texts(ack["view"])
        _slack_applies(fake_slack, view["id"], ack)
        listing = wait(lambda: _showing(fake_slack, view["id"], "calendar_pick"))
        assert SYNC_LINE in _options(listing)
        assert _tick(slack, listing, SYNC_LINE).text == ""
        wait(lambda: dms(fake_slack))

        reopened = _open(slack, fake_slack)  # a slow read again: Fetching… opens first
        assert reopened["callback_id"] == "calendar_loading"
        listing = wait(lambda: _showing(fake_slack, reopened["id"], "calendar_pick"))
    assert {line for line, o in _options(listing).items() if o["ticked"]} == {SYNC_LINE}


def test_a_slow_failure_shows_in_the_modal_with_the_field_empty(slack, fake_slack, app, calendars):
    _onboard(app)
    link = calendars.serve("gone.ics", Page(b"gone", 404, "text/plain", delay=1.6))
    view = _open(slack, fake_slack)
    ack = _submit_link(slack, link, view["id"]).json()
    assert ack["view"]["callback_id"] == "calendar_loading"
    _slack_applies(fake_slack, view["id"], ack)
    again = wait(lambda: _showing(fake_slack, view["id"], "calendar_link"))
    problem = next(b for b in again["blocks"] if b.get("block_id") == "calendar_problem")
    assert "reset in Google Calendar" in problem["text"]["text"]
    field = next(b for b in again["blocks"] if b.get("block_id") == "calendar_url")
    assert "initial_value" not in field["element"]
    assert SECRET not in _texts(again)


def test_a_slow_save_closes_the_modal_and_confirms_by_dm(slack, fake_slack, app, calendars):
    _onboard(app)
    link = calendars.serve("basic.ics", Page(HER_CALENDAR))
    with time_machine.travel(_utc(2026, 3, 1, 12, 0), tick=True) as clock:
        listing = _connect(slack, fake_slack, link)
        # What connect read is kept 10 minutes for the save; after that it reads again.
        calendars.serve("basic.ics", Page(HER_CALENDAR, delay=1.6))
        clock.shift(timedelta(minutes=11))
        r = _tick(slack, listing, REVIEW_LINE)
        assert r.status == 200 and r.text == ""  # closed at once
        confirmation = wait(lambda: dms(fake_slack))[-1]
    assert "I'll check in before and after" in _texts(confirmation)
    assert "Design review" in _texts(confirmation)


def _far_future_only() -> bytes:
    return ics(event("later@test", "Offsite", "20260601T090000", 60))


def _titles_hidden() -> bytes:
    return ics(
        event("b1@test", "Busy", "20260302T090000", 30, "RRULE:FREQ=WEEKLY;BYDAY=MO"),
        event("b2@test", "Busy", "20260303T140000", 60),
        event("b3@test", "Tentative", "20260304T110000", 30),
    )


def test_each_problem_reaches_her_as_a_field_error(slack, fake_slack, app, calendars, db):
    _onboard(app)
    html = b"<!doctype html><html><body>Sign in to see this calendar</body></html>"
    cases = [
        ("not a link at all", "doesn't look like a link"),
        ("calendar.google.com/secret basic.ics", "doesn't look like a link"),
        (calendars.link("x.ics").replace("http://", "ftp://"), "isn't https"),
        (f"http://10.0.0.1/{SECRET}/basic.ics", "private or internal address"),
        (f"http://169.254.169.254/{SECRET}/latest", "private or internal address"),
        (
            calendars.serve("redirect", Page(status=302, location="http://10.0.0.1/x.ics")),
            "private or internal address",
        ),
        (calendars.serve("missing.ics", Page(b"no", 404, "text/plain")), "reset in Google"),
        (calendars.serve("login.ics", Page(b"no", 401, "text/plain")), "needs a login"),
        (calendars.serve("private.ics", Page(b"no", 403, "text/plain")), "needs a login"),
        (calendars.serve("down.ics", Page(b"oops", 503, "text/plain")), "problem on its side"),
        (calendars.serve("huge.ics", Page(b"x" * 6_000_000)), "over 5 MB"),
        (calendars.serve("page.ics", Page(html, content_type="text/html")), "isn't a calendar"),
        (calendars.serve("later.ics", Page(_far_future_only())), "no meetings"),
        (calendars.serve("busy.ics", Page(_titles_hidden())), "Can view titles and locations"),
    ]
    with time_machine.travel(_utc(2026, 3, 1, 12, 0), tick=True):
        view = _open(slack, fake_slack)
        for link, says in cases:
            asked = len(calendars.asked)
            r = _submit_link(slack, link, view["id"])
            ack = r.json()
            assert ack["response_action"] == "errors", (link, ack)
            assert says in ack["errors"]["calendar_url"], (link, ack)
            assert SECRET not in r.text  # the link is never said back
            if "10.0.0.1" in link or "169.254" in link:
                assert len(calendars.asked) == asked  # nothing fetched for it
    assert not [p for p in calendars.asked if "10.0.0.1" in p]
    with db.session() as s:
        assert s.exec(select(CalendarFeed)).all() == []  # nothing is connected
    assert app.services.calendars.reopen(team_id=TEAM_ID, user_id=USER_ID, email=None) is None


def test_ticking_more_than_the_most_is_a_field_error(slack, fake_slack, app, calendars):
    _onboard(app)
    many = [
        event(f"m{i}@test", f"Meeting {i:02d}", f"202603{2 + i % 5:02d}T{8 + i % 9:02d}0000", 30)
        for i in range(25)
    ]
    link = calendars.serve("many.ics", Page(ics(*many)))
    with time_machine.travel(_utc(2026, 3, 1, 12, 0), tick=True):
        listing = _connect(slack, fake_slack, link)
        lines = list(_options(listing))
        assert len(lines) == 25 and len({o["block"] for o in _options(listing).values()}) == 3
        r = _tick(slack, listing, *lines)
        ack = r.json()
        assert ack["response_action"] == "errors"
        assert "up to 20" in ack["errors"]["calendar_series_0"] and "untick 5" in r.text


def test_use_another_link_goes_back_to_the_link_step(slack, fake_slack, app, calendars):
    _onboard(app)
    link = calendars.serve("basic.ics", Page(HER_CALENDAR))
    with time_machine.travel(_utc(2026, 3, 1, 12, 0), tick=True):
        listing = _connect(slack, fake_slack, link)
        r = slack.block_action(
            user_id=USER_ID,
            action_id="calendar_other_link",
            block_id="calendar_actions",
            view=listing,
        )
        assert r.status == 200
        step = wait(lambda: _showing(fake_slack, listing["id"], "calendar_link"))
    assert "Paste the new link" in _texts(step)


# -- leaving, and without a secret key ---------------------------------------------------


def test_disconnect_deletes_the_link_and_stops_calendar_checkins(
    slack, fake_slack, app, calendars, db
):
    _onboard(app)
    link = calendars.serve("basic.ics", Page(HER_CALENDAR))
    with time_machine.travel(_utc(2026, 3, 1, 12, 0), tick=True):
        listing = _connect(slack, fake_slack, link)
        assert _tick(slack, listing, SYNC_LINE).status == 200
        wait(lambda: dms(fake_slack))
        reply = command_reply(slack, fake_slack, "calendar disconnect")
        assert reply["text"].startswith("Disconnected. I deleted the link")
        assert (
            "No calendar is connected"
            in command_reply(slack, fake_slack, "calendar disconnect")["text"]
        )
        again = _open(slack, fake_slack)
    assert again["callback_id"] == "calendar_link"  # not connected: the link step
    with db.session() as s:
        assert s.exec(select(CalendarFeed)).all() == []
        pending = s.exec(select(Checkin).where(Checkin.status == "pending")).all()
    assert pending == []


def test_a_link_after_the_command_is_never_said_back(slack, fake_slack, app):
    _onboard(app)
    reply = command_reply(slack, fake_slack, f"calendar https://calendar.google.com/{SECRET}.ics")
    assert SECRET not in json.dumps(reply)
    assert "`/voice calendar`" in reply["text"] and "disconnect" in reply["text"]


def test_not_started_gets_the_usual_reply(slack, fake_slack, app):
    reply = command_reply(slack, fake_slack, "calendar")
    assert "You haven't started yet" in reply["text"]
    assert fake_slack.calls_to("views.open") == []


def test_without_a_secret_key_the_admin_is_asked_and_meetings_still_work(fake_slack, database_url):
    running = serve_in_thread(make_settings(fake_slack, database_url))
    try:
        _onboard(running.container)
        slack = SlackRequests(running.url, SIGNING_SECRET, fake=fake_slack, team_id=TEAM_ID)
        reply = command_reply(slack, fake_slack, "calendar")
        assert reply["text"] == (
            "Calendar links need a secret key set by whoever runs Voice Coach (`SECRET_KEY`). "
            "Meetings you add with `/voice meetings` work as before."
        )
        assert fake_slack.calls_to("views.open") == []
        assert "Your practice meetings" in json.dumps(command_reply(slack, fake_slack, "meetings"))
    finally:
        running.stop()


# -- the whole journey, with the clock moved ----------------------------------------------

MOVED = event(
    "sync@test",
    "Weekly team sync",
    "20260309T110000",
    30,
    f"RECURRENCE-ID;TZID={NEW_YORK}:20260309T090000",
)
# The review at 15:00 from next week, as Google stores "this and following events": the
# old series ends, a new one starts with the old UID and "_R<its first start>".
REVIEW_UNTIL_NOW = REVIEW.replace("BYDAY=WE", "BYDAY=WE;UNTIL=20260310T000000Z")
REVIEW_FROM_NEXT_WEEK = event(
    "review_R20260311T190000@test",
    "Design review",
    "20260311T150000",
    60,
    "RRULE:FREQ=WEEKLY;BYDAY=WE",
)
CHANGED_CALENDAR = ics(
    # One more occurrence of the sync (Thu 5 Mar, 16:00), and the review of 4 Mar cancelled.
    SYNC + f"\nRDATE;TZID={NEW_YORK}:20260305T160000",
    REVIEW_UNTIL_NOW + f"\nEXDATE;TZID={NEW_YORK}:20260304T140000",
    REVIEW_FROM_NEXT_WEEK,
    MOVED,  # the sync of Mon 9 Mar moved from 09:00 to 11:00
    STANDUP,
    PLANNING,
    DECLINED,
)


def _kind(message: dict) -> str:
    first = message["blocks"][0]["text"]["text"]
    if first.startswith("A gentle nudge"):
        return "reminder"
    return "post" if first.startswith("How did") else "pre"


def _meeting(message: dict) -> str:
    first = message["blocks"][0]["text"]["text"]
    return next(name for name in ("Weekly team sync", "Design review", "Standup") if name in first)


def test_checkins_follow_the_calendar_moved_cancelled_new_and_retimed(
    slack, fake_slack, app, calendars
):
    dispatcher = build_dispatcher(app)
    link = calendars.serve("basic.ics", Page(HER_CALENDAR))
    sent: list[tuple[datetime, str, str, str]] = []  # (when, kind, meeting, first line)

    def tick(now: datetime) -> None:
        app.services.calendars.sync_due(owner="test", email_of=lambda team, user: None)
        extend_horizons(app.db, app.clock)
        before = len(dms(fake_slack))
        dispatcher.tick()
        for message in dms(fake_slack)[before:]:
            if _kind(message) != "reminder":
                first = message["blocks"][0]["text"]["text"]
                sent.append((now, _kind(message), _meeting(message), first))

    try:
        with time_machine.travel(_utc(2026, 3, 1, 12, 0), tick=False) as clock:
            _onboard(app)
            listing = _connect(slack, fake_slack, link)
            assert _tick(slack, listing, SYNC_LINE, REVIEW_LINE).status == 200
            wait(lambda: dms(fake_slack))  # the confirmation
            calendars.serve("basic.ics", Page(CHANGED_CALENDAR))  # same link, new contents
            clock.move_to(_utc(2026, 3, 1, 12, 21))  # the next sync is due within 20 minutes
            assert app.services.calendars.sync_due(owner="test", email_of=lambda t, u: None) == 1
            # Every pre and post check-in at her local minute (EST, then EDT from 8 Mar)...
            expected = [
                (_utc(2026, 3, 2, 13, 45), "pre", "Weekly team sync", "starts at 09:00"),
                (_utc(2026, 3, 2, 14, 35), "post", "Weekly team sync", "How did"),
                (_utc(2026, 3, 5, 20, 45), "pre", "Weekly team sync", "starts at 16:00"),  # new
                (_utc(2026, 3, 5, 21, 35), "post", "Weekly team sync", "How did"),
                (_utc(2026, 3, 9, 14, 45), "pre", "Weekly team sync", "starts at 11:00"),  # moved
                (_utc(2026, 3, 9, 15, 35), "post", "Weekly team sync", "How did"),
                (_utc(2026, 3, 11, 18, 45), "pre", "Design review", "starts at 15:00"),
                (_utc(2026, 3, 11, 20, 5), "post", "Design review", "How did"),
            ]
            # ...and none at the old times of what was cancelled or moved.
            nothing = [
                _utc(2026, 3, 4, 18, 45),  # the cancelled review
                _utc(2026, 3, 4, 20, 5),
                _utc(2026, 3, 9, 12, 45),  # the sync's old time
                _utc(2026, 3, 9, 13, 35),
                _utc(2026, 3, 11, 17, 45),  # the review's old time
                _utc(2026, 3, 11, 19, 5),
            ]
            visits = sorted(
                {t for due, *_ in expected for t in (due - timedelta(minutes=1), due)}
                | {t for t in nothing}
                | {_utc(2026, 3, 15, 23, 59)}
            )
            for moment in visits:
                clock.move_to(moment)
                tick(moment)
    finally:
        dispatcher.close()

    got = [(when, kind, meeting) for when, kind, meeting, _ in sent]
    assert Counter(got) == Counter((due, kind, meeting) for due, kind, meeting, _ in expected)
    for (when, kind, meeting, first), (_, _, _, says) in zip(sorted(sent), expected, strict=True):
        assert says in first, (when, kind, meeting, first)
