"""Deploying definitions as immutable versions, and the per-version cache of parsed specs."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import audit
from engine.errors import Conflict, NotFound
from engine.models import DefinitionVersion, table_of
from engine.parsing import ParsedDefinition, parse_definition
from engine.ports import FormCatalog, RoleCatalog
from engine.validation import validate_definition


def content_hash(files: Mapping[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name] + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class DeployResult:
    version: DefinitionVersion
    created: bool  # False when the newest version already had exactly this content


def deploy(
    session: Session,
    roles: RoleCatalog,
    files: Mapping[str, bytes],
    *,
    deployed_by: str,
    at: datetime,
    key: str | None = None,
    comment: str = "",
    forms: FormCatalog | None = None,
) -> DeployResult:
    """Validate and store a new version; raises DefinitionRejected and stores nothing on error."""
    parsed = validate_definition(
        files, roles.known_roles(), forms=forms.known_forms() if forms else None
    )
    key = key or parsed.process_id
    sha = content_hash(files)
    latest = latest_version(session, key)
    if latest is not None and latest.sha256 == sha:
        return DeployResult(latest, created=False)
    row = DefinitionVersion(
        key=key,
        version=(latest.version + 1) if latest else 1,
        process_id=parsed.process_id,
        sha256=sha,
        sources={name: data.decode("utf-8") for name, data in files.items()},
        deployed_by=deployed_by,
        deployed_at=at,
        comment=comment,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict("deploy_raced", definition=key, version=row.version) from exc
    audit.append(
        session,
        at,
        [
            audit.PendingEvent(
                actor=deployed_by,
                action="definition.deployed",
                payload={
                    "key": key,
                    "version": row.version,
                    "sha256": sha,
                    "files": sorted(files),
                    "comment": comment,
                },
            )
        ],
    )
    return DeployResult(row, created=True)


def latest_version(session: Session, key: str) -> DefinitionVersion | None:
    return session.scalars(
        select(DefinitionVersion)
        .where(DefinitionVersion.key == key)
        .order_by(DefinitionVersion.version.desc())
        .limit(1)
    ).first()


_VERSIONS = table_of(DefinitionVersion)
_NEWEST_ID = (
    select(_VERSIONS.c.id)
    .where(_VERSIONS.c.key == bindparam("key"))
    .order_by(_VERSIONS.c.version.desc())
    .limit(1)
)


def newest_id(session: Session, key: str) -> int:
    """The id of the version new instances of `key` start on (hot path: Core, prebuilt)."""
    found = session.connection().execute(_NEWEST_ID, {"key": key}).scalar()
    if found is None:
        raise NotFound("definition_not_deployed", definition=key)
    return int(found)


def get_version(session: Session, key: str, version: int | None = None) -> DefinitionVersion:
    if version is None:
        row = latest_version(session, key)
    else:
        row = session.scalars(
            select(DefinitionVersion).where(
                DefinitionVersion.key == key, DefinitionVersion.version == version
            )
        ).first()
    if row is None:
        if version is None:
            raise NotFound("definition_not_deployed", definition=key)
        raise NotFound("definition_not_found", definition=key, version=version)
    return row


@dataclass(frozen=True)
class LoadedVersion:
    id: int
    key: str
    version: int
    parsed: ParsedDefinition


class SpecCache:
    """Parsed specs per definition version. Versions are immutable, so entries never go stale."""

    def __init__(self) -> None:
        self._loaded: dict[int, LoadedVersion] = {}
        self._by_spec: dict[int, ParsedDefinition] = {}  # id(spec) -> its definition
        self._lock = threading.Lock()

    def get(self, session: Session, definition_id: int) -> LoadedVersion:
        loaded = self._loaded.get(definition_id)
        if loaded is None:
            row = session.get(DefinitionVersion, definition_id)
            if row is None:
                raise NotFound("definition_version_not_found", id=definition_id)
            files = {name: text.encode("utf-8") for name, text in row.sources.items()}
            parsed = parse_definition(files, row.process_id)
            with self._lock:
                loaded = self._loaded.setdefault(
                    row.id, LoadedVersion(row.id, row.key, row.version, parsed)
                )
                self._by_spec[id(loaded.parsed.spec)] = loaded.parsed
        return loaded

    def interrupting(self, spec: object) -> frozenset[str]:
        """Interrupting event subprocesses of a cached spec (kept alive here, so ids hold)."""
        parsed = self._by_spec.get(id(spec))
        return parsed.interrupting_event_subprocesses if parsed else frozenset()
