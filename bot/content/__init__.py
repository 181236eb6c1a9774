"""Product content kept as data: the challenge ladder.

``ladder.yml`` is written by people, so a mistake in it must be easy to find: every
problem is reported as one line naming the file and the line, e.g.
``ladder.yml line 42: challenge 'ask-why' has no tip``. The file is read with
``yaml.compose`` (nodes with positions, no object construction), so we know where
each value came from and nothing in the file can run code.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.domain.ladder import KINDS, Challenge, Ladder, LadderError, Step

LADDER_PATH = Path(__file__).with_name("ladder.yml")

MIN_STEPS = 7
MIN_CHALLENGES = 3
MAX_ID = 40
MAX_NAME = 60
MAX_SUMMARY = 150
MAX_DO = 150
MAX_TIP = 200
MAX_WHY = 200
# A suggested plan fits on one line of a DM and can be rehearsed in one breath.
MAX_PLAN = 150
# Implementation intentions work best written as "When X, I will Y" (Gollwitzer &
# Sheeran 2006, d = 0.65 across 94 studies), so a suggested plan must read that way.
PLAN_PATTERN = re.compile(r"When \S.*, I will \S.*")

ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_NULL = "tag:yaml.org,2002:null"

# What PyYAML says when a plain value should have been quoted.
_QUOTING_PROBLEMS = ("mapping values are not allowed here", "but found '<scalar>'")

_TOP_KEYS = ("steps",)
_STEP_KEYS = ("step", "name", "summary", "challenges")
_CHALLENGE_KEYS = ("id", "kind", "do", "tip", "why", "plans")
_TEXT_LIMITS = {
    "name": MAX_NAME,
    "summary": MAX_SUMMARY,
    "do": MAX_DO,
    "tip": MAX_TIP,
    "why": MAX_WHY,
}


def load_ladder(path: Path | None = None) -> Ladder:
    """Read and check the ladder file (by default, the ``ladder.yml`` shipped beside this)."""
    path = Path(path) if path is not None else LADDER_PATH
    source = _display_name(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise LadderError(f"{source}: cannot read the ladder file ({reason})") from None
    return parse_ladder(text, source)


def parse_ladder(text: str, source: str = "ladder.yml") -> Ladder:
    """Parse and check ladder YAML; ``source`` names the file in error messages."""
    return _Parser(source).ladder(text)


def _display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == _NULL:
        return "empty"
    if node.tag == _INT:
        return "a number"
    if node.tag == _STR:
        return "text"
    return f"a {node.tag.rsplit(':', 1)[-1]}"


def _peek_id(node: yaml.MappingNode) -> str | None:
    """The challenge's id, if it has a usable one, to name it in messages."""
    for key_node, value_node in node.value:
        if key_node.value == "id" and value_node.tag == _STR and isinstance(value_node.value, str):
            return _one_line(value_node.value) or None
    return None


