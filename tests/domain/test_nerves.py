"""Which settle-your-nerves exercise she is offered: each once, then mostly what helped
her, with another's turn now and then; the same history always gives the same answer."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.nerves import (
    ANOTHER_TURN_EVERY,
    MAX_NAME,
    NO_NAME,
    Done,
    Exercise,
    Helped,
    Why,
    pick_exercise,
    score,
    short_name,
)

IDS = ("long-exhale", "call-it-excitement", "talk-to-yourself")
YES, LITTLE, NO = Helped.YES, Helped.A_LITTLE, Helped.NOT_REALLY


def test_she_tries_each_once_first_in_the_contents_order():
    assert pick_exercise(IDS, []).why is Why.NEW
    assert pick_exercise(IDS, []).exercise_id == "long-exhale"
    assert pick_exercise(IDS, [Done("long-exhale", NO)]).exercise_id == "call-it-excitement"
    tried = [Done("long-exhale"), Done("call-it-excitement")]
    assert pick_exercise(IDS, tried).exercise_id == "talk-to-yourself"
    assert pick_exercise(IDS, tried).why is Why.NEW


def test_then_mostly_the_one_that_helped_her_most():
    history = [Done("long-exhale", NO), Done("call-it-excitement", LITTLE)]
    history += [Done("talk-to-yourself", YES)]
    pick = pick_exercise(IDS, history)
    assert (pick.exercise_id, pick.why) == ("talk-to-yourself", Why.HELPED)
    # Three of every four offers from here on are her best one.
    offers = []
    for _ in range(2 * ANOTHER_TURN_EVERY):
        pick = pick_exercise(IDS, history)
        offers.append(pick.exercise_id)
        history.append(
            Done(pick.exercise_id, YES if pick.exercise_id == "talk-to-yourself" else NO)
        )
    assert offers.count("talk-to-yourself") == 2 * ANOTHER_TURN_EVERY - 2


def test_another_one_gets_a_turn_now_and_then_so_one_not_really_is_not_final():
    history = [Done("long-exhale", NO), Done("call-it-excitement", YES)]
    history += [Done("talk-to-yourself", LITTLE), Done("call-it-excitement", YES)]
    assert len(history) % ANOTHER_TURN_EVERY == 0
    pick = pick_exercise(IDS, history)
    # The one she did least recently, other than her best: the breath she said didn't help.
    assert (pick.exercise_id, pick.why) == ("long-exhale", Why.TURN)


def test_without_answers_they_take_turns_and_never_claim_it_helped():
    history = [Done(e) for e in IDS]
    seen = []
    for _ in range(6):
        pick = pick_exercise(IDS, history)
        assert pick.why is Why.TURN
        seen.append(pick.exercise_id)
        history.append(Done(pick.exercise_id))
    assert set(seen) == set(IDS)


def test_one_answer_does_not_decide_alone():
    # One "Yes" and one "Not really" each move an exercise, but only part of the way.
    assert 0.5 < score("a", [Done("a", YES)]) < 1
    assert 0 < score("a", [Done("a", NO)]) < 0.5
    assert score("a", []) == 0.5 and score("a", [Done("a")]) == 0.5


def test_exercises_gone_from_the_content_are_ignored():
    history = [Done("retired-one", YES)] * 5
    assert pick_exercise(IDS, history).exercise_id == "long-exhale"


answers = st.sampled_from([None, YES, LITTLE, NO])


@given(st.lists(st.tuples(st.sampled_from(IDS), answers), max_size=30))
def test_the_same_history_always_gives_the_same_offer_from_the_content(rows):
    history = [Done(e, h) for e, h in rows]
    pick = pick_exercise(IDS, history)
    assert pick.exercise_id in IDS
    assert pick == pick_exercise(IDS, list(history))
    if pick.why is Why.HELPED:
        assert score(pick.exercise_id, history) > 0.5


def test_her_name_goes_where_the_exercise_talks_to_her():
    exercise = Exercise("x", "To you", ("{name}, you've got this.", "Breathe out."), "Why.", 60)
    assert exercise.uses_name
    assert exercise.steps_for("Mila") == ("Mila, you've got this.", "Breathe out.")
    assert exercise.steps_for(None)[0] == f"{NO_NAME}, you've got this."
    assert short_name("  Mila \n Novak ") == "Mila Novak"
    assert short_name("M" * 100) == "M" * MAX_NAME and short_name(" ") is None
