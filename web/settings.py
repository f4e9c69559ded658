"""Configuration from environment variables, read once at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import make_url

MODES = ("production", "demo", "test")
FILE_STORES = ("local", "s3")
ANCHOR_INTERVAL_MINUTES = 10


@dataclass(frozen=True)
class Settings:
    database_url: str
    mode: str = "production"
    # Where the audit chain's head is recorded outside the database (LAUREL_ANCHOR_FILE);
    # None: see `anchor_path`.
    anchor_file: Path | None = None
    anchor_interval: timedelta = timedelta(minutes=ANCHOR_INTERVAL_MINUTES)
    # Where attached files are kept (docs/files.md): "local", a directory (LAUREL_FILES_DIR;
    # None: see `files_path`), or "s3", a bucket of an S3-compatible store.
    file_store: str = "local"
    files_dir: Path | None = None
    s3_bucket: str = ""
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_prefix: str = ""

    @property
    def anchor_path(self) -> Path:
        """The anchor file: the one configured, else one beside a SQLite database file named
        after it (anchors belong to one database), else instance/anchors.jsonl."""
        if self.anchor_file is not None:
            return self.anchor_file
        url = make_url(self.database_url)
        database = url.database or ""
        if (
            url.get_backend_name() == "sqlite"
            and database
            and not database.startswith((":memory:", "file:"))
        ):
            sqlite_file = Path(database)
            return sqlite_file.with_name(f"{sqlite_file.stem}.anchors.jsonl")
        return (Path("instance") / "anchors.jsonl").resolve()

    @property
    def files_path(self) -> Path:
        """The local file store: the one configured, else `files` beside the anchor file
        (laurel.files beside a SQLite laurel.db, else instance/files): files belong to one
        database, as anchors do."""
        if self.files_dir is not None:
            return self.files_dir
        return self.anchor_path.with_name(
            self.anchor_path.name.removesuffix("anchors.jsonl") + "files"
        )

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
        anchor_file = os.environ.get("LAUREL_ANCHOR_FILE")
        minutes = os.environ.get("LAUREL_ANCHOR_INTERVAL_MINUTES", str(ANCHOR_INTERVAL_MINUTES))
        if not minutes.isdigit() or int(minutes) < 1:
            raise SystemExit(
                f"LAUREL_ANCHOR_INTERVAL_MINUTES must be a whole number of minutes, not {minutes!r}"
            )
        store = os.environ.get("LAUREL_FILE_STORE", "local")
        if store not in FILE_STORES:
            raise SystemExit(
                f"LAUREL_FILE_STORE must be one of {', '.join(FILE_STORES)}, not {store!r}"
            )
        bucket = os.environ.get("LAUREL_S3_BUCKET", "")
        if store == "s3" and not bucket:
            raise SystemExit("LAUREL_FILE_STORE=s3 needs LAUREL_S3_BUCKET")
        files_dir = os.environ.get("LAUREL_FILES_DIR")
        return cls(
            database_url=os.environ.get("LAUREL_DATABASE_URL", f"sqlite:///{default_db.resolve()}"),
            mode=mode,
            anchor_file=Path(anchor_file).resolve() if anchor_file else None,
            anchor_interval=timedelta(minutes=int(minutes)),
            file_store=store,
            files_dir=Path(files_dir).resolve() if files_dir else None,
            s3_bucket=bucket,
            s3_endpoint_url=os.environ.get("LAUREL_S3_ENDPOINT_URL") or None,
            s3_region=os.environ.get("LAUREL_S3_REGION") or None,
            s3_prefix=os.environ.get("LAUREL_S3_PREFIX", ""),
        )
