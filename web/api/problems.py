"""Errors as `application/problem+json` (RFC 9457), in the user's language, never a trace."""

from __future__ import annotations

import logging
from typing import Any

from flask import Response, json, request
from werkzeug.exceptions import HTTPException

from engine.errors import (
    Conflict,
    DefinitionRejected,
    EngineError,
    InvalidTaskData,
    ListRefused,
    MigrationRefused,
    NotAllowed,
    NotFound,
    NotWaiting,
)
from web import json_input
from web.definition_problems import problem_list
from web.i18n import describe, say_fields, t, translate_errors
from workflows.auth import LoginRefused, TooManyAttempts

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
_TITLES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media",
    422: "invalid",
    429: "rate_limited",
}


def problem(
    status: int,
    detail: str | None = None,
    *,
    title: str | None = None,
    errors: Any = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or t(_TITLES.get(status, "server_error")),
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM)
    response.headers.update(headers or {})
    return response


def from_http_exception(error: HTTPException) -> Response:
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    if code >= 500:
        log.error("server error: %s", error, exc_info=error.__cause__ or error)
        return problem(500, t("server_error"))
    messages = data.get("messages")
    if code == 422 and messages:
        # webargs nests field errors by location: {"json": {"field": ["msg"]}}.
        flat: dict[str, Any] = {}
        for by_location in messages.values():
            flat.update(by_location if isinstance(by_location, dict) else {"_": by_location})
        return problem(422, t("invalid"), errors=translate_errors(flat))
    detail = data.get("message") or (t(_TITLES[code]) if code in _TITLES else error.description)
    headers = dict(data.get("headers") or {})
    return problem(code, detail, headers=headers)


def from_domain_error(error: Exception) -> Response:
    if isinstance(error, InvalidTaskData):
        return problem(422, t("invalid"), errors=say_fields(error.errors))
    if isinstance(error, ListRefused):
        return problem(409, describe(error, "conflict"), errors=said_rows(error))
    if isinstance(error, DefinitionRejected):
        return problem(422, t("definition_rejected"), errors=problem_list(error.problems))
    if isinstance(error, MigrationRefused):
        return problem(409, t("migration_refused"), errors=problem_list(error.problems))
    if isinstance(error, TooManyAttempts):
        return problem(
            429,
            t("too_many_attempts", count=error.retry_after_s),
            headers={"Retry-After": str(error.retry_after_s)},
        )
    if isinstance(error, LoginRefused):
        return problem(401, t("login_refused"))
    assert isinstance(error, EngineError)
    status = next(_STATUSES[c] for c in type(error).__mro__ if c in _STATUSES)
    return problem(status, describe(error, _TITLES[status]))


_STATUSES: dict[type, int] = {NotFound: 404, NotAllowed: 403, Conflict: 409, NotWaiting: 409}


def said_rows(refused: ListRefused) -> dict[str, Any]:
    """Each refused row (by task id): its field errors, or why in a sentence."""
    return {
        task_id: {"fields": say_fields(error.errors)}
        if isinstance(error, InvalidTaskData)
        else {"detail": describe(error, "conflict")}
        for task_id, error in refused.problems.items()
    }


DOMAIN_ERRORS: tuple[type[Exception], ...] = (
    InvalidTaskData,
    ListRefused,
    DefinitionRejected,
    TooManyAttempts,
    LoginRefused,
    NotFound,
    NotAllowed,
    Conflict,
    NotWaiting,
)


def refuse_deep_json() -> Response | None:
    """Before every view, pages and API alike: a JSON body nested deeper than
    MAX_JSON_DEPTH is a 400 problem, before any view or schema reads it."""
    if not request.is_json:
        return None
    try:
        json_input.loads(request.get_data(cache=True))
    except json_input.TooDeep:
        return problem(400, t("json_too_deep", most=json_input.MAX_JSON_DEPTH))
    except ValueError:
        return None  # not JSON at all: the view answers that in its own words
    return None


def unexpected(error: Exception) -> Response:
    log.exception("unhandled error", exc_info=error)
    return problem(500, t("server_error"))
