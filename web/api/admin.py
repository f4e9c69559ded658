"""Administration: process definitions (list, deploy, dry run, sources) and instances in error.

Every endpoint needs the `admin` role at some organisation. The admins at the top of each
chain (TLD, BO_GDDT) run the installation, and a deployed definition serves every
organisation, so the role anywhere grants all of these — there is no per-organisation
definition to scope them by.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from http import HTTPStatus
from pathlib import PureWindowsPath
from typing import Any

from flask import request
from flask_smorest import Blueprint, abort
from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import func, select
from sqlalchemy.exc import DataError
from sqlalchemy.orm import defer

from engine import definitions
from engine.errors import Conflict, NotAllowed, NotFound
from engine.models import DefinitionVersion, Instance
from engine.ports import InstanceView
from engine.validation import validate_definition
from web.api import context
from web.api.auth import BEARER
from web.api.common import PageArgs, page_of, page_schema
from web.i18n import t
from workflows.access import Principal
from workflows.models import Nomination
from workflows.roles import DomainRoles

blp = Blueprint("admin", __name__, url_prefix="", description="Quản trị — administration")
# Documented problem responses (names as LaurelApi registers them, per Python version).
_TOO_LARGE = HTTPStatus.REQUEST_ENTITY_TOO_LARGE.name
_INVALID = HTTPStatus.UNPROCESSABLE_ENTITY.name

STATUSES = ("active", "completed", "error")
_MAX_FILES = 20
_KEY_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,99}")


def _valid_key(value: str) -> None:
    if not _KEY_PATTERN.fullmatch(value):
        raise ValidationError(t("definition_key_invalid"))


class DeployForm(Schema):
    key = fields.String(validate=_valid_key, metadata={"description": "Defaults to the process id"})
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


class DeployJson(DeployForm):
    files = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=200)),
        values=fields.String(),
        required=True,
        metadata={
            "description": "File name (.bpmn or .dmn) → XML text",
            "minProperties": 1,
            "maxProperties": _MAX_FILES,
        },
    )


class DeployUpload(DeployForm):
    """multipart/form-data: one `files` part per .bpmn or .dmn file."""

    files = fields.List(Upload(), required=True, validate=validate.Length(min=1, max=_MAX_FILES))


_DEPLOY_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {"schema": DeployUpload},
        "application/json": {"schema": DeployJson},
    },
}


class VersionSchema(Schema):
    key = fields.String(required=True)
    version = fields.Integer(required=True)
    process_id = fields.String(required=True)
    sha256 = fields.String(required=True)
    deployed_by = fields.String(required=True)
    deployed_at = fields.DateTime(required=True)
    comment = fields.String(required=True)


class VersionUseSchema(VersionSchema):
    running = fields.Integer(required=True, metadata={"description": "Instances active"})
    in_error = fields.Integer(required=True)
    finished = fields.Integer(required=True)


class DefinitionSchema(Schema):
    key = fields.String(required=True)
    latest_version = fields.Integer(required=True)
    versions = fields.List(fields.Nested(VersionUseSchema), required=True)


class VersionDetailSchema(VersionUseSchema):
    files = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class DeployedSchema(VersionSchema):
    created = fields.Boolean(required=True, metadata={"description": "False: content unchanged"})


class ValidSchema(Schema):
    valid = fields.Boolean(required=True)
    process_id = fields.String(required=True)


class InstanceArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(STATUSES))
    definition = fields.String(validate=validate.Length(max=100))
    business_key = fields.String(validate=validate.Length(max=100))


class RetriedSchema(Schema):
    id = fields.Integer(required=True)
    business_key = fields.String(required=True)
    definition_key = fields.String(required=True)
    definition_version = fields.Integer(required=True)
    status = fields.String(required=True)
    error_element = fields.String(allow_none=True)
    error_message = fields.String(allow_none=True)


class InstanceSchema(RetriedSchema):
    nomination_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class RetryArgs(Schema):
    data = fields.Dict(
        keys=fields.String(),
        load_default=dict,
        metadata={"description": "Corrected data merged into the failed task"},
    )


def _admin() -> Principal:
    who = context.me()
    if not who.orgs("admin"):
        raise NotAllowed(t("admin_required"))
    return who


def _uploaded() -> tuple[dict[str, bytes], dict[str, Any]]:
    """The files and options of a deploy or dry run, from a multipart or a JSON body."""
    try:
        if request.is_json:
            body = DeployJson().load(request.get_json(silent=True) or {})
            files = {name: xml.encode("utf-8") for name, xml in body.pop("files").items()}
        else:
            body = DeployForm().load(request.form.to_dict(), unknown="exclude")
            files = {}
            for upload in request.files.getlist("files"):
                name = PureWindowsPath(upload.filename or "").name  # no client directories
                if not name or name in files:
                    raise ValidationError({"files": [t("file_name_invalid", name=name)]})
                files[name] = upload.read()
    except ValidationError as error:
        abort(422, messages={"body": error.messages})
    if not files or len(files) > _MAX_FILES:
        abort(422, messages={"body": {"files": [t("files_count", most=_MAX_FILES)]}})
    return files, body


@blp.get("/definitions")
@blp.response(200, DefinitionSchema(many=True))
@blp.doc(security=BEARER)
def list_definitions() -> Any:
    """Deployed definitions with every version, newest first, and how many instances run on
    each."""
    _admin()
    session = context.read()
    uses = _uses()
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in session.scalars(
        select(DefinitionVersion)
        .options(defer(DefinitionVersion.sources))
        .order_by(DefinitionVersion.key, DefinitionVersion.version.desc())
    ):
        grouped[row.key].append({**_version(row), **uses[row.id]})
    return [
        {"key": key, "latest_version": versions[0]["version"], "versions": versions}
        for key, versions in grouped.items()
    ]


@blp.post("/definitions")
@blp.response(201, DeployedSchema)
@blp.alt_response(200, schema=DeployedSchema, description="Unchanged: no new version")
@blp.alt_response(413, response=_TOO_LARGE, description="Upload too large")
@blp.alt_response(422, response=_INVALID, description="Every validation problem")
@blp.doc(security=BEARER, requestBody=_DEPLOY_BODY)
def deploy() -> Any:
    """Deploy a BPMN file with the DMN files it calls as a new immutable version.

    Send `multipart/form-data` (one `files` part per file, optional `key` and `comment`) or
    JSON `{"files": {"name.bpmn": "<xml>"}, "key", "comment"}`. A refused definition answers
    422 with every problem and its element id; nothing is stored. Running instances keep
    the version they started on."""
    who = _admin()
    files, body = _uploaded()
    try:
        result = context.engine().deploy(
            files, deployed_by=who.username, key=body.get("key"), comment=body["comment"]
        )
    except DataError:
        # A process id longer than a key may be (PostgreSQL checks the length).
        abort(422, messages={"body": {"key": [t("definition_key_needed")]}})
    status = 201 if result.created else 200
    return {**_version(result.version), "created": result.created}, status


@blp.post("/definitions/validate")
@blp.response(200, ValidSchema)
@blp.alt_response(413, response=_TOO_LARGE, description="Upload too large")
@blp.alt_response(422, response=_INVALID, description="Every validation problem")
@blp.doc(security=BEARER, requestBody=_DEPLOY_BODY)
def validate_only() -> Any:
    """Dry run of a deploy: the same checks, nothing stored."""
    _admin()
    files, _ = _uploaded()
    parsed = validate_definition(files, DomainRoles().known_roles())
    return {"valid": True, "process_id": parsed.process_id}


@blp.get("/definitions/<key>/versions/<int(max=2147483647):number>")
@blp.response(200, VersionDetailSchema)
@blp.alt_response(404, response=HTTPStatus.NOT_FOUND.name, description="No such version")
@blp.doc(security=BEARER)
def definition_version(key: str, number: int) -> Any:
    """One version's metadata and its source files."""
    _admin()
    session = context.read()
    try:
        row = definitions.get_version(session, key, number)
    except NotFound:
        raise NotFound(t("definition_not_found", definition=key, version=number)) from None
    return {**_version(row), **_uses(row.id)[row.id], "files": row.sources}


