"""The challenge ladder: the shipped content, the checks on it, and the Ladder rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.content import LADDER_PATH, load_ladder, parse_ladder
from bot.domain.ladder import KINDS, Challenge, Ladder, LadderError, Step

# -- the shipped ladder ---------------------------------------------------------------


@pytest.fixture(scope="module")
def ladder() -> Ladder:
    return load_ladder()


def all_challenges(ladder: Ladder) -> list[Challenge]:
    return [c for step in ladder.steps for c in step.challenges]


def test_shipped_ladder_loads_with_enough_steps_and_challenges(ladder):
    assert len(ladder.steps) >= 8
    assert [s.number for s in ladder.steps] == list(range(1, ladder.top + 1))
    for step in ladder.steps:
        assert len(step.challenges) >= 3, step.name
        assert all(c.step == step.number for c in step.challenges)


def test_shipped_ladder_climbs_from_preparing_to_leading(ladder):
    names = [s.name.lower() for s in ladder.steps]
    assert "prepare" in names[0]
    assert "invited" in names[2]  # the persona's first small win (PRODUCT §2)
    assert "facilitate" in names[-1] or "present" in names[-1]


def test_shipped_challenge_ids_are_unique_kebab_case(ladder):
    ids = [c.id for c in all_challenges(ladder)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) and len(i) <= 40 for i in ids)


def test_shipped_texts_read_like_a_coach(ladder):
    for step in ladder.steps:
        assert step.name and len(step.name) <= 60
        assert step.summary and len(step.summary) <= 150
    for c in all_challenges(ladder):
        assert len(c.do) <= 150 and len(c.tip) <= 200 and len(c.why) <= 200, c.id
        for text in (c.do, c.tip, c.why):
            assert text == text.strip() and "\n" not in text, c.id
            assert text[-1] in '.?…"”', (c.id, text)  # whole sentences
            assert "!" not in text, c.id  # calm, not cheerleading


def test_load_ladder_defaults_to_the_file_beside_the_package():
    assert LADDER_PATH.name == "ladder.yml"
    assert LADDER_PATH.parent == Path(__file__).parents[2] / "bot" / "content"
    assert load_ladder(LADDER_PATH) == parse_ladder(LADDER_PATH.read_text(encoding="utf-8"))


def test_load_ladder_of_a_missing_file_is_a_ladder_error(tmp_path):
    with pytest.raises(LadderError, match=r"nope\.yml: cannot read"):
        load_ladder(tmp_path / "nope.yml")


def test_load_ladder_names_the_file_it_read(tmp_path):
    path = tmp_path / "custom.yml"
    path.write_text(valid_text(steps=6), encoding="utf-8")
    with pytest.raises(LadderError, match=r"custom\.yml line \d+: "):
        load_ladder(path)


# -- broken files ---------------------------------------------------------------------


def valid_text(steps: int = 7, challenges: int = 3) -> str:
    """A small valid ladder; challenge ids are c-<step>-<n>."""
    lines = ["# a test ladder", "steps:"]
    for s in range(1, steps + 1):
        lines += [
            f"  - step: {s}",
            f"    name: Step {s}",
            f"    summary: What step {s} is about.",
            "    challenges:",
        ]
        for n in range(1, challenges + 1):
            lines += [
                f"      - id: c-{s}-{n}",
                f"        kind: {'ask' if n % 2 else 'opinion'}",
                f"        do: Do thing {s}.{n} in your next meeting.",
                f"        tip: Tip for c-{s}-{n}.",
                f"        why: Why c-{s}-{n} helps.",
                "        plans:",
                f"          - When the meeting opens, I will try c-{s}-{n}.",
            ]
    return "\n".join(lines) + "\n"


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the one line containing ``needle``."""
    found = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(found) == 1, (needle, found)
    return found[0]


def drop_lines(text: str, first: str, count: int) -> str:
    lines = text.splitlines()
    i = line_of(text, first) - 1
    return "\n".join(lines[:i] + lines[i + count :]) + "\n"


def error_for(text: str, source: str = "ladder.yml") -> str:
    with pytest.raises(LadderError) as info:
        parse_ladder(text, source)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_the_test_ladder_is_valid():
    ladder = parse_ladder(valid_text())
    assert ladder.top == 7
    assert ladder.challenge("c-7-3").tip == "Tip for c-7-3."


