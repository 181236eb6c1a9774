"""Every table of the product, in one place.

Every row carries the Slack team id, so one database can serve many workspaces.
Instants are stored in UTC (naive ``DateTime`` columns hold UTC by convention on
SQLite; PostgreSQL columns are ``timestamptz``); local wall-clock values (a
meeting's start time) are stored with their IANA zone name.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from bot.domain.attempts import Felt, Outcome  # noqa: F401  (stored as their values)
from bot.storage.installations import register_tables


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _utc(*, nullable: bool = False, index: bool = False) -> sa.Column:
    return sa.Column(UTCDateTime(), nullable=nullable, index=index)


def _now() -> datetime:
    # Only a default for rows written outside a service; services pass the clock's time.
    return datetime.now(UTC)


class CheckinKind(StrEnum):
    PRE = "pre"
    POST = "post"
    REMINDER = "reminder"


class CheckinStatus(StrEnum):
    PENDING = "pending"  # due in the future or claimable now
    SENT = "sent"  # delivered; waiting for an answer
    ANSWERED = "answered"
    SKIPPED = "skipped"  # she chose to skip this meeting
    EXPIRED = "expired"  # no longer useful (meeting started, 24 h passed, app was down)
    CANCELLED = "cancelled"  # meeting edited or removed, user paused or left
    FAILED = "failed"  # Slack refused for good (e.g. account_inactive)


class CelebrationKind(StrEnum):
    WIN = "win"
    FIRST_WIN = "first_win"
    STEP_UP = "step_up"
    STREAK = "streak"
    TOP_OF_LADDER = "top_of_ladder"


class CelebrationStatus(StrEnum):
    OFFERED = "offered"  # she was asked whether to share it
    SHARED = "shared"
    DECLINED = "declined"
    FAILED = "failed"  # the channel refused; can be retried
    PRIVATE = "private"  # DM only (she has not opted in)


class MeetingSource(StrEnum):
    MANUAL = "manual"  # typed by her in /voice meetings
    CALENDAR = "calendar"  # a series she ticked in /voice calendar


# A calendar series is its UID, which RFC 5545 does not bound: Google's are ~30-60
# characters, Exchange's (a hex Global Object ID) 100-200. 512 leaves room and keeps
# the unique index small; the sync skips a longer one. An occurrence's key is the UID,
# a space and its RECURRENCE-ID in UTC ("20260302T080000Z"): 17 more.
CALENDAR_SERIES_MAX = 512
CALENDAR_KEY_MAX = CALENDAR_SERIES_MAX + 17


class BuddyStatus(StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    DECLINED = "declined"
    ENDED = "ended"


class Workspace(SQLModel, table=True):
    """A Slack workspace the app is installed in.

    ``team_id`` is the installation's key, the one every other table's ``team_id`` names:
    the workspace id, or for an org-wide (Enterprise Grid) install the enterprise id (a
    person is then the same person in every workspace of the org). ``enterprise_id`` is
    the org a workspace belongs to, if any.
    """

    team_id: str = Field(primary_key=True, max_length=32)
    name: str | None = Field(default=None, max_length=255)
    enterprise_id: str | None = Field(default=None, max_length=32)
    is_enterprise_install: bool = Field(
        default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false())
    )
    installed_at: datetime = Field(default_factory=_now, sa_column=_utc())
    uninstalled_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class Coachee(SQLModel, table=True):
    """A person using Voice Coach, her answers and her preferences."""

    __table_args__ = (sa.UniqueConstraint("team_id", "slack_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    slack_user_id: str = Field(max_length=32)
    tz: str = Field(default="UTC", max_length=64)
    goal: str | None = Field(default=None, max_length=500)
    self_placement: str | None = Field(default=None, max_length=32)
    start_confidence: int | None = None
    start_step: int | None = None
    current_step: int | None = None
    current_challenge_id: str | None = Field(default=None, max_length=64)
    # She swapped to it herself: the pool's picks leave it alone until her step changes.
    challenge_hers: bool = Field(
        default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false())
    )
    # Evidence for the progression policy: her attempts after this one (None: all),
    # i.e. since she reached her current step or last turned an offer down.
    evidence_after_attempt_id: int | None = None
    # An offer of another step she has not answered yet ("up" / "down", and where to).
    offer_move: str | None = Field(default=None, max_length=8)
    offer_step: int | None = None
    share_wins: bool = False
    share_channel_id: str | None = Field(default=None, max_length=32)
    # Her DM with the app, once known: check-ins then need one Slack call, not two
    # (conversations.open is Tier 3, far below what a burst of check-ins needs).
    dm_channel_id: str | None = Field(default=None, max_length=32)
    pre_checkin_minutes: int = 15
    post_checkin_minutes: int = 5
    reminder_minutes: int = 120
    working_hours_start: time = time(9, 0)
    working_hours_end: time = time(18, 0)
    paused_until: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    # Coping stories in her DM (bot.domain.stories): on unless she turns them off; when
    # the last one was shown (at most one a week) and how many, to take turns.
    stories_on: bool = Field(
        default=True, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.true())
    )
    story_shown_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    stories_shown: int = Field(
        default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0")
    )
    # The "Settle your nerves" button in her pre-meeting DM (bot.domain.nerves): offered
    # unless she turns it off.
    nerves_on: bool = Field(
        default=True, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.true())
    )
    onboarded_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    created_at: datetime = Field(default_factory=_now, sa_column=_utc())
    updated_at: datetime = Field(default_factory=_now, sa_column=_utc())


class Pause(SQLModel, table=True):
    """A break she took (/voice pause); paused weeks don't break her streak."""

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    coachee_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("coachee.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    starts_at: datetime = Field(sa_column=_utc())
    ends_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class Meeting(SQLModel, table=True):
    """A meeting she wants to practise in: weekly on some weekdays, or on one date,
    typed by her or a series she ticked in her calendar (its occurrences are then in
    ``calendar_occurrence``)."""

    __table_args__ = (
        # One meeting per series of her calendar. Typed meetings have no series, and
        # NULLs never collide in a unique index (SQLite and PostgreSQL alike). An index,
        # not a constraint: SQLite adds it without copying the table.
        sa.Index("ix_meeting_calendar_series", "coachee_id", "calendar_series", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    coachee_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("coachee.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    name: str = Field(max_length=150)
    # Monday=0 … Sunday=6 as a bit mask (bit n set = weekday n); 0 with on_date set.
    weekdays: int = 0
    on_date: date | None = None
    start_time: time
    duration_minutes: int
    tz: str = Field(max_length=64)
    active: bool = True
    # Check-ins exist up to here; the planner extends the horizon as time passes.
    planned_until: datetime | None = Field(default=None, sa_column=_utc(nullable=True, index=True))
    source: str = Field(
        default=MeetingSource.MANUAL,
        max_length=16,
        sa_column_kwargs={"server_default": MeetingSource.MANUAL.value},
    )
    # The series' UID when source is "calendar".
    calendar_series: str | None = Field(default=None, max_length=CALENDAR_SERIES_MAX)
    created_at: datetime = Field(default_factory=_now, sa_column=_utc())
    updated_at: datetime = Field(default_factory=_now, sa_column=_utc())


class CalendarFeed(SQLModel, table=True):
    """Her calendar's private ICS link (sealed with SECRET_KEY) and its sync state.

    Feeds are synced like check-ins are sent: due rows (``next_sync_at``) are claimed
    with a lease, so one process at a time fetches a given calendar.
    """

    __tablename__ = "calendar_feed"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    # One calendar per person.
    coachee_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("coachee.id", ondelete="CASCADE"), nullable=False, unique=True
        )
    )
    # The link is a password: only ever stored sealed (bot.storage.crypto), and kept
    # out of the row's repr all the same.
    url_sealed: str = Field(sa_column=sa.Column(sa.Text, nullable=False), repr=False)
    host: str = Field(max_length=255)  # the link's host alone, for logs and the UI
    # The server's validators, sent back on the next fetch.
    etag: str | None = Field(default=None, max_length=255)
    last_modified: str | None = Field(default=None, max_length=255)
    # The last feed read in full (parsed and followed): when, and its digest
    # (bot.domain.calendar.feed_digest). The same digest again within
    # FULL_READ_EVERY means the same meetings: nothing to parse.
    read_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    read_digest: str | None = Field(default=None, max_length=64)
    next_sync_at: datetime = Field(sa_column=_utc(index=True))
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    last_synced_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    last_ok_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    # When the current run of failed syncs began (None: the last sync worked).
    failing_since: datetime | None = Field(default=None, sa_column=_utc(nullable=True, index=True))
    last_error: str | None = Field(default=None, max_length=32)  # a code, e.g. "not_found"
    # When she was told it keeps failing: at most once per run of failures.
    failure_noticed_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    created_at: datetime = Field(default_factory=_now, sa_column=_utc())
    updated_at: datetime = Field(default_factory=_now, sa_column=_utc())


class CalendarOccurrence(SQLModel, table=True):
    """One occurrence of a calendar series she ticked, as the last sync saw it.

    Nothing else of her calendar is stored.
    """

    __tablename__ = "calendar_occurrence"

    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "key"),
        # Serves both "this meeting's occurrences" and "those between two instants".
        sa.Index("ix_calendar_occurrence_meeting_start", "meeting_id", "start"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    meeting_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), nullable=False)
    )
    # (UID, RECURRENCE-ID) as one string: the occurrence's identity across syncs.
    key: str = Field(max_length=CALENDAR_KEY_MAX)
    start: datetime = Field(sa_column=_utc())
    end: datetime = Field(sa_column=_utc())


