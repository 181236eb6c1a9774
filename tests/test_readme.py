"""README.md tells the truth: its test command is the one CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)\n```", (ROOT / "README.md").read_text(), re.S)


def test_readme_has_the_two_commands_and_ci_runs_the_test_one():
    blocks = _shell_blocks()
    run_app, run_tests = blocks[0], blocks[1]
    assert run_app.endswith("python -m bot")
    assert run_tests.endswith("pytest")
    ci = (ROOT / ".ci" / "run").read_text()
    assert f'TEST_COMMAND="{run_tests}"' in ci


def test_env_example_documents_every_setting():
    settings = (ROOT / "bot" / "settings.py").read_text()
    names = r"SLACK|DATABASE|PORT|LOG|WEB|SECRET|CALENDAR|PROMETHEUS|POOL|CLOCK|LISTENER"
    read = set(re.findall(rf'"((?:{names})[A-Z_]*)"', settings))
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^([A-Z_]+)=", example, re.M))
    assert read == documented
