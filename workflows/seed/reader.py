"""YAML text to rows that remember the line of each value (safe loader only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from workflows.seed.report import Error

SECTIONS = ("organisations", "users", "campaigns", "awards", "rules", "awards_history", "calendar")


@dataclass
class Row:
    """A YAML mapping with the line of the mapping and of each of its values."""

    line: int
    data: dict[str, Any]
    lines: dict[str, int]

    def at(self, key: str) -> int:
        return self.lines.get(key, self.line)


def line_of(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


class Reader:
    """Composed YAML nodes to rows that remember their line numbers (safe loader only)."""

    def __init__(self, errors: list[Error]) -> None:
        self.errors = errors
        self.constructor = yaml.SafeLoader("")

    def sections(self, text: str) -> dict[str, list[Row]]:
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            self.errors.append((mark.line + 1 if mark else 1, f"not valid YAML: {exc.problem}"))
            return {}
        except yaml.YAMLError as exc:
            self.errors.append((1, f"not valid YAML: {exc}"))
            return {}
        if root is None:
            return {}
        if not isinstance(root, yaml.MappingNode):
            self.errors.append((line_of(root), f"expected sections: {', '.join(SECTIONS)}"))
            return {}
        found: dict[str, list[Row]] = {}
        for key, value in root.value:
            name = str(key.value)
            if name.startswith("x-"):  # definitions the sections reuse (&anchors), not rows
                continue
            if name not in SECTIONS:
                expected = ", ".join(SECTIONS)
                self.errors.append(
                    (line_of(key), f"unknown section '{name}' (expected {expected})")
                )
            elif name in found:
                self.errors.append((line_of(key), f"section '{name}' appears twice"))
            elif value.tag == "tag:yaml.org,2002:null":
                found[name] = []
            elif not isinstance(value, yaml.SequenceNode):
                self.errors.append((line_of(value), f"section '{name}' must be a list"))
            else:
                rows = [self.row(item, name) for item in value.value]
                found[name] = [row for row in rows if row is not None]
        return found

    def row(self, node: yaml.Node, what: str) -> Row | None:
        if not isinstance(node, yaml.MappingNode):
            self.errors.append((line_of(node), f"each entry of '{what}' must be a mapping"))
            return None
        self.constructor.flatten_mapping(node)  # YAML merge keys (<<: *anchor)
        row = Row(line_of(node), {}, {})
        for key, value in node.value:
            name = str(key.value)
            if name in row.data:
                self.errors.append((line_of(key), f"field '{name}' appears twice"))
            row.data[name] = self.value(value, name)
            row.lines[name] = line_of(value)
        return row

    def value(self, node: yaml.Node, name: str) -> Any:
        if isinstance(node, yaml.MappingNode):
            return self.row(node, name)
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, name) for item in node.value]
        if node.tag == "tag:yaml.org,2002:bool" and node.value.lower() not in ("true", "false"):
            return str(node.value)  # YAML 1.2 reading: `kind: off` is the text "off"
        try:
            return self.constructor.construct_object(node, deep=True)
        except (ValueError, yaml.YAMLError):  # e.g. 2025-02-30: the field's check reports it
            self.constructor.recursive_objects.pop(node, None)
            return str(node.value)
