"""Coping stories: one a week at most, in her DM, from people at her step.

Where a story shows: beside her pre-meeting check-in (bot.slack.checkin_sender), not
in a DM of its own. That is the least naggy place that fits: it adds no notification
(the check-in comes anyway), and it comes just before she tries her own challenge,
when watching someone like her do it helps most. The weekly round-up is a channel
post, and stories never go to a channel.
"""

from __future__ import annotations

from datetime import timedelta

from bot.clock import Clock, Fresh
from bot.domain.ladder import Ladder
from bot.domain.stories import (
    Phrase,
    SharedStory,
    Story,
    StoryLibrary,
    StorySlot,
    pick_story,
    shareable_colleague_stories,
)
from bot.models import Attempt, Celebration, CelebrationKind
from bot.services.celebrations import NotYours
from bot.services.coaching import onboarded_coachee
from bot.storage import stories as store
from bot.storage.db import Database

# Colleagues' shares at a step are read again at most this often (see StoryService._shared).
SHARES_FRESH = timedelta(seconds=60)


class StoryService:
    def __init__(self, db: Database, clock: Clock, ladder: Ladder, library: StoryLibrary):
        self._db = db
        self._clock = clock
        self._ladder = ladder
        self._library = library
        self._shares = Fresh(clock, SHARES_FRESH)

    @property
    def phrases(self) -> tuple[Phrase, ...]:
        return self._library.phrases

    def pick(self, *, team_id: str, slot: StorySlot) -> Story | None:
        """The story for her slot of the week. The dispatcher picks it before the slot is
        claimed, and shows it only if the claim, made with her check-in's lease
        (checkins.hand_over), succeeds."""
        step = self._ladder.clamp(slot.step)
        colleagues = shareable_colleague_stories(
            self._shared(team_id, step), reader_id=slot.coachee_id
        )
        return pick_story(list(self._library.at_step(step)), colleagues, slot.shown_before)

    def _shared(self, team_id: str, step: int) -> list[SharedStory]:
        # Read again at most every SHARES_FRESH: a burst of check-ins at :45 asks for the
        # same few lists thousands of times, and a new share can wait a minute.
        return self._shares.get((team_id, step), lambda: self._read_shared(team_id, step))

    def _read_shared(self, team_id: str, step: int) -> list[SharedStory]:
        with self._db.reading() as connection:
            shares = store.shared_at_step(connection, team_id=team_id, step=step)
        return [self._safe_parts(s) for s in shares if self._ladder.has_challenge(s.challenge_id)]

    def _safe_parts(self, share) -> SharedStory:
        phrase = self._library.phrase(share.phrase_id)
        return SharedStory(
            author_id=share.coachee_id,
            step=share.step,
            challenge_do=self._ladder.challenge(share.challenge_id).do,
            outcome=share.outcome,
            phrase=phrase.text if phrase else None,
        )

    def shared_challenge(self, *, team_id: str, user_id: str, celebration_id: int) -> str:
        """The challenge of a win of hers that she may share: its words, for the modal."""
        with self._db.session() as session:
            attempt = self._her_win(session, team_id, user_id, celebration_id)[1]
            return self._ladder.challenge(attempt.challenge_id).do

    def _her_win(self, session, team_id, user_id, celebration_id):
        coachee = onboarded_coachee(session, team_id=team_id, user_id=user_id)
        celebration = session.get(Celebration, celebration_id)
        if (
            celebration is None
            or celebration.coachee_id != coachee.id
            or celebration.kind != CelebrationKind.WIN
            or celebration.attempt_id is None
        ):
            raise NotYours()
        attempt = session.get(Attempt, celebration.attempt_id)
        if (
            attempt is None
            or attempt.outcome != "did_it"
            or not self._ladder.has_challenge(attempt.challenge_id)
        ):
            raise NotYours()
        return coachee, attempt, celebration

    def share_anonymously(
        self, *, team_id: str, user_id: str, celebration_id: int, phrase_id: str | None
    ) -> bool:
        """Her win, as an anonymous story for colleagues at its step; False if it was
        shared already. Only a win of hers; a phrase only from the content."""
        with self._db.session() as session:
            coachee, attempt, celebration = self._her_win(session, team_id, user_id, celebration_id)
            if store.share_of_celebration(session, celebration_id=celebration.id) is not None:
                return False
            store.add_share(
                session,
                team_id=coachee.team_id,
                coachee_id=coachee.id,
                celebration_id=celebration.id,
                step=attempt.step,
                challenge_id=attempt.challenge_id,
                outcome=attempt.outcome,
                phrase_id=phrase_id if self._library.phrase(phrase_id) else None,
                now=self._clock.now(),
            )
            return True
