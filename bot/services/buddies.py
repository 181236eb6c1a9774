"""A buddy: a colleague she invites to cheer her on. Sees wins only, never misses,
confidence or reflections; she can remove them, and they can step down, any time."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from bot.clock import Clock
from bot.domain.ladder import Ladder
from bot.domain.persuasion import shared_win_line
from bot.models import Buddy, BuddyStatus, Coachee
from bot.services.coaching import onboarded_coachee
from bot.storage import buddies, celebrations
from bot.storage.db import Database


class BuddyError(Exception):
    """A friendly refusal: ``why`` says which (self, invalid, none, unknown)."""

    def __init__(self, why: str):
        super().__init__(why)
        self.why = why


@dataclass(frozen=True)
class Buddyship:
    id: int
    coachee_user_id: str
    buddy_user_id: str
    status: str
    # A real win she shared, for the buddy to name ("on Mon 2 Mar they took on …");
    # None when she has shared none.
    shared_win: str | None = None


class BuddyService:
    def __init__(self, db: Database, clock: Clock):
        self._db = db
        self._clock = clock

    def invite(self, *, team_id: str, user_id: str, buddy_user_id: str) -> Buddyship:
        if buddy_user_id == user_id:
            raise BuddyError("self")
        now = self._clock.now()
        with self._db.session() as session:
            coachee = onboarded_coachee(session, team_id=team_id, user_id=user_id)
            for old in self._current(session, coachee.id):
                old.status, old.responded_at = BuddyStatus.ENDED, now
            buddy = Buddy(
                team_id=team_id, coachee_id=coachee.id, buddy_user_id=buddy_user_id, invited_at=now
            )
            session.add(buddy)
            session.flush()
            return _view(buddy, coachee)

    def respond(
        self, *, team_id: str, buddy_user_id: str, buddy_id: int, accept: bool
    ) -> Buddyship:
        """The invited colleague accepts or declines; only they can."""
        with self._db.session() as session:
            buddy = _theirs(session, team_id, buddy_user_id, buddy_id, BuddyStatus.INVITED)
            buddy.status = BuddyStatus.ACTIVE if accept else BuddyStatus.DECLINED
            buddy.responded_at = self._clock.now()
            return _view(buddy, session.get(Coachee, buddy.coachee_id))

    def remove(self, *, team_id: str, user_id: str) -> Buddyship:
        """She ends it."""
        with self._db.session() as session:
            coachee = onboarded_coachee(session, team_id=team_id, user_id=user_id)
            current = self._current(session, coachee.id)
            if not current:
                raise BuddyError("none")
            for buddy in current:
                buddy.status, buddy.responded_at = BuddyStatus.ENDED, self._clock.now()
            return _view(current[-1], coachee)

    def step_down(self, *, team_id: str, buddy_user_id: str, buddy_id: int) -> Buddyship:
        """The buddy ends it."""
        with self._db.session() as session:
            buddy = _theirs(session, team_id, buddy_user_id, buddy_id, BuddyStatus.ACTIVE)
            buddy.status, buddy.responded_at = BuddyStatus.ENDED, self._clock.now()
            return _view(buddy, session.get(Coachee, buddy.coachee_id))

    def active_buddy(self, *, team_id: str, user_id: str) -> Buddyship | None:
        with self._db.reading() as connection:
            found = buddies.active_buddy(connection, team_id=team_id, user_id=user_id)
        return (
            Buddyship(found.id, user_id, found.buddy_user_id, BuddyStatus.ACTIVE) if found else None
        )

    def encouragement_target(self, *, team_id: str, buddy_user_id: str, buddy_id: int) -> Buddyship:
        """Who the buddy's word goes to: only while they are her active buddy."""
        with self._db.session() as session:
            buddy = _theirs(session, team_id, buddy_user_id, buddy_id, BuddyStatus.ACTIVE)
            return _view(buddy, session.get(Coachee, buddy.coachee_id))

    def _current(self, session, coachee_id: int) -> list[Buddy]:
        return list(
            session.exec(
                select(Buddy)
                .where(
                    Buddy.coachee_id == coachee_id,
                    Buddy.status.in_([BuddyStatus.INVITED, BuddyStatus.ACTIVE]),
                )
                .order_by(Buddy.id)
            ).all()
        )


def _theirs(session, team_id: str, buddy_user_id: str, buddy_id: int, status: str) -> Buddy:
    """The buddy row the clicking colleague may act on, in the state the action needs."""
    buddy = session.get(Buddy, buddy_id)
    if (
        buddy is None
        or buddy.team_id != team_id
        or buddy.buddy_user_id != buddy_user_id
        or buddy.status != status
    ):
        raise BuddyError("unknown")
    return buddy


def active_buddies(
    session, coachees: list[Coachee], *, ladder: Ladder | None = None
) -> dict[int, Buddyship]:
    """Each of these people's active buddy (the latest), by coachee id; one query, and
    with ``ladder`` one more for the latest win each shared, for the buddy to name."""
    if not coachees:
        return {}
    by_id = {c.id: c for c in coachees}
    rows = session.exec(
        select(Buddy)
        .where(Buddy.coachee_id.in_(list(by_id)), Buddy.status == BuddyStatus.ACTIVE)
        .order_by(Buddy.id)
    ).all()
    wins = {}
    if ladder is not None and rows:
        wins = celebrations.latest_shared_wins(
            session, coachee_ids=sorted({b.coachee_id for b in rows})
        )
    found = {}
    for b in rows:
        coachee, line = by_id[b.coachee_id], None
        if b.coachee_id in wins and ladder.has_challenge(wins[b.coachee_id][0]):
            challenge_id, when = wins[b.coachee_id]
            line = shared_win_line(ladder.challenge(challenge_id).do, when, coachee.tz, who="they")
        found[b.coachee_id] = Buddyship(
            b.id, coachee.slack_user_id, b.buddy_user_id, b.status, shared_win=line
        )
    return found


def _view(buddy: Buddy, coachee: Coachee) -> Buddyship:
    return Buddyship(buddy.id, coachee.slack_user_id, buddy.buddy_user_id, buddy.status)


def parse_mention(text: str) -> str | None:
    """``<@U123|ana>`` or ``<@U123>`` (Slack escapes mentions for /voice) → ``U123``."""
    import re

    match = re.fullmatch(r"<@([UW][A-Z0-9]{2,20})(?:\|[^>]*)?>", text.strip())
    return match.group(1) if match else None
