"""The documents a dossier must hold (Luật TĐKT 2022 Art. 84; the simplified procedure's
shorter list, Art. 85), as rule parameters of the award with their legal basis, and the
checklist of a nomination: each required document with the files said to be it.

A rule's `documents` are rows {name, basis, applies}: `applies` says which procedure asks
for the document, the regular one (`full`), the simplified one or `both`. A file is a
document when its uploader chose that document's name; a file on the nomination or on a
tờ trình that lists it satisfies it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any, TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.models import Attachment, AwardRule, Nomination, ProposalItem
from workflows.rules import rule_in_force

DOCUMENTS_MOST = 30
NAME_MOST = 200
BASIS_MOST = 2000
APPLIES = ("both", "full", "simplified")
_KEYS = {"name", "basis", "applies"}


class FileRef(TypedDict):
    id: int
    name: str
    proposal_id: int | None  # set when the file is the tờ trình's, not the nomination's


class ChecklistItem(TypedDict):
    name: str
    basis: str
    attached: bool
    files: list[FileRef]


def check_documents(value: Any, add: Callable[..., None]) -> str:
    """A rule's documents as stored (canonical JSON); each problem given to `add(code, **params)`
    under the field `documents` (codes `documents_invalid`, `document_name_taken`)."""
    if not isinstance(value, list) or len(value) > DOCUMENTS_MOST:
        add("documents_invalid", most=DOCUMENTS_MOST)
        return "[]"
    found: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in value:
        if not isinstance(item, Mapping) or set(item) - _KEYS:
            add("documents_invalid", most=DOCUMENTS_MOST)
            continue
        name, basis = item.get("name"), item.get("basis")
        applies = item.get("applies", "full")
        if (
            not isinstance(name, str)
            or not 0 < len(name.strip()) <= NAME_MOST
            or not isinstance(basis, str)
            or not 0 < len(basis.strip()) <= BASIS_MOST
            or applies not in APPLIES
        ):
            add("documents_invalid", most=DOCUMENTS_MOST)
            continue
        if name.strip() in seen:
            add("document_name_taken", name=name.strip())
            continue
        seen.add(name.strip())
        found.append({"name": name.strip(), "basis": basis.strip(), "applies": applies})
    return json.dumps(found, ensure_ascii=False)


def required(rule: AwardRule, simplified: bool) -> list[dict[str, Any]]:
    """The rule's documents for the procedure the nomination follows."""
    wanted = ("both", "simplified" if simplified else "full")
    return [d for d in rule.document_list if d.get("applies", "full") in wanted]


def _files(session: Session, nomination_ids: Sequence[int]) -> dict[int, list[Attachment]]:
    """For each nomination, its files in the dossier now that are said to be a document, and
    those of the tờ trình listing it (one query for the whole list)."""
    found: dict[int, list[Attachment]] = {n: [] for n in nomination_ids}
    if not nomination_ids:
        return found
    own = select(Attachment.nomination_id.label("owner"), Attachment).where(
        Attachment.nomination_id.in_(nomination_ids)
    )
    carried = (
        select(ProposalItem.nomination_id.label("owner"), Attachment)
        .join(Attachment, Attachment.proposal_id == ProposalItem.proposal_id)
        .where(ProposalItem.nomination_id.in_(nomination_ids))
    )
    for query in (own, carried):
        rows = session.execute(
            query.where(Attachment.retired_at.is_(None), Attachment.document.is_not(None))
        ).all()
        for owner, file in rows:
            if owner is not None:
                found[owner].append(file)
    return found


def checklists(
    session: Session, nominations: Sequence[Nomination], on: date
) -> dict[int, list[ChecklistItem]]:
    """Each nomination's required documents, in its rule's order, each with the files said
    to be it; by nomination id. A nomination whose award has no rule in force has none."""
    rules: dict[str, AwardRule | None] = {}
    for award in {n.award_code for n in nominations}:
        try:
            rules[award] = rule_in_force(session, award, on)
        except LookupError:
            rules[award] = None
    files = _files(session, [n.id for n in nominations])
    found: dict[int, list[ChecklistItem]] = {}
    for nomination in nominations:
        rule = rules[nomination.award_code]
        items: list[ChecklistItem] = []
        for document in required(rule, nomination.simplified) if rule else []:
            refs: list[FileRef] = [
                {"id": f.id, "name": f.name, "proposal_id": f.proposal_id}
                for f in sorted(files[nomination.id], key=lambda f: f.id)
                if f.document == document["name"]
            ]
            items.append(
                {
                    "name": document["name"],
                    "basis": document["basis"],
                    "attached": bool(refs),
                    "files": refs,
                }
            )
        found[nomination.id] = items
    return found


def checklists_of(session: Session, ids: Sequence[int], on: date) -> dict[int, list[ChecklistItem]]:
    """`checklists` of the nominations with these ids (a list page's rows)."""
    if not ids:
        return {}
    return checklists(
        session, list(session.scalars(select(Nomination).where(Nomination.id.in_(ids)))), on
    )


def checklist(session: Session, nomination: Nomination, on: date) -> list[ChecklistItem]:
    return checklists(session, [nomination], on)[nomination.id]


def names_for(session: Session, nomination: Nomination, on: date) -> list[str]:
    """The names of the documents the nomination must hold (a file's document choice)."""
    return [item["name"] for item in checklist(session, nomination, on)]


def names_for_proposal(session: Session, proposal_id: int, on: date) -> list[str]:
    """The documents any nomination on the tờ trình must hold, each once (a proposal file's
    document choice: the tờ trình itself, the unit's meeting minutes)."""
    ids = list(
        session.scalars(
            select(ProposalItem.nomination_id).where(ProposalItem.proposal_id == proposal_id)
        )
    )
    found: list[str] = []
    for items in checklists_of(session, ids, on).values():
        found.extend(i["name"] for i in items if i["name"] not in found)
    return found


def missing_names(items: list[ChecklistItem]) -> list[str]:
    return [item["name"] for item in items if not item["attached"]]
