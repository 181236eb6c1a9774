"""Celebrations: wins and milestones, shared only with her consent; cheers from teammates.

What a channel post may say is decided here and nowhere else: what she did (the
challenge), the step she reached, a streak, and a line she wrote for it. Never
confidence, misses, difficulty ratings, meeting names or reflections.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import select

from bot.clock import Clock
from bot.domain.ladder import Ladder
from bot.domain.milestones import streak_milestone
from bot.domain.persuasion import shared_win_line
from bot.models import Attempt, Celebration, CelebrationKind, CelebrationStatus, Cheer, Coachee
from bot.services.coaching import onboarded_coachee
from bot.services.progress import streak_of
from bot.storage import attempts, celebrations
from bot.storage.db import Database

# Cheers are gathered for this long after the last click, then sent to her in one DM.
CHEER_QUIET = timedelta(seconds=60)


class NotYours(Exception):
    """The celebration isn't hers (or doesn't exist)."""


class CannotShare(Exception):
    """Already shared or declined, or she hasn't opted in to sharing."""


class OwnWin(Exception):
    """She tried to cheer her own win."""


@dataclass(frozen=True)
class CelebrationView:
    id: int
    kind: str
    team_id: str
    user_id: str
    headline: str  # the public words: what she did, never private fields
    wording: str | None
    can_share: bool
    channel_id: str | None
    cheers: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheerNews:
    celebration_id: int
    user_id: str
    headline: str
    cheerers: tuple[str, ...]
    dm: tuple[str, str] | None  # the DM to update, if one was sent before
    team_id: str = ""  # her workspace (installation key), whose token sends the DM
    # The real win behind it, in her words' place ("on Mon 2 Mar you took on …"): the
    # cheered win itself, or for a milestone her latest shared win; None if none.
    shared_win: str | None = None


