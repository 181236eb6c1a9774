"""The self-efficacy check (PRODUCT §3.12): offered once at onboarding and every 4
weeks after, one DM per round, skippable, never a reminder; her answers, and what they
say about her growth next to the noise of the scale."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock, Fresh
from bot.domain import efficacy
from bot.domain.efficacy import Growth, Scale
from bot.services.coaching import NotStarted, onboarded_coachee
from bot.storage import efficacy as checks
from bot.storage import ratelimits
from bot.storage.db import Database

# A round every 4 weeks from her start: long enough for practice to change what she
# believes, short enough to see it (and the looking-back item asks about "4 weeks ago").
EVERY = timedelta(weeks=4)
# People looked at per query by the 4-weekly job.
PAGE = 500
# Rounds one run claims at most (a run a minute: 12,000 an hour). A run stays short and
# its list small however many come due at once (a large workspace, an operator who
# lifted the sending budget), and a process that dies mid-run strands at most this many
# claimed rounds until their next 4-week point.
RUN_MOST = 200


class CheckClosed(Exception):
    """Not hers, already answered, or skipped."""


@dataclass(frozen=True)
class CheckOffer:
    check_id: int
    team_id: str
    user_id: str
    round: int  # 0: at onboarding


@dataclass(frozen=True)
class CheckForm:
    check_id: int
    scale: Scale
    looking_back: bool  # asked at every check but the first


@dataclass(frozen=True)
class CheckAnswers:
    items: tuple[int, ...]
    looking_back: int | None


def round_at(onboarded_at: datetime, now: datetime) -> int:
    """Which 4-week round of hers ``now`` falls in (0 before the first 4 weeks end)."""
    return max(0, (now - onboarded_at) // EVERY)


class EfficacyService:
    def __init__(self, db: Database, clock: Clock, scale: Scale):
        self._db = db
        self._clock = clock
        self.scale = scale

    def offer_at_start(self, *, team_id: str, user_id: str) -> CheckOffer | None:
        """Round 0, right after she starts; None when she already had it (start again)."""
        with self._db.session() as session:
            coachee = onboarded_coachee(session, team_id=team_id, user_id=user_id)
            row = checks.claim_round(
                session, team_id=team_id, coachee_id=coachee.id, round=0, now=self._clock.now()
            )
            return None if row is None else CheckOffer(row.id, team_id, user_id, 0)

    def claim_due(self, *, per_minute: int | None = None, most: int = RUN_MOST) -> list[CheckOffer]:
        """Every round that has come and not been offered: one per person (her latest
        round, never a catch-up of missed ones), each claimed once across processes.
        Skipping or ignoring one leaves nothing until the next 4-week point.

        Paced like check-ins (``per_minute``: the workspace's sending budget, shared
        with them): a workspace Slack asked to wait gets none, and one whose bucket is
        low only as many as it holds now, so a whole workspace that started the same
        day gets its checks over several runs, not in one burst, and check-ins due
        meanwhile keep their turn. The rest stay due for the next run, as do any past
        ``most`` this run."""
        now = self._clock.now()
        offers: list[CheckOffer] = []
        after = 0
        while True:
            with self._db.session() as session:
                page = checks.due_rounds(
                    session, onboarded_before=now - EVERY, now=now, after_id=after, limit=PAGE
                )
                held = set(ratelimits.held(session, now=now, per_minute=per_minute))
                due = [
                    (coachee_id, team_id, user_id, round_at(onboarded_at, now))
                    for coachee_id, team_id, user_id, onboarded_at, last in page
                    if team_id not in held and round_at(onboarded_at, now) > last
                ][: most - len(offers)]  # before the budget is taken: none spent unused
                wanted = Counter(team_id for _, team_id, _, _ in due)
                allowed = (
                    ratelimits.take_each(
                        session, wanted=dict(wanted), per_minute=per_minute, now=now
                    )
                    if per_minute is not None
                    else wanted
                )
                for coachee_id, team_id, user_id, round in due:
                    if allowed[team_id] <= 0:
                        continue
                    row = checks.claim_round(
                        session, team_id=team_id, coachee_id=coachee_id, round=round, now=now
                    )
                    if row is not None:
                        allowed[team_id] -= 1
                        offers.append(CheckOffer(row.id, team_id, user_id, round))
            if len(page) < PAGE or len(offers) >= most:
                return offers
            after = page[-1][0]

    def held_back(self, offer: CheckOffer, *, retry_after: float) -> None:
        """Slack said ``ratelimited``: nobody sends to her workspace for ``retry_after``
        seconds (check-ins included), and her round is claimed again on a later run."""
        now = self._clock.now()
        with self._db.session() as session:
            until = now + timedelta(seconds=max(1.0, retry_after))
            ratelimits.block(session, team_id=offer.team_id, until=until)
            checks.release(session, check_id=offer.check_id)

    def offered(self, offer: CheckOffer, *, channel_id: str | None, ts: str | None) -> None:
        """Where its DM went (to update in place), or that it could not be sent (no retry)."""
        with self._db.session() as session:
            checks.set_status(
                session,
                check_id=offer.check_id,
                status="offered" if ts else "failed",
                channel_id=channel_id,
                message_ts=ts,
            )

    def form(self, *, team_id: str, user_id: str, check_id: int) -> CheckForm:
        with self._db.session() as session:
            row = self._open(session, team_id, user_id, check_id)
            return CheckForm(row.id, self.scale, looking_back=row.round > 0)

    def answer(
        self, *, team_id: str, user_id: str, check_id: int, answers: CheckAnswers
    ) -> tuple[str | None, str | None]:
        """Her answers, once; returns the offer DM's (channel, ts) to update in place."""
        with self._db.session() as session:
            row = self._open(session, team_id, user_id, check_id)
            looking_back = answers.looking_back if row.round > 0 else None
            if not checks.answer(
                session,
                check_id=row.id,
                items=answers.items,
                looking_back=looking_back,
                now=self._clock.now(),
            ):
                raise CheckClosed()
            return row.channel_id, row.message_ts

    def skip(self, *, team_id: str, user_id: str, check_id: int) -> None:
        with self._db.session() as session:
            row = self._open(session, team_id, user_id, check_id)
            if not checks.skip(session, check_id=row.id):
                raise CheckClosed()

    def _open(self, session, team_id: str, user_id: str, check_id: int):
        try:
            coachee = onboarded_coachee(session, team_id=team_id, user_id=user_id)
        except NotStarted:
            raise CheckClosed() from None
        row = checks.get_check(session, check_id=check_id, coachee_id=coachee.id)
        if row is None or row.status in ("answered", "skipped"):
            raise CheckClosed()
        return row


class Thresholds:
    """Each workspace's reliable-change threshold, worked out again at most every
    ``SECONDS``: it moves only as people answer a check (each once every 4 weeks), and
    working it out reads the workspace's latest answers, too much for every render."""

    SECONDS = 600

    def __init__(self, clock: Clock):
        self._fresh = Fresh(clock, timedelta(seconds=self.SECONDS))

    def of(self, connection, *, team_id: str) -> efficacy.Threshold:
        return self._fresh.get(
            team_id,
            lambda: efficacy.reliable_change(checks.latest_answers(connection, team_id=team_id)),
        )


def growth_of(answered, threshold: efficacy.Threshold) -> Growth | None:
    """Her checks' means against the threshold (None before her first answers)."""
    if not answered:
        return None
    means = [(c.round, efficacy.mean(_items(c))) for c in answered]
    return efficacy.growth(means, threshold, looking_back=answered[-1].looking_back)


def check_points(answered) -> list[tuple[datetime, float]]:
    """Her answered checks as (when, mean), oldest first, for the chart."""
    return [(c.answered_at, efficacy.mean(_items(c))) for c in answered]


def _items(check) -> list[int]:
    return [getattr(check, c) for c in checks.ITEM_COLUMNS]