def test_yaml_syntax_error_names_its_line():
    text = valid_text().replace("do: Do thing 4.2 in", "do: Do: thing 4.2 in")
    message = error_for(text)
    assert message.startswith(f"ladder.yml line {line_of(text, 'Do: thing 4.2')}: invalid YAML")
    assert "quote it all" in message  # the likely fix, for whoever edits the content


def test_bad_indentation_names_its_line():
    text = valid_text().replace("        why: Why c-2-3 helps.", "       why: Why c-2-3 helps.")
    assert error_for(text).startswith(f"ladder.yml line {line_of(text, 'Why c-2-3')}: ")


def test_missing_tip_names_the_challenge_and_its_line():
    text = drop_lines(valid_text(), "tip: Tip for c-3-2.", 1)
    line = line_of(text, "id: c-3-2")
    assert error_for(text) == f"ladder.yml line {line}: challenge 'c-3-2' has no tip"


def test_a_missing_step_is_named_where_the_gap_is():
    text = drop_lines(valid_text(steps=8), "- step: 4", 4 + 3 * 7)
    line = line_of(text, "step: 5")
    assert error_for(text) == (f"ladder.yml line {line}: step 4 is missing: found step 5 after 3")


def test_steps_out_of_order():
    text = valid_text().replace("- step: 3", "- step: 9")
    assert error_for(text).startswith(f"ladder.yml line {line_of(text, 'step: 9')}: ")


def test_a_duplicate_id_names_both_lines():
    text = valid_text().replace("id: c-5-1", "id: c-2-2")
    first, second = (i for i, ln in enumerate(text.splitlines(), 1) if "id: c-2-2" in ln)
    assert error_for(text) == (
        f"ladder.yml line {second}: challenge id 'c-2-2' is used twice (first on line {first})"
    )


def test_an_over_long_do_names_its_line():
    ok = "x" * 149 + "."
    assert parse_ladder(valid_text().replace("Do thing 6.1 in your next meeting.", ok))
    text = valid_text().replace("Do thing 6.1 in your next meeting.", ok + "x")
    line = line_of(text, "do: xxxxxxxxxx")
    assert error_for(text) == (
        f"ladder.yml line {line}: challenge 'c-6-1': do is 151 characters; keep it to 150 or fewer"
    )


@pytest.mark.parametrize(
    ("after", "key", "owner"),
    [
        ("        why: Why c-1-3 helps.", "        hint: Also this.", "challenge 'c-1-3'"),
        ("    name: Step 5", "    level: 5", "step 5"),
        ("# a test ladder", "title: Ladder", "the file"),
    ],
)
def test_an_unknown_key_names_its_line(after, key, owner):
    text = valid_text().replace(after + "\n", f"{after}\n{key}\n")
    name = key.split(":")[0].strip()
    message = error_for(text)
    assert message.startswith(
        f"ladder.yml line {line_of(text, key)}: {owner} has an unknown key '{name}' (allowed: "
    )


def test_a_step_with_two_challenges_names_the_step():
    text = drop_lines(valid_text(), "id: c-6-3", 6)
    line = line_of(text, "id: c-6-1") - 1  # the step's "challenges:" line
    assert text.splitlines()[line - 1].strip() == "challenges:"
    assert error_for(text) == (
        f"ladder.yml line {line}: step 6 has 2 challenges; it needs at least 3"
    )


def test_too_few_steps():
    assert error_for(valid_text(steps=6)) == (
        "ladder.yml line 2: the ladder has 6 steps; it needs at least 7"
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("tip: Tip for c-2-1.", "tip: 42", "challenge 'c-2-1': tip should be text, not a number"),
        ("why: Why c-2-1 helps.", "why:", "challenge 'c-2-1' has an empty why"),
        ("why: Why c-2-1 helps.", "why: '  '", "challenge 'c-2-1' has an empty why"),
        ("do: Do thing 2.1 in", "do: |\n          Two\n          lines. Do", "should be one line"),
        ("id: c-2-1", "id: Ask_Why", "challenge id 'Ask_Why' should be kebab-case"),
        ("id: c-2-1", "id: " + "a" * 41, "is 41 characters; keep it to 40 or fewer"),
        ("name: Step 2", "name: " + "n" * 61, "step 2: name is 61 characters"),
        ("summary: What step 2", "summary: " + "s" * 151 + " What", "step 2: summary is"),
        ("step: 2", "step: two", "step 2: 'step' should be a whole number like 2"),
    ],
)
def test_bad_values_name_their_line(old, new, expected):
    text = valid_text().replace(old, new)
    message = error_for(text, source="bot/content/ladder.yml")
    line = line_of(valid_text(), old)  # the edit starts on the line it replaced
    assert message.startswith(f"bot/content/ladder.yml line {line}: ")
    assert expected in message


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- 1\n- 2\n", "steps: 7\n"])
def test_files_without_a_steps_list(text):
    assert error_for(text).startswith("ladder.yml line 1: ")