class _Parser:
    def __init__(self, source: str):
        self.source = source
        self.id_lines: dict[str, int] = {}

    def fail(self, node: yaml.Node | int | None, problem: str) -> LadderError:
        if isinstance(node, int):
            line = node
        elif node is not None:
            line = node.start_mark.line + 1
        else:
            line = 1
        return LadderError(f"{self.source} line {line}: {_one_line(problem)}")

    # -- structure -------------------------------------------------------------------

    def ladder(self, text: str) -> Ladder:
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            line = mark.line + 1 if mark is not None else 1
            problem = e.problem or e.context or "invalid YAML"
            if any(s in problem for s in _QUOTING_PROBLEMS):
                problem += " (if a value has ': ' in it or starts with a quote, quote it all)"
            raise self.fail(line, f"invalid YAML: {problem}") from None
        except yaml.YAMLError as e:
            raise self.fail(1, f"invalid YAML: {e}") from None
        if root is None:
            raise self.fail(1, "the file is empty; it should start with 'steps:'")
        if not isinstance(root, yaml.MappingNode):
            raise self.fail(root, f"the file should start with 'steps:', not {_kind(root)}")
        fields = self.mapping(root, _TOP_KEYS, "the file")
        if "steps" not in fields:
            raise self.fail(root, "the file has no 'steps:' list")
        key, steps_node = fields["steps"]
        if not isinstance(steps_node, yaml.SequenceNode):
            raise self.fail(steps_node, f"'steps' should be a list, not {_kind(steps_node)}")
        steps: list[Step] = []
        for expected, step_node in enumerate(steps_node.value, start=1):
            steps.append(self.step(step_node, expected))
        if len(steps) < MIN_STEPS:
            raise self.fail(
                key, f"the ladder has {len(steps)} steps; it needs at least {MIN_STEPS}"
            )
        return Ladder(tuple(steps))

    def mapping(
        self, node: yaml.MappingNode, allowed: tuple[str, ...], what: str
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """The keys of a mapping, each with its key node and value node."""
        fields: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str) or key not in allowed:
                shown = repr(key) if isinstance(key, str) else _kind(key_node)
                raise self.fail(
                    key_node,
                    f"{what} has an unknown key {shown} (allowed: {', '.join(allowed)})",
                )
            if key in fields:
                first = fields[key][0].start_mark.line + 1
                raise self.fail(key_node, f"{what} has '{key}' twice (first on line {first})")
            fields[key] = (key_node, value_node)
        return fields

    def step(self, node: yaml.Node, expected: int) -> Step:
        where = f"step {expected}"
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(
                node, f"{where} should be a mapping with step, name, summary, challenges"
            )
        fields = self.mapping(node, _STEP_KEYS, where)
        if "step" not in fields:
            raise self.fail(node, f"{where} has no 'step' number")
        number_node = fields["step"][1]
        if number_node.tag != _INT or not number_node.value.isdecimal():
            raise self.fail(
                number_node, f"{where}: 'step' should be a whole number like {expected}"
            )
        number = int(number_node.value)
        if number != expected:
            if number < expected:
                problem = f"step {number} is out of order: expected step {expected} here"
            elif expected == 1:
                problem = f"the ladder should begin with step 1, not step {number}"
            else:
                problem = f"step {expected} is missing: found step {number} after {expected - 1}"
            raise self.fail(number_node, problem)
        name = self.text(node, fields, "name", where)
        summary = self.text(node, fields, "summary", where)
        if "challenges" not in fields:
            raise self.fail(node, f"{where} has no challenges")
        key, challenges_node = fields["challenges"]
        if not isinstance(challenges_node, yaml.SequenceNode):
            raise self.fail(
                challenges_node,
                f"{where}: 'challenges' should be a list, not {_kind(challenges_node)}",
            )
        challenges = tuple(
            self.challenge(c, number, i) for i, c in enumerate(challenges_node.value, start=1)
        )
        if len(challenges) < MIN_CHALLENGES:
            raise self.fail(
                key,
                f"{where} has {len(challenges)} challenge{'s' if len(challenges) != 1 else ''}; "
                f"it needs at least {MIN_CHALLENGES}",
            )
        return Step(number=number, name=name, summary=summary, challenges=challenges)

    def challenge(self, node: yaml.Node, step: int, index: int) -> Challenge:
        where = f"step {step}, challenge {index}"
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{where} should be a mapping with id, do, tip, why")
        named = _peek_id(node)
        fields = self.mapping(node, _CHALLENGE_KEYS, f"challenge '{named}'" if named else where)
        challenge_id = self.challenge_id(node, fields, where)
        where = f"challenge '{challenge_id}'"
        return Challenge(
            id=challenge_id,
            step=step,
            do=self.text(node, fields, "do", where, one_line=True),
            tip=self.text(node, fields, "tip", where),
            why=self.text(node, fields, "why", where),
            plans=self.plans(node, fields, where),
            kind=self.kind(node, fields, where),
        )

    def kind(self, node: yaml.Node, fields: dict, where: str) -> str:
        """What it asks of her: one of the ladder's kinds (the policy learns which suit her)."""
        kind = self.text(node, fields, "kind", where)
        if kind not in KINDS:
            raise self.fail(
                fields["kind"][1], f"{where}: kind '{kind}' should be one of {', '.join(KINDS)}"
            )
        return kind

    # -- values ------------------------------------------------------------------------

    def plans(self, node: yaml.Node, fields: dict, where: str) -> tuple[str, ...]:
        """One or more suggested if-then plans, each "When …, I will …", one line."""
        if "plans" not in fields:
            raise self.fail(
                node, f"{where} has no plans (add at least one 'When …, I will …' plan)"
            )
        plans_node = fields["plans"][1]
        if not isinstance(plans_node, yaml.SequenceNode) or not plans_node.value:
            raise self.fail(
                plans_node,
                f"{where}: plans should be a list of one or more 'When …, I will …' lines",
            )
        plans = []
        for n, plan_node in enumerate(plans_node.value, start=1):
            if not isinstance(plan_node, yaml.ScalarNode) or plan_node.tag != _STR:
                raise self.fail(
                    plan_node, f"{where}: plan {n} should be text, not {_kind(plan_node)}"
                )
            plan = plan_node.value.strip()
            if not plan:
                raise self.fail(plan_node, f"{where}: plan {n} is empty")
            if "\n" in plan:
                raise self.fail(plan_node, f"{where}: plan {n} should be one line")
            if len(plan) > MAX_PLAN:
                raise self.fail(
                    plan_node,
                    f"{where}: plan {n} is {len(plan)} characters; keep it to {MAX_PLAN} or fewer",
                )
            if not PLAN_PATTERN.fullmatch(plan):
                raise self.fail(
                    plan_node, f"{where}: plan {n} should read 'When <moment>, I will <action>'"
                )
            plans.append(plan)
        return tuple(plans)

    def challenge_id(self, node: yaml.Node, fields: dict, where: str) -> str:
        challenge_id = self.text(node, fields, "id", where)
        id_node = fields["id"][1]
        if len(challenge_id) > MAX_ID:
            raise self.fail(
                id_node,
                f"challenge id '{challenge_id}' is {len(challenge_id)} characters; "
                f"keep it to {MAX_ID} or fewer",
            )
        if not ID_PATTERN.fullmatch(challenge_id):
            raise self.fail(
                id_node,
                f"challenge id '{challenge_id}' should be kebab-case: lowercase letters, "
                "digits and single hyphens, like 'ask-a-question'",
            )
        if challenge_id in self.id_lines:
            raise self.fail(
                id_node,
                f"challenge id '{challenge_id}' is used twice "
                f"(first on line {self.id_lines[challenge_id]})",
            )
        self.id_lines[challenge_id] = id_node.start_mark.line + 1
        return challenge_id

    def text(
        self,
        node: yaml.Node,
        fields: dict[str, tuple[yaml.Node, yaml.Node]],
        key: str,
        where: str,
        *,
        one_line: bool = False,
    ) -> str:
        """A required, non-empty text value, within its length limit."""
        if key not in fields:
            raise self.fail(node, f"{where} has no {key}")
        value_node = fields[key][1]
        if value_node.tag == _NULL:
            raise self.fail(value_node, f"{where} has an empty {key}")
        if value_node.tag != _STR or not isinstance(value_node, yaml.ScalarNode):
            raise self.fail(
                value_node,
                f"{where}: {key} should be text, not {_kind(value_node)} "
                "(put it in quotes if it is meant as text)",
            )
        value = value_node.value.strip()
        if not value:
            raise self.fail(value_node, f"{where} has an empty {key}")
        if one_line and "\n" in value:
            raise self.fail(value_node, f"{where}: {key} should be one line")
        limit = _TEXT_LIMITS.get(key)
        if limit is not None and len(value) > limit:
            raise self.fail(
                value_node,
                f"{where}: {key} is {len(value)} characters; keep it to {limit} or fewer",
            )
        return value
