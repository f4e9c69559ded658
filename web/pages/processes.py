"""The admin's modeler: a definition's newest version opened in bpmn-js and dmn-js
(web/assets/, bundled by `make assets`), validated and deployed by the same calls the API
makes (workflows.deployment for a deploy). The page's script talks JSON to the two POST routes
here, with the session's CSRF token in a header; problems come back with their element ids to
mark on the diagram. Any admin may open the modeler and validate; deploying needs the admin
role at a root of the organisation tree, as in the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, jsonify, request, url_for
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from engine import definitions
from engine.errors import DefinitionRejected
from web import context
from web.definition_problems import problem_list
from web.i18n import t, template
from web.pages import csrf
from web.pages.common import admin, bp, definition_key, render, signed_in
from web.schemas.definitions import DeployJson
from workflows import deployment
from workflows.forms import FORMS
from workflows.pipeline import check_definition
from workflows.roles import LANE_ROLES

# bpmn-js and dmn-js draw with inline styles and data: images; scripts stay 'self' only.
MODELER_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; font-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)

# The messages the page's script (web/assets/modeler.js) shows, sent to it in the reader's
# language with their {placeholders} left for it to fill.
SCRIPT_MESSAGES = (
    "panel_title",
    "panel_empty",
    "field_name",
    "field_role",
    "hint_role",
    "choose_role",
    "not_a_role",
    "field_form",
    "hint_form",
    "form_by_id",
    "unknown_form",
    "field_lane",
    "no_lane",
    "edit_lane",
    "make_user_task",
    "field_called_decision",
    "choose_decision",
    "unknown_decision",
    "field_script",
    "hint_sandbox",
    "field_working_days",
    "hint_working_days",
    "field_timer_kind",
    "timer_timeDate",
    "timer_timeDuration",
    "timer_timeCycle",
    "field_timer",
    "hint_timer",
    "field_condition",
    "hint_condition",
    "hint_default_flow",
    "document",
    "validating",
    "valid",
    "model_invalid",
    "deploying",
    "uploaded",
    "wrong_file",
    "import_failed",
    "import_warnings",
)


@bp.get("/quan-tri/quy-trinh/<key>/thiet-ke")
@signed_in
def modeler(key: str) -> Any:
    admin()
    version = definitions.latest_version(context.read(), definition_key(key))
    if version is None:
        abort(404)
    config = {
        "key": key,
        "version": version.version,
        "files": version.sources,
        "roles": {code: t(f"role_{code}") for code in LANE_ROLES},
        "forms": {code: t(f"stage_{code}") for code in FORMS},
        "csrf": csrf.token(),
        "urls": {
            "validate": url_for("pages.modeler_validate", key=key),
            "deploy": url_for("pages.modeler_deploy", key=key),
        },
        "messages": {name: template(name) for name in SCRIPT_MESSAGES},
    }
    html, status = render("modeler.html", key=key, version=version, config=config)
    response = Response(html, status, content_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = MODELER_CSP
    return response


def _existing(key: str) -> str:
    """The key of a deployed definition; the modeler edits those, it does not make new ones."""
    definitions.newest_id(context.read(), definition_key(key))  # NotFound: the page's 404
    return key


def _files() -> tuple[dict[str, bytes], str] | Response:
    """The files and comment the page sent, or the answer to a malformed request."""
    try:
        body = DeployJson().load(request.get_json(silent=True) or {})
    except ValidationError as error:
        return _problems(422, t("modeler_bad_request"), [{"message": str(error.messages)}])
    files = {name: xml.encode("utf-8") for name, xml in body["files"].items()}
    return files, body["comment"]


def _problems(status: int, title: str, errors: list[dict[str, str]]) -> Response:
    response = jsonify({"title": title, "errors": errors})
    response.status_code = status
    return response


def _not_allowed() -> Response:
    return _problems(403, t("deploy_root_admin_required"), [])


def _rejected(error: DefinitionRejected) -> Response:
    return _problems(422, t("definition_rejected"), problem_list(error.problems))


def _with_files(key: str, act: Callable[[dict[str, bytes], str], Response]) -> Response:
    """Run a validate or deploy for an admin on a deployed definition's key, turning a
    malformed body or a refused definition into the JSON problems the page shows."""
    _existing(key)
    sent = _files()
    if isinstance(sent, Response):
        return sent
    try:
        return act(*sent)
    except DefinitionRejected as error:
        return _rejected(error)


@bp.post("/quan-tri/quy-trinh/<key>/kiem-tra")
@signed_in
def modeler_validate(key: str) -> Any:
    admin()

    def dry_run(files: dict[str, bytes], _: str) -> Response:
        check_definition(files)
        return jsonify({"valid": True, "errors": []})

    return _with_files(key, dry_run)


@bp.post("/quan-tri/quy-trinh/<key>/trien-khai")
@signed_in
def modeler_deploy(key: str) -> Any:
    who = admin()
    if not deployment.may_deploy(context.read(), who):
        return _not_allowed()

    def deploy(files: dict[str, bytes], comment: str) -> Response:
        try:
            result = deployment.deploy(context.engine(), who, files, key=key, comment=comment)
        except deployment.DeployNotAllowed:  # the role was revoked meanwhile
            return _not_allowed()
        number = result.version.version
        message = t("modeler_deployed" if result.created else "modeler_unchanged", version=number)
        url = f"/quan-tri/quy-trinh/{key}/phien-ban/{number}"
        return jsonify(
            {"version": number, "created": result.created, "message": message, "url": url}
        )

    return _with_files(key, deploy)