@blp.get("/instances")
@blp.arguments(InstanceArgs, location="query")
@blp.response(200, page_schema(InstanceSchema, "InstancePage"))
@blp.doc(security=BEARER)
def list_instances(args: dict[str, Any]) -> Any:
    """Process instances, most recently changed first; `status=error` for those to fix."""
    _admin()
    session = context.read()
    query = (
        select(Instance)
        .options(defer(Instance.state))
        .order_by(Instance.updated_at.desc(), Instance.id.desc())
    )
    if args.get("status"):
        query = query.where(Instance.status == args["status"])
    if args.get("business_key"):
        query = query.where(Instance.business_key == args["business_key"])
    if args.get("definition"):
        query = query.where(
            Instance.definition_id.in_(
                select(DefinitionVersion.id).where(DefinitionVersion.key == args["definition"])
            )
        )
    page = page_of(session, query, args["page"], args["per_page"])
    shown = InstanceSchema().fields
    instances: list[Instance] = list(page["items"])
    versions = {  # a short table: one row per deploy
        version_id: (key, number)
        for version_id, key, number in session.execute(
            select(DefinitionVersion.id, DefinitionVersion.key, DefinitionVersion.version)
        )
    }
    nominations = {
        business_key: nomination_id
        for business_key, nomination_id in session.execute(
            select(Nomination.business_key, Nomination.id).where(
                Nomination.business_key.in_([i.business_key for i in instances])
            )
        )
    }
    page["items"] = [
        {
            **{name: getattr(i, name) for name in shown if hasattr(Instance, name)},
            "nomination_id": nominations.get(i.business_key),
            "definition_key": versions[i.definition_id][0],
            "definition_version": versions[i.definition_id][1],
        }
        for i in instances
    ]
    return page


