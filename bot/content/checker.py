"""Reading a content file's YAML nodes with one-line errors that name the file and line.

Shared by the content files written by people (stories.yml, exercises.yml): the file is
read with ``yaml.compose`` (nodes with positions, no object construction), so every
problem can say where it is, and nothing in the file can run code.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.content import _display_name, _kind, _one_line

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"


def read_content(path: Path, error: type[Exception], what: str) -> tuple[str, str]:
    """The file's text and the name to show in errors; ``error`` if it can't be read."""
    source = _display_name(path)
    try:
        return path.read_text(encoding="utf-8"), source
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise error(f"{source}: cannot read {what} ({reason})") from None


class NodeChecker:
    """``error``: the exception class raised, with ``"<source> line <n>: <problem>"``."""

    def __init__(self, source: str, error: type[Exception]):
        self.source = source
        self.error = error

    def fail(self, node: yaml.Node | None, problem: str) -> Exception:
        line = node.start_mark.line + 1 if node is not None else 1
        return self.error(f"{self.source} line {line}: {_one_line(problem)}")

    def compose(self, text: str) -> yaml.Node | None:
        try:
            return yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            line = mark.line + 1 if mark is not None else 1
            problem = e.problem or e.context
            raise self.error(f"{self.source} line {line}: invalid YAML: {problem}") from None

    def mapping(self, node: yaml.Node, allowed: tuple[str, ...], what: str) -> dict:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} should be a mapping with {', '.join(allowed)}")
        fields = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key not in allowed:
                raise self.fail(
                    key_node, f"{what} has an unknown key {key!r} (allowed: {', '.join(allowed)})"
                )
            if key in fields:
                raise self.fail(key_node, f"{what} has '{key}' twice")
            fields[key] = value_node
        for key in allowed:
            if key not in fields:
                raise self.fail(node, f"{what} has no {key}")
        return fields

    def words(self, node: yaml.Node, what: str, limit: int) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag != _STR:
            raise self.fail(node, f"{what} should be text, not {_kind(node)}")
        value = " ".join(node.value.split())
        if not value:
            raise self.fail(node, f"{what} is empty")
        if len(value) > limit:
            raise self.fail(node, f"{what} is {len(value)} characters; keep it to {limit} or fewer")
        return value

    def items(self, fields: dict, key: str) -> list[yaml.Node]:
        node = fields[key]
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"'{key}' should be a list, not {_kind(node)}")
        return node.value

    def whole_number(self, node: yaml.Node, what: str) -> int:
        if node.tag != _INT or not node.value.isdecimal():
            raise self.fail(node, f"{what} should be a whole number")
        return int(node.value)