def test_code_tags_are_refused_not_run():
    text = valid_text().replace("tip: Tip for c-1-1.", "tip: !!python/object/apply:os.getcwd []")
    assert "tip should be text" in error_for(text)


# -- the Ladder's rules ---------------------------------------------------------------


def test_top_step_and_clamp(ladder):
    assert ladder.top == len(ladder.steps) == ladder.steps[-1].number
    assert ladder.step(3).number == 3
    assert [ladder.clamp(n) for n in (-5, 0, 1, 3, ladder.top, ladder.top + 4)] == [
        1,
        1,
        1,
        3,
        ladder.top,
        ladder.top,
    ]


@pytest.mark.parametrize("n", [0, -1, 99, None, "1"])
def test_unknown_step_is_a_value_error(ladder, n):
    with pytest.raises(ValueError, match="no step"):
        ladder.step(n)
    with pytest.raises(ValueError):
        ladder.first_challenge(n)


def test_challenge_lookup(ladder):
    first = ladder.steps[0].challenges[0]
    assert ladder.challenge(first.id) is first
    assert ladder.has_challenge(first.id)
    assert not ladder.has_challenge("no-such-challenge")
    assert not ladder.has_challenge(None)
    with pytest.raises(ValueError, match="no-such-challenge"):
        ladder.challenge("no-such-challenge")
    assert ladder.first_challenge(1) is first


def test_swap_cycles_through_the_step_and_never_repeats(ladder):
    for step in ladder.steps:
        current = ladder.first_challenge(step.number)
        seen = [current.id]
        for _ in range(len(step.challenges)):
            nxt = ladder.next_challenge_in_step(step.number, current.id)
            assert nxt.id != current.id
            assert nxt.step == step.number
            current = nxt
            seen.append(current.id)
        assert seen[:-1] == [c.id for c in step.challenges]  # file order
        assert seen[-1] == seen[0]  # and round again


def test_swap_from_an_id_outside_the_step_starts_at_the_first(ladder):
    other = ladder.first_challenge(2).id
    assert ladder.next_challenge_in_step(1, other) == ladder.first_challenge(1)
    assert ladder.next_challenge_in_step(1, "retired-challenge") == ladder.first_challenge(1)
    with pytest.raises(ValueError):
        ladder.next_challenge_in_step(ladder.top + 1, other)


def tiny(step: int, *ids: str) -> Step:
    challenges = tuple(Challenge(i, step, "d", "t", "w") for i in ids)
    return Step(step, f"Step {step}", "Summary.", challenges)


def test_two_challenges_still_swap_to_the_other():
    ladder = Ladder((tiny(1, "a", "b"),))
    assert ladder.next_challenge_in_step(1, "a").id == "b"
    assert ladder.next_challenge_in_step(1, "b").id == "a"
    assert ladder.top == 1 and ladder.clamp(5) == 1


@pytest.mark.parametrize(
    "steps",
    [
        (),
        (tiny(1, "a", "b"), tiny(3, "c", "d")),
        (tiny(2, "a", "b"),),
        (tiny(1, "a"),),
        (tiny(1, "a", "b"), tiny(2, "b", "c")),
        (Step(1, "S", "s", (Challenge("a", 1, "d", "t", "w"), Challenge("b", 2, "d", "t", "w"))),),
    ],
)
def test_ladder_refuses_broken_structures(steps):
    with pytest.raises(LadderError):
        Ladder(steps)


# -- suggested if-then plans ---------------------------------------------------------


def test_every_shipped_challenge_suggests_a_when_then_plan(ladder):
    for step in ladder.steps:
        for challenge in step.challenges:
            assert challenge.plans, challenge.id
            for plan in challenge.plans:
                assert plan.startswith("When ") and ", I will " in plan, plan
                assert len(plan) <= 150
    assert (
        ladder.challenge("answer-any-thoughts")
        .plans[0]
        .startswith("When the facilitator asks for thoughts, I will say my point about")
    )


