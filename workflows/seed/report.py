"""What a seed load did (rows created, updated, unchanged) or why it was refused."""

from __future__ import annotations

from dataclasses import dataclass, field

Error = tuple[int, str]


class SeedError(Exception):
    """A seed file was refused; `errors` holds every problem as (line, message)."""

    def __init__(self, errors: list[Error]) -> None:
        self.errors = sorted(errors)
        super().__init__("; ".join(f"line {line}: {message}" for line, message in self.errors))


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class SeedReport:
    """Rows created, updated and unchanged per section present in the file."""

    sections: dict[str, Counts] = field(default_factory=dict)

    @property
    def created(self) -> int:
        return sum(counts.created for counts in self.sections.values())

    @property
    def updated(self) -> int:
        return sum(counts.updated for counts in self.sections.values())

    def lines(self) -> list[str]:
        return [
            f"{name:<15} {c.created} created, {c.updated} updated, {c.unchanged} unchanged"
            for name, c in self.sections.items()
        ]