@blp.post("/instances/<int(max=2147483647):instance_id>/retry")
@blp.arguments(RetryArgs)
@blp.response(200, RetriedSchema)
@blp.alt_response(404, response=HTTPStatus.NOT_FOUND.name, description="No such instance")
@blp.alt_response(409, response=HTTPStatus.CONFLICT.name, description="Not in error")
@blp.doc(security=BEARER)
def retry(args: dict[str, Any], instance_id: int) -> Any:
    """Run an instance in error again from its failed task, with corrected data if given."""
    who = _admin()
    status = context.read().scalar(select(Instance.status).where(Instance.id == instance_id))
    if status is None:
        raise NotFound(t("instance_not_found", id=instance_id))
    if status != "error":
        raise Conflict(t("instance_not_in_error", status=status))
    view: InstanceView = context.engine().retry(instance_id, who.username, args["data"])
    return view


def _version(row: DefinitionVersion) -> dict[str, Any]:
    return {name: getattr(row, name) for name in VersionSchema().fields}


def _uses(definition_id: int | None = None) -> Mapping[int, dict[str, int]]:
    """Instances per version by status: running (active), in error, finished (completed)."""
    query = select(Instance.definition_id, Instance.status, func.count()).group_by(
        Instance.definition_id, Instance.status
    )
    if definition_id is not None:
        query = query.where(Instance.definition_id == definition_id)
    uses: defaultdict[int, dict[str, int]] = defaultdict(
        lambda: {"running": 0, "in_error": 0, "finished": 0}
    )
    names = {"active": "running", "error": "in_error", "completed": "finished"}
    for version_id, status, count in context.read().execute(query):
        if status in names:
            uses[version_id][names[status]] = count
    return uses
