"""The settle-your-nerves exercises: the shipped file is sound and honest about its
evidence, and a broken one stops the app at start with one line naming the file, the
line and the fix."""

from __future__ import annotations

import pytest

from bot.bootstrap import StartupError, load_exercise_library
from bot.content.exercises import EXERCISES_PATH, parse_exercises
from bot.domain.nerves import MAX_STEP, MIN_EXERCISES, NervesError

SHIPPED = EXERCISES_PATH.read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def error_for(text: str) -> str:
    with pytest.raises(NervesError) as info:
        parse_exercises(text)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_three_one_minute_exercises_breath_excitement_and_her_name():
    library = parse_exercises(SHIPPED)
    assert len(library.exercises) >= MIN_EXERCISES
    assert library.ids[:3] == ("long-exhale", "call-it-excitement", "talk-to-yourself")
    assert all(50 <= e.seconds <= 70 for e in library.exercises)  # about a minute
    breath, excitement, by_name = library.exercises[:3]
    assert "longer than you breathed in" in " ".join(breath.steps)
    assert "I am excited" in " ".join(excitement.steps)
    assert by_name.uses_name and not breath.uses_name
    # Each "why" names its evidence, and says its limits where the evidence has them.
    assert "Balban" in breath.why and "pretend exercise helped about as much" in breath.why
    assert "Brooks 2014" in excitement.why and "2025 replication" in excitement.why
    assert "not a promise" in excitement.why
    assert "Kross et al. 2014" in by_name.why


def test_a_bad_file_stops_the_app_at_start_with_one_line(monkeypatch, tmp_path):
    broken = tmp_path / "exercises.yml"
    broken.write_text(SHIPPED.replace("seconds: 60", "seconds: 600", 1), encoding="utf-8")
    monkeypatch.setattr("bot.content.exercises.EXERCISES_PATH", broken)
    with pytest.raises(StartupError) as info:
        load_exercise_library()
    message = str(info.value)
    assert message.startswith("the settle-your-nerves exercises are broken: ")
    assert f"line {line_of(SHIPPED, 'seconds: 60')}:" in message
    assert "takes 600 seconds; keep it to 30 to 90" in message and "\n" not in message


def test_an_unknown_placeholder_is_named():
    text = SHIPPED.replace("{name}, you've prepared", "{first}, you've prepared", 1)
    message = error_for(text)
    assert message.startswith(f"exercises.yml line {line_of(text, '{first}')}: ")
    assert "has {first}; only {name} is filled in" in message


def test_a_step_too_long_or_too_few_steps_are_named():
    step = "Take one slow breath out, and let it go."
    text = SHIPPED.replace(step, step + " Again" * 60, 1)
    assert f"keep it to {MAX_STEP} or fewer" in error_for(text)
    start = SHIPPED.index('      - "Notice what your body')
    end = SHIPPED.index("      - Think of one thing")
    assert "has 1 step; keep 2 to 5" in error_for(SHIPPED[:start] + SHIPPED[end:])


def test_a_repeated_id_a_missing_why_and_no_exercise_by_name_are_named():
    text = SHIPPED.replace("id: call-it-excitement", "id: long-exhale", 1)
    assert "exercise id 'long-exhale' is used twice" in error_for(text)
    start = SHIPPED.index('    why: "Nerves and excitement')
    end = SHIPPED.index("\n", start) + 1
    assert "exercise 2 has no why" in error_for(SHIPPED[:start] + SHIPPED[end:])
    assert "no exercise uses {name}" in error_for(SHIPPED.replace("{name}", "Mila"))


def test_fewer_than_three_exercises_and_bad_yaml_are_named():
    start = SHIPPED.index("  - id: talk-to-yourself")
    assert "there are 2 exercises; keep 3 to 10" in error_for(SHIPPED[:start])
    assert error_for("exercises: [").startswith("exercises.yml line 1: invalid YAML")
    assert error_for("").endswith("the file is empty; it should have 'exercises:'")