class Checkin(SQLModel, table=True):
    """One due DM: the database, not a scheduler's memory, says what is due.

    Rows are claimed with a lease (``lease_until``) so that each is sent by
    exactly one process, whatever crashes or restarts happen.
    """

    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "occurrence_start", "kind"),
        sa.Index("ix_checkin_due", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    coachee_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("coachee.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    meeting_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("meeting.id", ondelete="SET NULL"), nullable=True),
    )
    kind: str = Field(max_length=16)
    occurrence_start: datetime = Field(sa_column=_utc())
    due_at: datetime = Field(sa_column=_utc())
    # Not sent after this (a check-in missed while the app was down goes out late
    # only while it is still useful); answers are taken until expires_at.
    send_until: datetime = Field(sa_column=_utc())
    expires_at: datetime = Field(sa_column=_utc())
    status: str = Field(default=CheckinStatus.PENDING, max_length=16)
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    send_attempts: int = 0
    channel_id: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
    sent_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    answered_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    challenge_id: str | None = Field(default=None, max_length=64)
    confidence: int | None = None  # her answer before the meeting (pre check-ins)
    last_error: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=_now, sa_column=_utc())


class Attempt(SQLModel, table=True):
    """One try at a challenge, from a check-in or logged by hand. Private to her."""

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    coachee_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("coachee.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    # Unique: a check-in records at most one attempt, however often it is answered.
    checkin_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.ForeignKey("checkin.id", ondelete="SET NULL"), nullable=True, unique=True
        ),
    )
    meeting_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("meeting.id", ondelete="SET NULL"), nullable=True),
    )
    source: str = Field(default="scheduled", max_length=16)  # scheduled | logged
    meeting_name: str | None = Field(default=None, max_length=150)
    step: int
    challenge_id: str = Field(max_length=64)
    outcome: str | None = Field(default=None, max_length=16)
    felt: str | None = Field(default=None, max_length=16)
    confidence_before: int | None = None
    confidence_after: int | None = None
    reflection: str | None = Field(default=None, max_length=500)
    occurred_at: datetime = Field(sa_column=_utc())
    recorded_at: datetime = Field(default_factory=_now, sa_column=_utc())


