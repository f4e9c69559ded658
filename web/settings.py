"""Configuration from environment variables, read once at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

MODES = ("production", "demo", "test")


@dataclass(frozen=True)
class Settings:
    database_url: str
    mode: str = "production"

    @property
    def allows_time_travel(self) -> bool:
        """Only demo and test installations may run timers as of a future time."""
        return self.mode in ("demo", "test")

    @classmethod
    def from_env(cls) -> Settings:
        default_db = Path("instance") / "laurel.db"
        mode = os.environ.get("LAUREL_MODE", "production")
        if mode not in MODES:
            raise SystemExit(f"LAUREL_MODE must be one of {', '.join(MODES)}, not {mode!r}")
        return cls(
            database_url=os.environ.get("LAUREL_DATABASE_URL", f"sqlite:///{default_db.resolve()}"),
            mode=mode,
        )
