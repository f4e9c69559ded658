"""Administration: process definitions (list, deploy, dry run, sources, differences between
versions) and instances (list with filters, one with its diagram's element states, suspend,
resume, retry after an error).

Every endpoint needs the `admin` role at some organisation. A deployed definition serves
every organisation, so deploying needs the role at a root of the organisation tree (any admin
may read definitions and dry-run one). Instances are scoped like organisations and people:
an admin lists, reads and acts on those whose nomination is now in their subtrees; any other
id answers 404 (workflows.admin_scope). Retry data is limited to what the failed element
declares, never a key the application owns (workflows.retry_data).
"""

from __future__ import annotations

from http import HTTPStatus
from pathlib import PureWindowsPath
from typing import Any

from flask import request
from flask_smorest import Blueprint, abort
from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import ColumnElement
from sqlalchemy.exc import DataError

from engine import definitions
from engine.errors import NotAllowed, NotFound
from engine.models import DefinitionVersion
from web import context
from web.api.auth import BEARER, me
from web.api.common import PageArgs, page_schema
from web.api.problems import problem
from web.i18n import t
from web.paging import page_of
from web.queries import definitions as definition_queries
from web.queries import instances as instance_queries
from web.schemas.definitions import MAX_FILES, DeployForm, DeployJson
from web.schemas.instances import RetryArgs, SuspendArgs
from web.schemas.text import NO_NUL
from web.services import instances
from workflows import deployment, retry_data
from workflows.access import Principal
from workflows.admin_scope import instance_scope
from workflows.pipeline import check_definition

blp = Blueprint("admin", __name__, url_prefix="", description="Quản trị — administration")
# Documented problem responses (names as LaurelApi registers them, per Python version).
_TOO_LARGE = HTTPStatus.REQUEST_ENTITY_TOO_LARGE.name
_INVALID = HTTPStatus.UNPROCESSABLE_ENTITY.name

STATUSES = instance_queries.STATUSES


class DeployUpload(DeployForm):
    """multipart/form-data: one `files` part per .bpmn or .dmn file."""

    files = fields.List(Upload(), required=True, validate=validate.Length(min=1, max=MAX_FILES))


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
    suspended = fields.Integer(required=True)
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


def _text_arg() -> fields.String:
    return fields.String(validate=[validate.Length(max=100), NO_NUL])


class InstanceArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(STATUSES))
    definition = _text_arg()
    version = fields.Integer(
        validate=validate.Range(min=1, max=2147483647), metadata={"description": "Version number"}
    )
    business_key = _text_arg()
    stage = fields.String(
        validate=[validate.Length(max=200), NO_NUL],
        metadata={"description": "The form or BPMN id of an open task, or the nomination's stage"},
    )
    org = fields.String(
        validate=[validate.Length(max=100), NO_NUL],
        metadata={"description": "The nomination's current or origin organisation"},
    )


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
    nominee_name = fields.String(allow_none=True)
    current_org = fields.String(allow_none=True)
    origin_org = fields.String(allow_none=True)
    stage = fields.String(allow_none=True, metadata={"description": "The nomination's stage"})
    open_stages = fields.List(
        fields.String(), required=True, metadata={"description": "Forms of the open tasks"}
    )
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class InstanceTaskSchema(Schema):
    id = fields.String(required=True)
    bpmn_id = fields.String(required=True)
    form = fields.String(required=True)
    title = fields.String(required=True)
    lane = fields.String(allow_none=True)
    org_scope = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
    due_at = fields.DateTime(allow_none=True)


class ElementsSchema(Schema):
    done = fields.List(fields.String(), required=True)
    active = fields.List(fields.String(), required=True)
    error = fields.List(fields.String(), required=True)


class InstanceDetailSchema(InstanceSchema):
    tasks = fields.List(fields.Nested(InstanceTaskSchema), required=True)
    elements = fields.Nested(
        ElementsSchema,
        required=True,
        metadata={"description": "BPMN element ids by state, for highlighting the diagram"},
    )
    newest_version = fields.Integer(
        required=True, metadata={"description": "The newest deployed version of its definition"}
    )


class MigrateArgs(Schema):
    to_version = fields.Integer(
        validate=validate.Range(min=1, max=2_147_483_647),
        metadata={"description": "The version to move to; the newest when absent"},
    )


class DetailSchema(Schema):
    what = fields.String(required=True)
    property = fields.String(allow_none=True)
    old = fields.String(required=True)
    new = fields.String(required=True)


class ChangeSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(("added", "removed", "changed")))
    element_id = fields.String(required=True)
    element_type = fields.String(required=True)
    name = fields.String(required=True)
    file = fields.String(required=True)
    decision = fields.String(allow_none=True)
    details = fields.List(fields.Nested(DetailSchema), required=True)
    text = fields.String(required=True, metadata={"description": "The change in words"})


class DiffSchema(Schema):
    key = fields.String(required=True)
    version = fields.Integer(required=True)
    against = fields.Integer(allow_none=True, metadata={"description": "None: a first version"})
    layout_only = fields.Boolean(required=True)
    unchanged = fields.Boolean(required=True)
    files_added = fields.List(fields.String(), required=True)
    files_removed = fields.List(fields.String(), required=True)
    changes = fields.List(fields.Nested(ChangeSchema), required=True)


class DiffArgs(Schema):
    against = fields.Integer(
        validate=validate.Range(min=1, max=2147483647),
        metadata={"description": "The version to compare with; the previous one by default"},
    )


def _admin() -> Principal:
    who = me()
    if not who.orgs("admin"):
        raise NotAllowed("admin_required")
    return who


def _scope(who: Principal) -> ColumnElement[bool]:
    """The instances `who` administers, as an SQL condition."""
    return instance_scope(context.read(), who)


def _may_deploy(who: Principal) -> Principal:
    """`who`, if they may deploy; 403 before any upload is read otherwise."""
    if not deployment.may_deploy(context.read(), who):
        raise NotAllowed("deploy_root_admin_required")
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
    if not files or len(files) > MAX_FILES:
        abort(422, messages={"body": {"files": [t("files_count", most=MAX_FILES)]}})
    return files, body


@blp.get("/definitions")
@blp.response(200, DefinitionSchema(many=True))
@blp.doc(security=BEARER)
def list_definitions() -> Any:
    """Deployed definitions with every version, newest first, and how many instances run on
    each — of the instances in the caller's scope."""
    who = _admin()
    return definition_queries.definitions_with_versions(context.read(), _scope(who))


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
    the version they started on. Needs the admin role at a root of the organisation tree
    (403 otherwise, nothing stored)."""
    who = _may_deploy(_admin())
    files, body = _uploaded()
    try:
        result = deployment.deploy(
            context.engine(), who, files, key=body.get("key"), comment=body["comment"]
        )
    except deployment.DeployNotAllowed:  # the role was revoked meanwhile
        raise NotAllowed("deploy_root_admin_required") from None
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
    parsed = check_definition(files)
    return {"valid": True, "process_id": parsed.process_id}


@blp.get("/definitions/<key>/versions/<int(max=2147483647):number>")
@blp.response(200, VersionDetailSchema)
@blp.alt_response(404, response=HTTPStatus.NOT_FOUND.name, description="No such version")
@blp.doc(security=BEARER)
def definition_version(key: str, number: int) -> Any:
    """One version's metadata and its source files, with the counts of the instances in the
    caller's scope."""
    who = _admin()
    session = context.read()
    try:
        row = definitions.get_version(session, key, number)
    except NotFound:
        raise NotFound("definition_not_found", definition=key, version=number) from None
    uses = definition_queries.uses(session, _scope(who), row.id)[row.id]
    return {**_version(row), **uses, "files": row.sources}


@blp.get("/definitions/<key>/versions/<int(max=2147483647):number>/diff")
@blp.arguments(DiffArgs, location="query")
@blp.response(200, DiffSchema)
@blp.alt_response(404, response=HTTPStatus.NOT_FOUND.name, description="No such version")
@blp.doc(security=BEARER)
def version_diff(args: dict[str, Any], key: str, number: int) -> Any:
    """What changed in a version against the one before it (or `against`): flow elements
    added, removed and changed with what changed, lanes, DMN rows; `layout_only` when only
    the diagram moved. A first version has `against` null and no changes."""
    _admin()
    if len(key) > 100 or "\x00" in key:
        raise NotFound("definition_not_found", definition=key, version=number)
    _, other, diff = definition_queries.version_diff(
        context.read(), key, number, args.get("against")
    )
    empty = {
        "layout_only": False,
        "unchanged": True,
        "files_added": [],
        "files_removed": [],
        "changes": [],
    }
    return {
        "key": key,
        "version": number,
        "against": other.version if other else None,
        **(definition_queries.diff_json(diff) if diff else empty),
    }