class IfThenPlan(SQLModel, table=True):
    """Her if-then plan for one meeting ("When X, I will Y"), fixed in the pre-meeting
    check-in, and whether it fired, asked after. Private to her: never in a channel,
    never to a buddy."""

    __tablename__ = "if_then_plan"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    coachee_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("coachee.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    # The pre-meeting check-in it was made in: one plan per meeting occurrence.
    checkin_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("checkin.id", ondelete="CASCADE"), nullable=False, unique=True
        )
    )
    challenge_id: str = Field(max_length=64)
    text: str = Field(max_length=200)
    source: str = Field(max_length=16)  # suggested | own
    fired: str | None = Field(default=None, max_length=16)  # yes | partly | no
    created_at: datetime = Field(default_factory=_now, sa_column=_utc())
    fired_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class Celebration(SQLModel, table=True):
    """A win or milestone, and whether (and where) she chose to share it."""

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    coachee_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("coachee.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    attempt_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("attempt.id", ondelete="SET NULL"), nullable=True),
    )
    kind: str = Field(max_length=16)
    detail: str | None = Field(default=None, max_length=255)  # e.g. "5" for a 5-meeting streak
    status: str = Field(default=CelebrationStatus.PRIVATE, max_length=16)
    wording: str | None = Field(default=None, max_length=500)
    channel_id: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
    dm_channel_id: str | None = Field(default=None, max_length=32)
    dm_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=_now, sa_column=_utc())
    shared_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class SharedStory(SQLModel, table=True):
    """A win she chose to share anonymously, as a coping story for colleagues at her step.

    Only safe parts, as ids: the step, the challenge, the outcome and an optional
    pre-written phrase from the content. No free text, no meeting, no confidence, and
    no date is ever shown (``created_at`` is for her export). Deleted with her."""

    __tablename__ = "shared_story"

    __table_args__ = (sa.Index("ix_shared_story_team_step", "team_id", "step"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    coachee_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("coachee.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    # One share per win.
    celebration_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("celebration.id", ondelete="CASCADE"), nullable=False, unique=True
        )
    )
    step: int
    challenge_id: str = Field(max_length=64)
    outcome: str = Field(max_length=16)
    phrase_id: str | None = Field(default=None, max_length=40)
    created_at: datetime = Field(default_factory=_now, sa_column=_utc())


class NervesExercise(SQLModel, table=True):
    """A settle-your-nerves exercise she did (pressed "Done"), and whether it helped.

    Hers alone: what she is offered next depends on these answers (bot.domain.nerves);
    never shown to anyone else, in her export, deleted with her. One row per modal
    (``view_id``), so a submission Slack sends twice is recorded once."""

    __tablename__ = "nerves_exercise"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    coachee_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("coachee.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    # The pre-meeting check-in it was opened from, for her export (the answer stands on
    # its own: what she is offered next reads only exercise_id and helped).
    checkin_id: int | None = None
    exercise_id: str = Field(max_length=40)
    helped: str | None = Field(default=None, max_length=16)  # yes | a_little | not_really
    view_id: str = Field(max_length=32, unique=True)
    done_at: datetime = Field(default_factory=_now, sa_column=_utc())


class Cheer(SQLModel, table=True):
    """A teammate's cheer on a shared win; one per person per post."""

    __table_args__ = (sa.UniqueConstraint("celebration_id", "cheerer_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    celebration_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("celebration.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    cheerer_user_id: str = Field(max_length=32)
    created_at: datetime = Field(default_factory=_now, sa_column=_utc())
    notified_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class Buddy(SQLModel, table=True):
    """A colleague she chose to involve. Sees wins only."""

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    coachee_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("coachee.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    buddy_user_id: str = Field(max_length=32)
    status: str = Field(default=BuddyStatus.INVITED, max_length=16)
    invited_at: datetime = Field(default_factory=_now, sa_column=_utc())
    responded_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class RoundupSubscription(SQLModel, table=True):
    """A channel's weekly round-up of shared wins, turned on by one of its members."""

    __tablename__ = "roundup_subscription"

    __table_args__ = (sa.UniqueConstraint("team_id", "channel_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    channel_id: str = Field(max_length=32)
    enabled_by_user_id: str = Field(max_length=32)
    tz: str = Field(max_length=64)
    last_sent_week: str | None = Field(default=None, max_length=10)  # ISO week, e.g. 2026-W48
    created_at: datetime = Field(default_factory=_now, sa_column=_utc())


class ProcessedRequest(SQLModel, table=True):
    """Ids of Slack deliveries already handled, so Slack's retries change nothing."""

    __tablename__ = "processed_request"

    __table_args__ = (sa.UniqueConstraint("team_id", "request_key"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    request_key: str = Field(max_length=255)
    processed_at: datetime = Field(sa_column=_utc(index=True))


class RateLimit(SQLModel, table=True):
    """One workspace's sending budget for one Slack method, shared by every process.

    ``blocked_until``: Slack said ``ratelimited``; nobody sends before then.
    ``tokens`` / ``refilled_at``: a token bucket that paces scheduled sends;
    ``ready_at``: when it next holds a whole send (written at each draw).
    """

    __tablename__ = "rate_limit"

    __table_args__ = (sa.UniqueConstraint("team_id", "method"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    method: str = Field(max_length=64)
    blocked_until: datetime = Field(sa_column=_utc())
    tokens: float = Field(
        default=0.0, sa_column=sa.Column(sa.Float, nullable=False, server_default="0")
    )
    refilled_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    ready_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class ChallengeRating(SQLModel, table=True):
    """A challenge's difficulty learned from everyone who tried it (bot.domain.difficulty).

    ``team_id`` is the pool: a workspace, or ``"*"`` for all workspaces together (kept
    only when the operator sets POOL_ACROSS_WORKSPACES). No person is in it: a number
    per challenge, how many attempts moved it and how much they told (``information``).
    """

    __tablename__ = "challenge_rating"

    __table_args__ = (sa.UniqueConstraint("team_id", "challenge_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    challenge_id: str = Field(max_length=64)
    difficulty: float = Field(sa_column=sa.Column(sa.Float, nullable=False))
    attempts: int = 0
    information: float = Field(
        default=0.0, sa_column=sa.Column(sa.Float, nullable=False, server_default="0")
    )


class EfficacyCheck(SQLModel, table=True):
    """Her self-efficacy check (six items, 0-100 each): offered at onboarding (round 0)
    and every 4 weeks after (round n at n x 4 weeks). One row per round, whatever she
    did with it: the row is the claim (one DM per round, across processes). Her answers
    are hers alone: in her export, never in a channel, never to a buddy."""

    __tablename__ = "efficacy_check"

    __table_args__ = (sa.UniqueConstraint("coachee_id", "round"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    coachee_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("coachee.id", ondelete="CASCADE"), nullable=False)
    )
    round: int
    status: str = Field(max_length=16)  # offered | answered | skipped | failed
    offered_at: datetime = Field(sa_column=_utc())
    answered_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    item_1: int | None = None
    item_2: int | None = None
    item_3: int | None = None
    item_4: int | None = None
    item_5: int | None = None
    item_6: int | None = None
    looking_back: int | None = None  # how sure she now says she was 4 weeks ago
    # The offer DM, to update in place once answered or skipped.
    channel_id: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)


# slack_sdk's installation and OAuth state stores (many-workspace mode): their own
# tables, built by the stores' classmethods, so that migrations own them too.
SLACK_INSTALLATIONS, SLACK_BOTS, SLACK_OAUTH_STATES = register_tables(SQLModel.metadata)
