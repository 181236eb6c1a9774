"""The dispatcher with many workspaces: each check-in goes out with its own workspace's
token, and one workspace's burst, spent budget or missing token never holds up
another's check-ins by more than a tick. Real database, the real sender and the fake
Slack; time is moved by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

import pytest
import sqlalchemy as sa
from slack_sdk.errors import SlackApiError
from sqlmodel import select

from bot.content import load_ladder
from bot.models import Buddy, Checkin, Coachee, Meeting, Workspace
from bot.playground.fakeslack.web_api import FakeSlack
from bot.services.coaching import CoachingService
from bot.services.dispatch import Dispatcher
from bot.slack.app import make_client
from bot.slack.checkin_sender import SlackCheckinSender
from bot.storage import ratelimits
from bot.storage.db import Database
from tests.conftest import make_settings
from tests.support.clock import FakeClock

NOW = datetime(2026, 3, 2, 14, 45, tzinfo=UTC)
BIG, SMALL = "TBIG", "TSMALL"
TOKENS = {BIG: "xoxb-big-workspace-0001", SMALL: "xoxb-small-workspace-0002"}
CHALLENGE = "answer-any-thoughts"  # a step-3 challenge of bot/content/ladder.yml


def _people(
    db: Database,
    fake: FakeSlack,
    team_id: str,
    n: int,
    *,
    due: datetime = NOW,
    meeting_in: timedelta = timedelta(minutes=15),
    dm_known: bool = False,
) -> dict[int, str]:
    """``n`` people of ``team_id`` with a pre-meeting check-in each, due at ``due``;
    returns {check-in id: her user id}. Written in bulk: thousands take a moment."""
    users = [f"U{team_id}{i:05d}" for i in range(n)]
    for user in users:
        fake.add_user(user, team_id=team_id, tz="UTC")
    with db.session() as s:
        if s.get(Workspace, team_id) is None:
            s.add(Workspace(team_id=team_id, name=team_id, installed_at=NOW - timedelta(days=9)))
            s.flush()
        c = s.connection()
        coachee_ids = _insert(
            c,
            Coachee,
            [
                dict(
                    team_id=team_id,
                    slack_user_id=user,
                    tz="UTC",
                    start_step=3,
                    current_step=3,
                    current_challenge_id=CHALLENGE,
                    dm_channel_id=fake.dm_channel(user) if dm_known else None,
                    onboarded_at=NOW - timedelta(days=3),
                    created_at=NOW,
                    updated_at=NOW,
                )
                for user in users
            ],
        )
        meeting_ids = _insert(
            c,
            Meeting,
            [
                dict(
                    team_id=team_id,
                    coachee_id=coachee_id,
                    name="Planning",
                    weekdays=0b0011111,
                    start_time=clock_time(15, 0),
                    duration_minutes=30,
                    tz="UTC",
                    active=True,
                    source="manual",
                    planned_until=NOW + timedelta(days=30),
                    created_at=NOW,
                    updated_at=NOW,
                )
                for coachee_id in coachee_ids
            ],
        )
        start = due + meeting_in
        checkin_ids = _insert(
            c,
            Checkin,
            [
                dict(
                    team_id=team_id,
                    coachee_id=coachee_id,
                    meeting_id=meeting_id,
                    kind="pre",
                    occurrence_start=start,
                    due_at=due,
                    send_until=start,
                    expires_at=start,
                    status="pending",
                    send_attempts=0,
                    created_at=NOW,
                )
                for coachee_id, meeting_id in zip(coachee_ids, meeting_ids, strict=True)
            ],
        )
        return dict(zip(checkin_ids, users, strict=True))


def _insert(connection: sa.Connection, model, rows: list[dict]) -> list[int]:
    statement = sa.insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(connection.execute(statement, rows).scalars())


@pytest.fixture
def fake(fake_slack: FakeSlack) -> FakeSlack:
    for team_id, token in TOKENS.items():
        fake_slack.add_workspace(team_id, token)
    return fake_slack


def _dispatcher(
    db: Database, fake: FakeSlack, database_url: str, clock: FakeClock, tokens: dict, **options
) -> Dispatcher:
    """The dispatcher as the app builds it, its one client carrying a token of a third
    workspace: only the token each call names can reach her."""
    client = make_client(make_settings(fake, database_url), retry_rate_limits=False)
    sender = SlackCheckinSender(client, token_for=lambda team_id, _org: tokens.get(team_id))
    coaching = CoachingService(db, clock, load_ladder())
    return Dispatcher(db, clock, coaching, sender, owner="A", **options)


def _statuses(db: Database, ids) -> dict[int, str]:
    with db.session() as s:
        rows = s.exec(select(Checkin.id, Checkin.status).where(Checkin.id.in_(list(ids)))).all()
    return dict(rows)


def _received(fake: FakeSlack, user_id: str) -> list[str]:
    """The texts of the DMs she got."""
    return [m["text"] for m in fake.messages(fake.dm_channel(user_id))]


def test_each_checkin_goes_out_with_its_own_workspaces_token(
    db: Database, fake: FakeSlack, database_url: str
):
    big = _people(db, fake, BIG, 3)
    small = _people(db, fake, SMALL, 2, dm_known=True)
    # One of the big workspace's people has a buddy, told before the meeting.
    fake.add_user("UBUDDY", team_id=BIG, tz="UTC")
    with db.session() as s:
        mila = s.exec(
            select(Coachee).where(Coachee.slack_user_id == next(iter(big.values())))
        ).one()
        s.add(Buddy(team_id=BIG, coachee_id=mila.id, buddy_user_id="UBUDDY", status="active"))
    clock = FakeClock(NOW)
    dispatcher = _dispatcher(db, fake, database_url, clock, TOKENS)
    assert dispatcher.tick() == 5
    dispatcher.close()

    assert set(_statuses(db, [*big, *small]).values()) == {"sent"}
    for user in [*big.values(), *small.values()]:
        [text] = _received(fake, user)
        assert text.startswith("Planning starts at 15:00")
    assert len(_received(fake, "UBUDDY")) == 1
    # Every call was made with the token of the workspace it named, and Slack took it.
    team_of = {**dict.fromkeys(big.values(), BIG), **dict.fromkeys(small.values(), SMALL)}
    team_of["UBUDDY"] = BIG
    methods = set()
    for call in fake.calls:
        user = call.args.get("users") or call.args["channel"].removeprefix("D")
        assert call.headers["authorization"] == f"Bearer {TOKENS[team_of[user]]}"
        assert call.response["ok"], call.response
        methods.add(call.method)
    assert methods == {"conversations.open", "chat.postMessage"}


def test_a_token_for_another_workspace_is_refused_by_slack(fake: FakeSlack, database_url: str):
    """The fake holds every call to the workspace its token belongs to."""
    fake.add_user("UIN_BIG", team_id=BIG)
    client = make_client(make_settings(fake, database_url), retry_rate_limits=False)
    opened = client.conversations_open(users="UIN_BIG", token=TOKENS[BIG])
    assert opened["channel"]["id"] == fake.dm_channel("UIN_BIG")
    for token in (TOKENS[SMALL], None):  # another workspace's, or the client's own
        with pytest.raises(SlackApiError) as refused:
            auth = {"token": token} if token else {}
            client.chat_postMessage(channel=fake.dm_channel("UIN_BIG"), text="hi", **auth)
        assert refused.value.response["error"] == "invalid_auth"
    assert fake.messages(fake.dm_channel("UIN_BIG")) == []


def test_a_workspace_without_a_token_keeps_its_checkins_and_the_others_go_out(
    db: Database, fake: FakeSlack, database_url: str
):
    revoked = _people(db, fake, BIG, 3)
    other = _people(db, fake, SMALL, 2)
    clock = FakeClock(NOW)
    tokens = {SMALL: TOKENS[SMALL]}  # the big workspace's token is gone (for now)
    dispatcher = _dispatcher(db, fake, database_url, clock, tokens)
    for _ in range(3):
        dispatcher.tick()
        clock.advance(seconds=1)
    assert set(_statuses(db, other).values()) == {"sent"}
    with db.session() as s:
        rows = s.exec(select(Checkin).where(Checkin.id.in_(list(revoked)))).all()
    # Not sent, not lost, not counted as failed tries: they wait for the token.
    assert {(r.status, r.send_attempts) for r in rows} == {("pending", 0)}
    assert all(_received(fake, user) == [] for user in revoked.values())
    assert [c for c in fake.calls if c.headers["authorization"] != f"Bearer {TOKENS[SMALL]}"] == []

    tokens[BIG] = TOKENS[BIG]  # reinstalled: its check-ins go out once the hold is over
    clock.advance(seconds=60)
    dispatcher.tick()
    dispatcher.close()
    assert set(_statuses(db, revoked).values()) == {"sent"}
    assert all(len(_received(fake, user)) == 1 for user in [*revoked.values(), *other.values()])


def test_a_burst_of_5000_on_a_spent_budget_leaves_another_workspaces_on_time(
    db: Database, fake: FakeSlack, database_url: str
):
    """The big workspace has 5,000 check-ins due a minute ago, with nearer deadlines,
    and its budget (60 a minute) is spent; the small one's 5 fall due now."""
    per_minute = 60
    big = _people(db, fake, BIG, 5000, due=NOW - timedelta(minutes=1), dm_known=True)
    small = _people(db, fake, SMALL, 5, meeting_in=timedelta(minutes=30), dm_known=True)
    with db.session() as s:  # what the last minute's sends left in its bucket
        ratelimits.take(s, team_id=BIG, wanted=5000, per_minute=per_minute, now=NOW)
    clock = FakeClock(NOW)
    dispatcher = _dispatcher(db, fake, database_url, clock, TOKENS, per_minute=per_minute)
    delivered_by_tick = []
    for _ in range(2):
        dispatcher.tick()
        delivered_by_tick.append(sum(len(_received(fake, u)) for u in small.values()))
        clock.advance(seconds=1)
    dispatcher.close()
    assert delivered_by_tick[-1] == 5  # within two ticks (here: the first)
    assert set(_statuses(db, small).values()) == {"sent"}
    assert all(len(_received(fake, user)) == 1 for user in small.values())
    # The big workspace stays under its own budget: one send a second once refilled.
    sent_big = [i for i, status in _statuses(db, big).items() if status == "sent"]
    assert len(sent_big) == 1


def test_a_burst_without_a_budget_does_not_push_another_workspace_past_one_tick(
    db: Database, fake: FakeSlack, database_url: str
):
    """The big workspace has 5,000 due (earlier, and with nearer deadlines); the small
    one's 5 go out in the first tick, even one that ends after its first claim."""
    big = _people(db, fake, BIG, 5000, due=NOW - timedelta(minutes=1), dm_known=True)
    small = _people(db, fake, SMALL, 5, meeting_in=timedelta(minutes=30), dm_known=True)
    clock = FakeClock(NOW)
    dispatcher = _dispatcher(db, fake, database_url, clock, TOKENS)
    delivered = dispatcher.tick(budget_seconds=0)  # one claim, then the tick ends
    dispatcher.close()
    assert delivered == 32
    assert set(_statuses(db, small).values()) == {"sent"}
    assert all(len(_received(fake, user)) == 1 for user in small.values())
    statuses = _statuses(db, big)
    assert sum(s == "sent" for s in statuses.values()) == 27  # the rest of the claim