@blp.get("/instances")
@blp.arguments(InstanceArgs, location="query")
@blp.response(200, page_schema(InstanceSchema, "InstancePage"))
@blp.doc(security=BEARER)
def list_instances(args: dict[str, Any]) -> Any:
    """Process instances, most recently changed first; `status=error` for those to fix,
    `suspended` for those stopped. Filters: definition key and version number, stage (an
    open task's form or BPMN id, or the nomination's stage), org (the nomination's current or
    origin organisation). Only instances whose nomination is now in the caller's subtrees."""
    who = _admin()
    session = context.read()
    query = instance_queries.instance_query(args, _scope(who))
    page = page_of(session, query, args["page"], args["per_page"])
    page["items"] = instance_queries.instance_items(session, list(page["items"]))
    return page


@blp.get("/instances/<int(max=2147483647):instance_id>")
@blp.response(200, InstanceDetailSchema)
@blp.alt_response(404, response=HTTPStatus.NOT_FOUND.name, description="No such instance")
@blp.doc(security=BEARER)
def get_instance(instance_id: int) -> Any:
    """One instance: its nomination, open tasks and the BPMN elements done, active and in
    error, to highlight on its version's diagram."""
    who = _admin()
    found = instance_queries.instance_detail(context.read(), instance_id, _scope(who))
    if found is None:
        raise NotFound("instance_not_found", id=instance_id)
    return found


@blp.post("/instances/<int(max=2147483647):instance_id>/suspend")
@blp.arguments(SuspendArgs)
@blp.response(200, RetriedSchema)
@blp.alt_response(404, response=HTTPStatus.NOT_FOUND.name, description="No such instance")
@blp.alt_response(409, response=HTTPStatus.CONFLICT.name, description="Not running")
@blp.doc(security=BEARER)
def suspend(args: dict[str, Any], instance_id: int) -> Any:
    """Suspend a running instance: its tasks cannot be completed, messages are refused and its
    timers wait until it is resumed."""
    return instances.suspend(_admin(), instance_id, args["reason"])


@blp.post("/instances/<int(max=2147483647):instance_id>/resume")
@blp.response(200, RetriedSchema)
@blp.alt_response(404, response=HTTPStatus.NOT_FOUND.name, description="No such instance")
@blp.alt_response(409, response=HTTPStatus.CONFLICT.name, description="Not suspended")
@blp.doc(security=BEARER)
def resume(instance_id: int) -> Any:
    """Resume a suspended instance; timers that fell due meanwhile fire now."""
    return instances.resume(_admin(), instance_id)


@blp.post("/instances/<int(max=2147483647):instance_id>/migrate")
@blp.arguments(MigrateArgs)
@blp.response(200, RetriedSchema)
@blp.alt_response(404, response=HTTPStatus.NOT_FOUND.name, description="No such instance")
@blp.alt_response(
    409,
    response=HTTPStatus.CONFLICT.name,
    description="Not running, already on that version, or refused: `errors` says why",
)
@blp.doc(security=BEARER)
def migrate(args: dict[str, Any], instance_id: int) -> Any:
    """Move a running or suspended instance to another version of its definition (the newest
    by default). Refused, with each reason and its element, when a step it has done or
    waits at is gone or changed in that version; nothing changes then."""
    who = _admin()
    return instances.migrate(who, instance_id, args.get("to_version"))


@blp.post("/instances/<int(max=2147483647):instance_id>/retry")
@blp.arguments(RetryArgs)
@blp.response(200, RetriedSchema)
@blp.alt_response(404, response=HTTPStatus.NOT_FOUND.name, description="No such instance")
@blp.alt_response(409, response=HTTPStatus.CONFLICT.name, description="Not in error")
@blp.alt_response(422, response=_INVALID, description="Keys that may not be corrected")
@blp.doc(security=BEARER)
def retry(args: dict[str, Any], instance_id: int) -> Any:
    """Run an instance in error again from its failed task, with corrected data if given.

    Only keys the failed element declares in its `retry_data` property may be given, never a
    key the application owns (status, organisations, assignee, tally, decision…): a refused
    key answers 422 naming it, and nothing changes."""
    try:
        return instances.retry(_admin(), instance_id, args["data"])
    except retry_data.RetryDataRefused as refused:
        errors = instance_queries.retry_refusals(refused)
        return problem(422, t("retry_data_refused"), errors=errors)


def _version(row: DefinitionVersion) -> dict[str, Any]:
    return {name: getattr(row, name) for name in VersionSchema().fields}