def test_the_test_ladder_carries_its_plans():
    assert parse_ladder(valid_text()).challenge("c-3-2").plans == (
        "When the meeting opens, I will try c-3-2.",
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "          - When the meeting opens, I will try c-4-2.",
            "          - When the meeting opens, I will " + "x" * 129 + ".",
            "challenge 'c-4-2': plan 1 is 161 characters; keep it to 150 or fewer",
        ),
        (
            "          - When the meeting opens, I will try c-4-2.",
            "          - Try to speak up more.",
            "challenge 'c-4-2': plan 1 should read 'When <moment>, I will <action>'",
        ),
        (
            "          - When the meeting opens, I will try c-4-2.",
            "          - ''",
            "challenge 'c-4-2': plan 1 is empty",
        ),
        (
            "        plans:\n          - When the meeting opens, I will try c-4-2.",
            "        plans: []",
            "challenge 'c-4-2': plans should be a list of one or more",
        ),
    ],
)
def test_a_broken_plan_names_its_challenge_and_line(old, new, expected):
    text = valid_text().replace(old, new)
    message = error_for(text)
    line = line_of(valid_text(), old.split("\n")[-1])
    assert message.startswith(f"ladder.yml line {line}: ") or message.startswith(
        f"ladder.yml line {line - 1}: "
    )
    assert expected in message


def test_a_challenge_without_plans_is_named():
    text = valid_text().replace(
        "        plans:\n          - When the meeting opens, I will try c-5-1.\n", ""
    )
    line = line_of(text, "id: c-5-1")
    assert error_for(text) == (
        f"ladder.yml line {line}: challenge 'c-5-1' has no plans "
        "(add at least one 'When …, I will …' plan)"
    )


def test_a_broken_plan_stops_the_app_at_start_with_one_clear_line(tmp_path, monkeypatch):
    import bot.content
    from bot.bootstrap import StartupError, load_content

    shipped = bot.content.LADDER_PATH.read_text(encoding="utf-8")
    plan = "When the facilitator asks for thoughts, I will say my point about"
    assert plan in shipped
    broken = tmp_path / "ladder.yml"
    broken.write_text(shipped.replace(plan, "Say your point" + "!" * 200, 1), encoding="utf-8")
    monkeypatch.setattr(bot.content, "LADDER_PATH", broken)
    with pytest.raises(StartupError) as info:
        load_content()
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("the challenge ladder is broken: ")
    assert "challenge 'answer-any-thoughts': plan 1 is" in message
    assert "keep it to 150 or fewer" in message


# -- kinds (what a challenge asks of her; the policy learns which suit her) ------------


def test_every_shipped_challenge_has_a_known_kind():
    ladder = load_ladder()
    assert {c.kind for s in ladder.steps for c in s.challenges} <= set(KINDS)
    assert all(c.kind for s in ladder.steps for c in s.challenges)


def test_a_challenge_without_a_kind_is_named():
    text = valid_text().replace("      - id: c-3-2\n        kind: opinion\n", "      - id: c-3-2\n")
    line = line_of(text, "id: c-3-2")
    assert error_for(text) == f"ladder.yml line {line}: challenge 'c-3-2' has no kind"


def test_an_unknown_kind_is_named_with_its_line_and_the_kinds_allowed():
    text = valid_text().replace(
        "      - id: c-3-2\n        kind: opinion\n", "      - id: c-3-2\n        kind: sing\n"
    )
    line = line_of(text, "kind: sing")
    message = error_for(text)
    assert message.startswith(f"ladder.yml line {line}: challenge 'c-3-2': kind 'sing'")
    assert ", ".join(KINDS) in message


def test_the_ladder_itself_refuses_an_unknown_kind():
    challenges = [Challenge(f"x{n}", 1, "do", "tip", "why", kind="sing") for n in range(2)]
    with pytest.raises(LadderError, match="kind 'sing'"):
        Ladder((Step(1, "One", "First.", tuple(challenges)),))


def test_her_current_step_and_challenge_survive_a_ladder_file_that_changed(ladder):
    second = ladder.step(2).challenges[1]
    assert ladder.current(2, second.id) == (ladder.step(2), second)
    # A challenge the file no longer has: her step's first.
    assert ladder.current(2, "gone-from-the-file") == (ladder.step(2), ladder.step(2).challenges[0])
    # A step past the top: the top step.
    top = ladder.step(ladder.top)
    assert ladder.current(ladder.top + 3, None) == (top, top.challenges[0])
