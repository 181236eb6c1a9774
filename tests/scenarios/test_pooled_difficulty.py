"""The policy learns from everyone (issue 15, piece 6), through the running app.

Her workspace's results say how hard each challenge really is: her own attempts move
the pool (stored per workspace, with no person in it), a step up gives her the
challenge of that step the pool says will stretch her, and ``python -m bot
ladder-report`` names challenges that sit on the wrong step.
"""

from __future__ import annotations

from sqlmodel import select

from bot import cli
from bot.content import load_ladder
from bot.domain.difficulty import TRUSTED_AFTER
from bot.models import ChallengeRating, Coachee
from tests.conftest import TEAM_ID, USER_ID
from tests.scenarios.test_coaching_journey import _start
from tests.support.journey import dms, log_meeting, texts, wait

LADDER = load_ladder()
STEP4 = LADDER.step(4).challenges


def _seed(db, **difficulties: float) -> None:
    with db.session() as s:
        for challenge_id, value in difficulties.items():
            s.add(
                ChallengeRating(
                    team_id=TEAM_ID,
                    challenge_id=challenge_id,
                    difficulty=value,
                    attempts=2 * TRUSTED_AFTER,
                )
            )


def test_a_step_up_brings_the_challenge_the_pool_says_will_stretch_her(slack, fake_slack, db):
    # Her colleagues found step 4's first challenge far harder than its step, and its
    # second a little easier, about where her two wins on step 3 put her (the others:
    # too hard, or far too easy).
    first, second = STEP4[0], STEP4[1]
    _seed(db, **{first.id: 5.6, second.id: 3.8, STEP4[2].id: 5.4, STEP4[3].id: 2.6})
    _start(slack, fake_slack)
    with db.session() as s:
        mila = s.exec(select(Coachee)).one()
    started_on = mila.current_challenge_id
    assert mila.current_step == 3

    log_meeting(slack, fake_slack)
    wait(lambda: any("first win" in texts(m.get("blocks", [])) for m in dms(fake_slack)))
    offer = texts(log_meeting(slack, fake_slack, felt="too_easy", after=80)["blocks"])
    assert "Turn up the dial?" in offer and "Step 4" in offer
    assert second.do in offer and first.do not in offer

    with db.session() as s:
        rows = s.exec(select(ChallengeRating).where(ChallengeRating.challenge_id == started_on))
        pooled = rows.all()
    # Her two wins taught her workspace's pool, and nothing crossed to another pool.
    assert [(r.team_id, r.attempts) for r in pooled] == [(TEAM_ID, 2)]
    assert pooled[0].information > 0  # and how much they told
    assert pooled[0].difficulty < 3.0  # two wins: easier than its step said
    with db.session() as s:
        assert s.exec(select(ChallengeRating).where(ChallengeRating.team_id == "*")).all() == []
    # Nothing of this reaches a channel: every message the fake received was a DM to her.
    posted = fake_slack.calls_to("chat.postMessage") + fake_slack.calls_to("chat.update")
    assert posted and {c["channel"] for c in posted} == {fake_slack.dm_channel(USER_ID)}


def test_ladder_report_names_the_challenges_on_the_wrong_step(
    db, database_url, monkeypatch, capsys
):
    _seed(db, **{STEP4[0].id: 5.6, STEP4[1].id: 4.1})
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert cli.main(["ladder-report"]) == 0
    out = capsys.readouterr().out
    assert f"{STEP4[0].id} (step 4): difficulty 5.6 from {2 * TRUSTED_AFTER} attempts" in out
    assert "harder than its step, nearer step 6" in out
    assert STEP4[1].id not in out


def test_within_her_step_a_clearly_better_fit_becomes_her_challenge_for_next_time(
    slack, fake_slack, db
):
    _start(slack, fake_slack)
    with db.session() as s:
        mila = s.exec(select(Coachee)).one()
    step3 = LADDER.step(3).challenges
    mine = mila.current_challenge_id
    others = [c for c in step3 if c.id != mine]
    # Since she started, her colleagues found her challenge far harder than its step, and
    # another of step 3 about right for her; the rest far too easy. Hers went partly today.
    _seed(db, **{mine: 5.4, others[0].id: 3.7, **{c.id: 1.2 for c in others[1:]}})

    logged = texts(log_meeting(slack, fake_slack, outcome="partly", felt="about_right")["blocks"])
    assert "Your challenge for next time:" in logged and others[0].do in logged
    with db.session() as s:
        mila = s.exec(select(Coachee)).one()
    assert (mila.current_step, mila.current_challenge_id) == (3, others[0].id)

    # A second attempt at it, as expected: nothing changes for no reason.
    logged = texts(log_meeting(slack, fake_slack)["blocks"])
    assert others[0].do in logged


def test_a_challenge_she_swapped_to_stays_hers_until_her_step_changes(slack, fake_slack, db):
    _start(slack, fake_slack)
    r = slack.block_action(user_id=USER_ID, action_id="challenge_swap", value="message")
    swapped = texts(fake_slack.wait_for_response_url_post(r.response_url)["blocks"])
    with db.session() as s:
        mila = s.exec(select(Coachee)).one()
    hers = LADDER.challenge(mila.current_challenge_id)
    assert hers.do in swapped and mila.challenge_hers
    others = [c for c in LADDER.step(3).challenges if c.id != hers.id]
    # Her colleagues found the one she chose far harder than its step, and another
    # about right for her: the pool would change it, but she chose it.
    _seed(db, **{hers.id: 5.4, others[0].id: 3.7, **{c.id: 1.2 for c in others[1:]}})

    logged = texts(log_meeting(slack, fake_slack, outcome="partly", felt="about_right")["blocks"])
    next_time = logged[logged.index("Your challenge for next time:") :]
    assert hers.do in next_time and others[0].do not in next_time
    with db.session() as s:
        mila = s.exec(select(Coachee)).one()
    assert (mila.current_step, mila.current_challenge_id) == (3, hers.id)

    # A new step is the app's to pick again.
    r = slack.block_action(user_id=USER_ID, action_id="challenge_easier", value="message")
    fake_slack.wait_for_response_url_post(r.response_url)
    with db.session() as s:
        mila = s.exec(select(Coachee)).one()
    assert mila.current_step == 2 and not mila.challenge_hers
