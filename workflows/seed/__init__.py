"""Load seed data from YAML (`laurel seed`): organisations, people and their roles, campaigns,
the award catalogue with its date-effective rules, past awards and calendar exceptions.

Every row is checked before anything is written: a file with errors raises `SeedError` with
each bad row's line number and leaves the session as it was. Loading a file again changes
nothing; a changed value updates its row. A field left out of a row leaves the stored value
alone (a new row gets the default); a rule row without some parameters takes them from the
award's rule in force before it.

The file is read by `reader` (rows that keep their line numbers), its fields typed by
`fields`, checked and written by `loader`; `report` holds what a load did or refused.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from workflows.seed.loader import Loader
from workflows.seed.report import Counts, SeedError, SeedReport

__all__ = ["Counts", "SeedError", "SeedReport", "load_seed", "load_seed_file"]


def load_seed_file(session: Session, path: str | Path) -> SeedReport:
    return load_seed(session, Path(path))


def load_seed(session: Session, source: str | Path) -> SeedReport:
    """Load YAML text, or the file at `source` (a Path, or a str naming a .yaml file)."""
    if isinstance(source, str) and "\n" not in source and source.endswith((".yaml", ".yml")):
        source = Path(source)
    if isinstance(source, Path):
        data = source.read_bytes()
        try:
            text = data.decode("utf-8-sig")  # tolerate the BOM Windows editors write
        except UnicodeDecodeError as exc:
            raise SeedError([(data.count(b"\n", 0, exc.start) + 1, "not UTF-8 text")]) from exc
    else:
        text = source
    loader = Loader(session)
    loader.check(text)
    if loader.errors:
        raise SeedError(loader.errors)
    with session.begin_nested():  # an unexpected database error leaves the session as it was
        return loader.apply()