class CelebrationService:
    def __init__(self, db: Database, clock: Clock, ladder: Ladder):
        self._db = db
        self._clock = clock
        self._ladder = ladder

    # -- creating --------------------------------------------------------------------------

    def after_win(self, *, team_id: str, user_id: str, attempt_id: int) -> list[CelebrationView]:
        """The win itself, and any milestone it reached (first win, a streak)."""
        with self._db.session() as session:
            coachee = onboarded_coachee(session, team_id=team_id, user_id=user_id)
            attempt = session.get(Attempt, attempt_id)
            if attempt is None or attempt.coachee_id != coachee.id:
                return []
            history = attempts.all_attempts(session, coachee_id=coachee.id)
            return self.for_win(session, coachee, attempt.id, attempt.challenge_id, history)

    def for_win(
        self,
        session,
        coachee: Coachee,
        attempt_id: int,
        challenge_id: str,
        history: list,
    ) -> list[CelebrationView]:
        """``after_win`` in the caller's transaction, for an attempt just recorded
        (``history``: all her attempts, ``attempts.all_attempts``); nothing unless it was
        a win."""
        now = self._clock.now()
        wins = [a.id for a in history if a.outcome == "did_it"]
        if attempt_id not in wins:
            return []
        made = [self._add(session, coachee, CelebrationKind.WIN, challenge_id, now, attempt_id)]
        if len(wins) == 1:
            made.append(self._add(session, coachee, CelebrationKind.FIRST_WIN, None, now))
        before, after = streak_of(
            session, coachee, now, exclude_attempt_id=attempt_id, history=history
        )
        crossed = streak_milestone(before, after)
        if crossed:
            made.append(self._add(session, coachee, CelebrationKind.STREAK, str(crossed), now))
        return [self._view(session, c, coachee, fresh=True) for c in made]

    def after_step_up(self, *, team_id: str, user_id: str, step: int) -> list[CelebrationView]:
        now = self._clock.now()
        with self._db.session() as session:
            coachee = onboarded_coachee(session, team_id=team_id, user_id=user_id)
            kind = (
                CelebrationKind.TOP_OF_LADDER
                if step >= self._ladder.top
                else CelebrationKind.STEP_UP
            )
            made = self._add(session, coachee, kind, str(step), now)
            return [self._view(session, made, coachee, fresh=True)]

    # -- sharing ---------------------------------------------------------------------------

    def for_sharing(
        self, *, team_id: str, user_id: str, celebration_id: int, wording: str | None = None
    ) -> CelebrationView:
        """Check she may share it now (hers, opted in, not yet shared or declined)."""
        with self._db.session() as session:
            coachee, celebration = self._hers(session, team_id, user_id, celebration_id)
            if not coachee.share_wins or not coachee.share_channel_id:
                raise CannotShare()
            if celebration.status not in (CelebrationStatus.OFFERED, CelebrationStatus.FAILED):
                raise CannotShare()
            if wording is not None:
                celebration.wording = wording.strip() or None
            return self._view(session, celebration, coachee)

    def shared(self, *, team_id: str, celebration_id: int, channel_id: str, ts: str) -> None:
        with self._db.session() as session:
            celebration = self._get(session, team_id, celebration_id)
            celebration.status = CelebrationStatus.SHARED
            celebration.channel_id, celebration.message_ts = channel_id, ts
            celebration.shared_at = self._clock.now()

    def share_failed(self, *, team_id: str, celebration_id: int) -> None:
        """The channel refused; the win stays recorded and can be shared later."""
        with self._db.session() as session:
            self._get(session, team_id, celebration_id).status = CelebrationStatus.FAILED

    def decline(self, *, team_id: str, user_id: str, celebration_id: int) -> CelebrationView:
        with self._db.session() as session:
            coachee, celebration = self._hers(session, team_id, user_id, celebration_id)
            if celebration.status in (CelebrationStatus.OFFERED, CelebrationStatus.FAILED):
                celebration.status = CelebrationStatus.DECLINED
            return self._view(session, celebration, coachee)

    # -- cheers ----------------------------------------------------------------------------

    def toggle_cheer(self, *, team_id: str, celebration_id: int, cheerer: str) -> CelebrationView:
        """A teammate's cheer; a second click takes it back. Not on her own win."""
        with self._db.session() as session:
            # Locked: two teammates clicking at once take turns (PostgreSQL).
            celebration = self._get(session, team_id, celebration_id, lock=True)
            if celebration.status != CelebrationStatus.SHARED:
                raise NotYours()
            coachee = session.get(Coachee, celebration.coachee_id)
            if coachee.slack_user_id == cheerer:
                raise OwnWin()
            existing = session.exec(
                select(Cheer).where(
                    Cheer.celebration_id == celebration.id, Cheer.cheerer_user_id == cheerer
                )
            ).first()
            if existing is not None:
                session.delete(existing)
            else:
                session.add(
                    Cheer(
                        team_id=team_id,
                        celebration_id=celebration.id,
                        cheerer_user_id=cheerer,
                        created_at=self._clock.now(),
                    )
                )
            session.flush()
            return self._view(session, celebration, coachee)

    def cheers_to_deliver(self, *, limit: int = 100) -> list[CheerNews]:
        """Posts with new cheers, quiet for a minute: one DM each, naming who cheered."""
        quiet_since = self._clock.now() - CHEER_QUIET
        with self._db.session() as session:
            fresh = session.exec(
                select(Cheer.celebration_id)
                .where(Cheer.notified_at.is_(None))
                .group_by(Cheer.celebration_id)
                .having(sa.func.max(Cheer.created_at) <= quiet_since)
                .limit(limit)
            ).all()
            news = []
            for celebration_id in fresh:
                celebration = session.get(Celebration, celebration_id)
                coachee = session.get(Coachee, celebration.coachee_id)
                view = self._view(session, celebration, coachee)
                dm = (celebration.dm_channel_id, celebration.dm_ts) if celebration.dm_ts else None
                news.append(
                    CheerNews(
                        celebration.id,
                        coachee.slack_user_id,
                        view.headline,
                        view.cheers,
                        dm,
                        team_id=coachee.team_id,
                        shared_win=self._shared_win(session, celebration, coachee),
                    )
                )
            return news

    def _shared_win(self, session, celebration: Celebration, coachee: Coachee) -> str | None:
        """The real win to name: this one if it is a win, else the latest she shared.
        Only wins she shared herself (consent); never a miss, never a private one."""
        latest = celebrations.latest_shared_wins(session, coachee_ids=[coachee.id])
        found = latest.get(coachee.id)
        if celebration.kind == CelebrationKind.WIN and celebration.attempt_id is not None:
            attempt = session.get(Attempt, celebration.attempt_id)
            if attempt is not None:
                found = (celebration.detail or "", attempt.occurred_at)
        if found is None or not self._ladder.has_challenge(found[0]):
            return None
        return shared_win_line(self._ladder.challenge(found[0]).do, found[1], coachee.tz, who="you")

    def cheers_delivered(self, *, celebration_id: int, dm: tuple[str, str]) -> None:
        with self._db.session() as session:
            celebration = session.get(Celebration, celebration_id)
            if celebration is None:
                return
            celebration.dm_channel_id, celebration.dm_ts = dm
            session.execute(
                sa.update(Cheer)
                .where(Cheer.celebration_id == celebration_id, Cheer.notified_at.is_(None))
                .values(notified_at=self._clock.now())
            )

    # -- inside ------------------------------------------------------------------------------

    def _add(self, session, coachee, kind, detail, now, attempt_id=None) -> Celebration:
        celebration = Celebration(
            team_id=coachee.team_id,
            coachee_id=coachee.id,
            attempt_id=attempt_id,
            kind=kind,
            detail=detail,
            status=CelebrationStatus.OFFERED if coachee.share_wins else CelebrationStatus.PRIVATE,
            created_at=now,
        )
        session.add(celebration)
        session.flush()
        return celebration

    def shared_post(self, *, team_id: str, celebration_id: int) -> CelebrationView:
        """The post as it stands now (after concurrent cheers)."""
        with self._db.session() as session:
            celebration = self._get(session, team_id, celebration_id)
            return self._view(session, celebration, session.get(Coachee, celebration.coachee_id))

    def _get(self, session, team_id: str, celebration_id: int, lock: bool = False) -> Celebration:
        query = select(Celebration).where(Celebration.id == celebration_id)
        celebration = session.exec(query.with_for_update() if lock else query).first()
        if celebration is None or celebration.team_id != team_id:
            raise NotYours()
        return celebration

    def _hers(self, session, team_id, user_id, celebration_id):
        coachee = onboarded_coachee(session, team_id=team_id, user_id=user_id)
        celebration = self._get(session, team_id, celebration_id)
        if celebration.coachee_id != coachee.id:
            raise NotYours()
        return coachee, celebration

    def _view(
        self, session, celebration: Celebration, coachee: Coachee, *, fresh: bool = False
    ) -> CelebrationView:
        """``fresh``: just made, so nobody has cheered it yet (one query fewer)."""
        cheers = () if fresh else celebrations.cheerers(session, celebration_id=celebration.id)
        return CelebrationView(
            id=celebration.id,
            kind=celebration.kind,
            team_id=celebration.team_id,
            user_id=coachee.slack_user_id,
            headline=self._headline(celebration, coachee.slack_user_id),
            wording=celebration.wording,
            can_share=celebration.status in (CelebrationStatus.OFFERED, CelebrationStatus.FAILED)
            and coachee.share_wins,
            channel_id=coachee.share_channel_id,
            cheers=cheers,
        )

    def headline_of(self, celebration: Celebration) -> str:
        """The public words for a celebration row (used by the weekly round-up)."""
        with self._db.session() as session:
            coachee = session.get(Coachee, celebration.coachee_id)
            return self._headline(celebration, coachee.slack_user_id)

    def _headline(self, celebration: Celebration, user_id: str) -> str:
        who = f"<@{user_id}>"
        if celebration.kind == CelebrationKind.WIN:
            if self._ladder.has_challenge(celebration.detail or ""):
                challenge = self._ladder.challenge(celebration.detail)
                return f"{who} took on a speaking challenge and did it: “{challenge.do}”"
            return f"{who} took on a speaking challenge and did it."
        if celebration.kind == CelebrationKind.FIRST_WIN:
            return f"{who} just had a first win with Voice Coach."
        if celebration.kind == CelebrationKind.STREAK:
            return f"{who} has practised speaking up in {celebration.detail} meetings in a row."
        step = self._ladder.step(self._ladder.clamp(int(celebration.detail or 1)))
        if celebration.kind == CelebrationKind.TOP_OF_LADDER:
            return f"{who} reached the top of the ladder: {step.name}."
        return f"{who} stepped up to step {step.number} of {self._ladder.top}: {step.name}."
