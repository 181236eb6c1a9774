"""Her active buddy, in one statement: never an invited or ended one, never another's."""

from __future__ import annotations

import sqlalchemy as sa

from bot.models import Buddy, Coachee
from bot.storage import buddies


def test_only_her_active_buddy_is_found_the_latest_if_several(db):
    with db.session() as s:
        mila, other = (
            Coachee(team_id="T1", slack_user_id="U1"),
            Coachee(team_id="T2", slack_user_id="U1"),
        )
        s.add_all([mila, other])
        s.flush()
        s.add_all(
            [
                Buddy(team_id="T1", coachee_id=mila.id, buddy_user_id="UOLD", status="active"),
                Buddy(team_id="T1", coachee_id=mila.id, buddy_user_id="UANA", status="active"),
                Buddy(team_id="T1", coachee_id=mila.id, buddy_user_id="UBEN", status="invited"),
                Buddy(team_id="T2", coachee_id=other.id, buddy_user_id="UCAL", status="active"),
            ]
        )
    with db.reading() as r:
        assert buddies.active_buddy(r, team_id="T1", user_id="U1").buddy_user_id == "UANA"
        assert buddies.active_buddy(r, team_id="T2", user_id="U1").buddy_user_id == "UCAL"
        assert buddies.active_buddy(r, team_id="T3", user_id="U1") is None
    with db.session() as s:
        s.execute(sa.update(Buddy).where(Buddy.team_id == "T1").values(status="ended"))
    with db.reading() as r:
        assert buddies.active_buddy(r, team_id="T1", user_id="U1") is None
