"""Check-in rows: planning them, claiming the due ones with a lease, recording sends.

The database is the source of truth for what is due. Every app process runs the
same claim; a row is sent by the process holding its lease, and a lease left by a
process that died expires so another can take over.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, select

from bot.domain.stories import StorySlot
from bot.models import Checkin, CheckinKind, CheckinStatus, Coachee, Meeting
from bot.storage import ratelimits, stories
from bot.storage.db import Unit, connection_of, dialect_of, upsert

LEASE = timedelta(seconds=60)
# How many of the earliest-due rows a claim considers when it picks the nearest deadlines.
WINDOW = 512
# A claim of n rows chooses among the CANDIDATES * n first in turn.
CANDIDATES = 4

# The statements run once per check-in go to a connection (the session's, or the bare one
# of the dispatcher's transaction): as ORM statements they would also synchronise the
# session, which costs more than they do.


def upsert_planned(unit: Unit, rows: Iterable[dict]) -> None:
    """Insert planned check-ins; one cancelled by an earlier edit comes back to life."""
    rows = list(rows)
    if not rows:
        return
    statement = upsert(unit, Checkin).values(rows)
    excluded = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=["meeting_id", "occurrence_start", "kind"],
        set_={
            "status": CheckinStatus.PENDING,
            "due_at": excluded.due_at,
            "send_until": excluded.send_until,
            "expires_at": excluded.expires_at,
            "lease_owner": None,
            "lease_until": None,
        },
        where=Checkin.status == CheckinStatus.CANCELLED,
    )
    unit.execute(statement)


def cancel_pending(
    session: Session,
    *,
    coachee_id: int,
    meeting_id: int | None = None,
    kinds: Iterable[str] | None = None,
    occurring_after: datetime | None = None,
) -> int:
    """Cancel her pending check-ins (of one meeting, of some kinds, of meetings that
    have not started yet); returns how many."""
    statement = sa.update(Checkin).where(
        Checkin.coachee_id == coachee_id, Checkin.status == CheckinStatus.PENDING
    )
    if occurring_after is not None:
        statement = statement.where(Checkin.occurrence_start > occurring_after)
    if meeting_id is not None:
        statement = statement.where(Checkin.meeting_id == meeting_id)
    if kinds is not None:
        statement = statement.where(Checkin.kind.in_(list(kinds)))
    return session.execute(statement.values(status=CheckinStatus.CANCELLED)).rowcount or 0


def of_occurrences_after(
    session: Session, *, meeting_id: int, after: datetime, kinds: Iterable[str]
) -> list[Checkin]:
    """The meeting's check-ins of these kinds for occurrences starting after ``after``,
    read afresh (rows loaded earlier in the session may be stale)."""
    return session.exec(
        select(Checkin)
        .where(
            Checkin.meeting_id == meeting_id,
            Checkin.kind.in_(list(kinds)),
            Checkin.occurrence_start > after,
        )
        .execution_options(populate_existing=True)
    ).all()


def cancel_pending_ids(session: Session, *, ids: list[int]) -> int:
    """Cancel these check-ins if they are still pending; returns how many."""
    if not ids:
        return 0
    statement = (
        sa.update(Checkin)
        .where(Checkin.id.in_(ids), Checkin.status == CheckinStatus.PENDING)
        .values(status=CheckinStatus.CANCELLED)
    )
    return session.execute(statement).rowcount or 0


def retime_pending(session: Session, *, checkin_id: int, times: dict) -> None:
    """New due and expiry times for a check-in that is still pending."""
    session.execute(
        sa.update(Checkin)
        .where(Checkin.id == checkin_id, Checkin.status == CheckinStatus.PENDING)
        .values(**times)
    )


def move_occurrence(
    session: Session, *, meeting_id: int, old: datetime, new: datetime, kinds: Iterable[str]
) -> int:
    """Move an occurrence's check-ins (sent ones too) from ``old`` to ``new``; returns how
    many moved. A slot (meeting, start, kind) holds one row: a cancelled row in the way
    goes (it has no history); a live one keeps its slot and the moving row stays put."""
    count = 0
    rows = session.execute(
        select(Checkin.id, Checkin.kind).where(
            Checkin.meeting_id == meeting_id,
            Checkin.occurrence_start == old,
            Checkin.kind.in_(list(kinds)),
        )
    ).all()
    for row in rows:
        taken = session.execute(
            select(Checkin.id, Checkin.status).where(
                Checkin.meeting_id == meeting_id,
                Checkin.occurrence_start == new,
                Checkin.kind == row.kind,
            )
        ).first()
        if taken is not None:
            if taken.status != CheckinStatus.CANCELLED:
                continue
            session.execute(sa.delete(Checkin).where(Checkin.id == taken.id))
        session.execute(sa.update(Checkin).where(Checkin.id == row.id).values(occurrence_start=new))
        count += 1
    return count


def claim_due(
    session: Session, *, now: datetime, owner: str, limit: int, per_minute: int | None = None
) -> list[int]:
    """Take a lease on up to ``limit`` due rows nobody else holds; returns their ids.

    Fair between workspaces: each due workspace gets its turn in every claim, one
    row after another (its nearest deadline first: a pre-meeting check-in is useless
    once the meeting starts; a post-meeting one keeps for hours), so one workspace's
    burst never holds up another's. Workspaces that Slack told to wait are skipped,
    and with ``per_minute`` so are those that spent their sending budget; the rows
    of the others are paced by their budget (storage.ratelimits).

    PostgreSQL: row locks with SKIP LOCKED, so processes claim disjoint rows at once.
    SQLite: the session holds the write lock (BEGIN IMMEDIATE), so claims are serial.
    """
    due = _claim_statement(session.bind.dialect.name, paced=per_minute is not None)
    params = {"c_now": now, "c_limit": limit, "c_among": CANDIDATES * limit}
    rows = session.connection().execute(due, params).all()
    if per_minute is not None:
        rows = _within_budget(session, rows, per_minute=per_minute, now=now)
    ids = [row.id for row in rows]
    if not ids:
        return []
    session.connection().execute(
        _TAKE_LEASES, {"c_ids": ids, "c_owner": owner, "c_until": now + LEASE}
    )
    return ids


_TAKE_LEASES = (
    sa.update(Checkin)
    .where(Checkin.id.in_(sa.bindparam("c_ids", expanding=True)))
    .values(
        lease_owner=sa.bindparam("c_owner"),
        lease_until=sa.bindparam("c_until"),
        send_attempts=Checkin.send_attempts + 1,
    )
)


@functools.cache
def _claim_statement(dialect: str, *, paced: bool) -> sa.Select:
    """The query of claim_due, built once: every process runs it several times a
    second, and building a statement this size and finding it in SQLAlchemy's cache
    cost more CPU than PostgreSQL spends running it. Parameters: c_now, c_limit and
    c_among (CANDIDATES * c_limit)."""
    now = sa.bindparam("c_now", type_=Checkin.__table__.c.due_at.type)
    claimable = (
        Checkin.status == CheckinStatus.PENDING,
        Checkin.due_at <= now,
        sa.or_(Checkin.lease_until.is_(None), Checkin.lease_until < now),
    )
    eligible = (*claimable, Checkin.team_id.not_in(ratelimits.must_wait(now, paced=paced)))
    candidates = _candidates(eligible, sa.bindparam("c_limit"), sa.bindparam("c_among"))
    due = (
        sa.select(Checkin.id, Checkin.team_id)
        .join(candidates, candidates.c.id == Checkin.id)
        # The conditions again, on the row itself: PostgreSQL re-checks them on a row
        # another process claimed while this statement waited for its lock.
        .where(*claimable)
        .order_by(
            candidates.c.turn,
            Checkin.send_until,
            candidates.c.served.nulls_first(),
            Checkin.coachee_id,
            Checkin.id,
        )
        .limit(sa.bindparam("c_limit"))
    )
    if dialect == "postgresql":
        due = due.with_for_update(of=Checkin, skip_locked=True)
    return due


def _candidates(eligible: tuple, limit, among) -> sa.Subquery:
    """The rows a claim chooses from, each with its workspace's turn (1 for its nearest
    deadline, 2 for the next, ...; one person's rows with one deadline share it), the
    first ``among`` in turn order (CANDIDATES times the claim's ``limit``): the rows
    PostgreSQL skips because another process is claiming them leave enough.

    The WINDOW earliest due come from the (status, due_at) index, which stops there;
    a workspace with none of them (behind another's burst) adds its own due rows.
    Rows beyond the window of a workspace in it wait for a later claim, so one big
    backlog is never read and sorted whole, while every due workspace has a turn.
    """
    columns = (Checkin.id, Checkin.team_id, Checkin.send_until, Checkin.coachee_id)
    head = select(*columns).where(*eligible).order_by(Checkin.due_at).limit(WINDOW).cte("head")
    behind = select(*columns).where(*eligible, Checkin.team_id.not_in(select(head.c.team_id)))
    rows = sa.union_all(select(*head.c), behind).subquery("due")
    # Her check-ins with one deadline share a turn and come one after another, so one
    # claim takes them together and its senders take turns in her DM (a second apart,
    # as Slack wants); split between processes they would go at once, the second
    # refused with 429.
    in_order = (rows.c.send_until, rows.c.coachee_id)
    turn = sa.func.dense_rank().over(partition_by=rows.c.team_id, order_by=in_order)
    # Among equal turns and deadlines, the workspace served longest ago goes first (its
    # budget's last draw), so a thousand workspaces due at once all get their first
    # check-in early instead of the lowest ids claim after claim.
    drawn = ratelimits.last_drawn()
    ranked = (
        select(
            rows.c.id,
            rows.c.send_until,
            rows.c.coachee_id,
            turn.label("turn"),
            drawn.c.at.label("served"),
        )
        .select_from(rows.outerjoin(drawn, drawn.c.team_id == rows.c.team_id))
        .subquery("ranked")
    )
    return (
        select(ranked.c.id, ranked.c.turn, ranked.c.served)
        .where(ranked.c.turn <= limit)
        .order_by(
            ranked.c.turn,
            ranked.c.send_until,
            ranked.c.served.nulls_first(),
            ranked.c.coachee_id,
            ranked.c.id,
        )
        .limit(among)
        .subquery("candidates")
    )


def _within_budget(session: Session, rows: list, *, per_minute: int, now: datetime) -> list:
    wanted: dict[str, int] = {}
    for row in rows:
        wanted[row.team_id] = wanted.get(row.team_id, 0) + 1
    allowed = ratelimits.take_each(session, wanted=wanted, per_minute=per_minute, now=now)
    kept = []
    for row in rows:  # in the claim's order
        if allowed[row.team_id] > 0:
            allowed[row.team_id] -= 1
            kept.append(row)
    return kept


# Built once: these run for every check-in sent, and a statement built anew each time
# costs more to build and to look up in SQLAlchemy's cache than to run.
def _renew_lease(checkin_id: sa.BindParameter) -> sa.Update:
    return (
        sa.update(Checkin)
        .where(
            Checkin.id == checkin_id,
            Checkin.status == CheckinStatus.PENDING,
            Checkin.lease_owner == sa.bindparam("p_owner"),
            Checkin.lease_until >= sa.bindparam("p_now"),
            ratelimits.not_blocked(Checkin.team_id, sa.bindparam("p_now")),
        )
        .values(lease_until=sa.bindparam("p_until"))
    )


_RENEW_LEASE = _renew_lease(sa.bindparam("p_id"))


def renew_lease(
    unit: Unit, *, checkin_id: int, owner: str, now: datetime, until: datetime | None = None
) -> bool:
    """Extend our lease (to ``until``, else a LEASE from now) right before sending;
    False if it was lost (expired and taken), or if Slack asked the workspace to wait."""
    until = now + LEASE if until is None else until
    params = {"p_id": checkin_id, "p_owner": owner, "p_now": now, "p_until": until}
    return connection_of(unit).execute(_RENEW_LEASE, params).rowcount == 1


def defer(unit: Unit, *, checkin_id: int, owner: str, to: datetime) -> None:
    """Hold our row back until ``to`` without counting it as a failed try."""
    connection_of(unit).execute(
        sa.update(Checkin)
        .where(
            Checkin.id == checkin_id,
            Checkin.status == CheckinStatus.PENDING,
            Checkin.lease_owner == owner,
        )
        .values(
            lease_until=to,
            send_attempts=sa.case((Checkin.send_attempts > 0, Checkin.send_attempts - 1), else_=0),
        )
    )


def _mark_sent(checkin_id: sa.BindParameter) -> sa.Update:
    return (
        sa.update(Checkin)
        .where(Checkin.id == checkin_id)
        .values(
            status=CheckinStatus.SENT,
            channel_id=sa.bindparam("p_channel"),
            message_ts=sa.bindparam("p_ts"),
            challenge_id=sa.func.coalesce(Checkin.challenge_id, sa.bindparam("p_challenge")),
            sent_at=sa.bindparam("p_now"),
            lease_owner=None,
            lease_until=None,
        )
    )


_MARK_SENT = _mark_sent(sa.bindparam("p_id"))


def mark_sent(
    unit: Unit, *, checkin_id: int, channel: str, ts: str, challenge_id: str, now: datetime
) -> bool:
    """Record the delivery and the challenge it carried (unless she swapped it since);
    False if the row is gone (she asked to be forgotten)."""
    params = {
        "p_id": checkin_id,
        "p_channel": channel,
        "p_ts": ts,
        "p_challenge": challenge_id,
        "p_now": now,
    }
    return connection_of(unit).execute(_MARK_SENT, params).rowcount == 1


class Delivery(NamedTuple):
    """A check-in just posted: where, and the challenge it carried."""

    checkin_id: int
    channel: str
    ts: str
    challenge_id: str


class Handover(NamedTuple):
    recorded: bool  # the delivery is recorded (False: she asked to be forgotten meanwhile)
    renewed: bool  # the next check-in may be sent now (renew_lease)
    story: bool  # and her story slot of the week is claimed for it


def hand_over(
    unit: Unit,
    *,
    sent: Delivery | None,
    checkin_id: int | None,
    owner: str,
    now: datetime,
    story: StorySlot | None = None,
) -> Handover:
    """The dispatcher's writes between two posts, in the caller's unit: record
    the check-in just ``sent`` (mark_sent), renew our lease on ``checkin_id``, the one
    about to go (renew_lease), and, when her story of the week is due beside it, claim
    its slot (stories.claim_story_slot), only if the lease was renewed.

    On PostgreSQL the three are one statement: each round trip to the server cost the
    dispatcher more CPU than the update it carried (bench/dispatch.py): one statement,
    one round trip when it stands alone (Database.one_statement), where three in a
    transaction made five. SQLite has no round trips to save (and no updates inside a
    WITH): one after another, in a transaction.
    """
    if dialect_of(unit) != "postgresql":
        recorded = sent is not None and mark_sent(unit, now=now, **sent._asdict())
        renewed = checkin_id is not None and renew_lease(
            unit, checkin_id=checkin_id, owner=owner, now=now
        )
        claimed = (
            renewed
            and story is not None
            and stories.claim_story_slot(
                unit, coachee_id=story.coachee_id, now=now, not_since=story.week_start
            )
        )
        return Handover(recorded, renewed, claimed)
    params = {
        "p_sent": None if sent is None else sent.checkin_id,
        "p_channel": None if sent is None else sent.channel,
        "p_ts": None if sent is None else sent.ts,
        "p_challenge": None if sent is None else sent.challenge_id,
        "p_id": checkin_id,
        "p_owner": owner,
        "p_now": now,
        "p_until": now + LEASE,
        "p_coachee": None if story is None else story.coachee_id,
        "p_since": None if story is None else story.week_start,
    }
    return Handover(*connection_of(unit).execute(_HAND_OVER, params).one())


def _hand_over() -> sa.Select:
    # Updates in a WITH all run, each once; the story's waits on the renewal's RETURNING.
    sent = _mark_sent(sa.bindparam("p_sent")).returning(Checkin.id).cte("sent")
    renewed = _renew_lease(sa.bindparam("p_id")).returning(Checkin.id).cte("renewed")
    story = (
        stories.claim_slot_statement(sa.bindparam("p_coachee"))
        .where(sa.exists(renewed.select()))
        .returning(Coachee.id)
        .cte("story")
    )
    return sa.select(*(sa.exists(cte.select()).label(cte.name) for cte in (sent, renewed, story)))


_HAND_OVER = _hand_over()


_REMINDER_BASIS = (
    sa.select(Checkin.team_id, Checkin.coachee_id, Checkin.meeting_id)
    .add_columns(Checkin.occurrence_start, Checkin.expires_at, Coachee.reminder_minutes)
    .add_columns(Coachee.tz, Coachee.working_hours_start, Coachee.working_hours_end)
    .join(Coachee, Coachee.id == Checkin.coachee_id)
    .where(Checkin.id == sa.bindparam("p_id"))
)


def reminder_basis(unit: Unit, *, checkin_id: int) -> sa.Row | None:
    """What the reminder of a post-meeting check-in just sent is planned from, in one
    read: the check-in's meeting, occurrence and answer deadline, and her reminder
    setting, time zone and working hours."""
    return connection_of(unit).execute(_REMINDER_BASIS, {"p_id": checkin_id}).one_or_none()


def get_checkin(session: Session, *, checkin_id: int) -> Checkin | None:
    return session.get(Checkin, checkin_id)


class HerCheckin(NamedTuple):
    coachee: Coachee | None  # None: nobody of that id in the workspace
    checkin: Checkin | None  # None: no such check-in, or not hers
    meeting_name: str | None


# Her row locked until commit (as coachees.get_coachee(lock=True): a double click takes
# turns), her check-in and its meeting's name: three reads in one, as every answer to a
# check-in starts with all three.
_HER_CHECKIN = (
    select(Coachee, Checkin, Meeting.name)
    .outerjoin(
        Checkin,
        sa.and_(
            Checkin.id == sa.bindparam("checkin_id"),
            Checkin.coachee_id == Coachee.id,
            Checkin.team_id == Coachee.team_id,
        ),
    )
    .outerjoin(Meeting, Meeting.id == Checkin.meeting_id)
    .where(
        Coachee.team_id == sa.bindparam("team_id"),
        Coachee.slack_user_id == sa.bindparam("slack_user_id"),
    )
    .with_for_update(of=Coachee)
)


def her_checkin(
    session: Session, *, team_id: str, slack_user_id: str, checkin_id: int
) -> HerCheckin:
    """Her row (locked), her check-in ``checkin_id`` and its meeting's name, in one read."""
    params = {"team_id": team_id, "slack_user_id": slack_user_id, "checkin_id": checkin_id}
    row = session.execute(_HER_CHECKIN, params).first()
    return HerCheckin(None, None, None) if row is None else HerCheckin(*row)


_CLOSE_LEASED = (
    sa.update(Checkin)
    .where(
        Checkin.id == sa.bindparam("p_id"),
        Checkin.status == CheckinStatus.PENDING,
        Checkin.lease_owner == sa.bindparam("p_owner"),
    )
    .values(status=sa.bindparam("p_status"), lease_owner=None, lease_until=None)
)


_FAIL_LEASED = _CLOSE_LEASED.values(last_error=sa.bindparam("p_error"))


def close_leased(
    unit: Unit, *, checkin_id: int, owner: str, status: str, error: str | None = None
) -> bool:
    """Close a row we hold the lease on without sending it (no longer useful, not
    wanted any more, failed with ``error``): it is never claimed again. False if the
    row is not ours any more: a send that outlasted its lease may find that another
    process took it over and sent it meanwhile."""
    params = {"p_id": checkin_id, "p_owner": owner, "p_status": status}
    if error is not None:
        params["p_error"] = error[:255]
    statement = _CLOSE_LEASED if error is None else _FAIL_LEASED
    return connection_of(unit).execute(statement, params).rowcount == 1


def leased_attempts(unit: Unit, *, checkin_id: int, owner: str) -> int | None:
    """How many times our row has been tried (each claim is a try); None if it is not
    ours any more (taken over, sent, closed, or forgotten)."""
    return (
        connection_of(unit)
        .execute(
            sa.select(Checkin.send_attempts).where(
                Checkin.id == checkin_id,
                Checkin.status == CheckinStatus.PENDING,
                Checkin.lease_owner == owner,
            )
        )
        .scalar_one_or_none()
    )


def back_off(unit: Unit, *, checkin_id: int, owner: str, until: datetime, error: str) -> bool:
    """Keep our lease on a row whose try failed until ``until``, the wait before the
    next try, noting the error; False if the row is not ours any more."""
    return (
        connection_of(unit)
        .execute(
            sa.update(Checkin)
            .where(
                Checkin.id == checkin_id,
                Checkin.status == CheckinStatus.PENDING,
                Checkin.lease_owner == owner,
            )
            .values(lease_until=until, last_error=error[:255])
        )
        .rowcount
        == 1
    )


def holds_lease(checkin, *, owner: str, now: datetime) -> bool:
    return (
        checkin.status == CheckinStatus.PENDING
        and checkin.lease_owner == owner
        and checkin.lease_until is not None
        and checkin.lease_until >= now
    )


def pending_for(session: Session, *, coachee_id: int) -> list[Checkin]:
    return list(
        session.exec(
            select(Checkin)
            .where(Checkin.coachee_id == coachee_id, Checkin.status == CheckinStatus.PENDING)
            .order_by(Checkin.due_at)
        ).all()
    )


def reminder_for(session: Session, *, post_checkin: Checkin) -> Checkin | None:
    return session.exec(
        select(Checkin).where(
            Checkin.meeting_id == post_checkin.meeting_id,
            Checkin.occurrence_start == post_checkin.occurrence_start,
            Checkin.kind == CheckinKind.REMINDER,
        )
    ).first()


def queue_depth(
    connection: sa.Connection, *, now: datetime, overdue_before: datetime
) -> tuple[int, int]:
    """How many check-ins are due and unsent now, and how many of them fell due before
    ``overdue_before``: a range of the (status, due_at) index, nothing planned ahead."""
    due, overdue = connection.execute(
        sa.select(
            sa.func.count(),
            sa.func.count().filter(Checkin.due_at < overdue_before),
        ).where(Checkin.status == CheckinStatus.PENDING, Checkin.due_at <= now)
    ).one()
    return due, overdue
