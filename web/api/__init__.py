"""REST API v1: flask-smorest blueprints, an OpenAPI 3 document at /api/v1/openapi.json and
a browsable page at /api/v1/docs; every error is application/problem+json."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import swagger_ui_bundle
from flask import Flask, Response, send_from_directory
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException

from web.api import (
    admin,
    auditor,
    auth,
    dossiers,
    files,
    installation,
    lists,
    nominations,
    problems,
    proposals,
    public,
    reference,
    tasks,
)
from web.api.common import ProblemSchema
from web.context import close_read

PREFIX = "/api/v1"
SWAGGER_STATIC = f"{PREFIX}/swagger-ui"


class LaurelApi(Api):  # type: ignore[misc]
    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error: HTTPException) -> Response:
        return problems.from_http_exception(error)

    def _register_responses(self) -> None:
        # flask-smorest documents errors as application/json; ours are problem documents.
        for status in HTTPStatus:
            name = status.name if status >= 200 else None
            if name is None:
                continue
            response: dict[str, Any] = {"description": status.phrase}
            if status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, problems.PROBLEM)
            self.spec.components.response(name, response, lazy=True)
        default = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, problems.PROBLEM)
        self.spec.components.response("DEFAULT_ERROR", default, lazy=True)


def register(app: Flask) -> Api:
    app.config.update(
        API_TITLE="Laurel API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=f"{SWAGGER_STATIC}/",
        API_SPEC_OPTIONS={
            "info": {
                "description": "Xét duyệt hồ sơ thi đua, khen thưởng — award-nomination "
                "approval. Errors are application/problem+json; send Accept-Language: en "
                "for English messages."
            },
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        },
    )
    api = LaurelApi(app)
    for blueprint in (
        auth.blp,
        reference.blp,
        nominations.blp,
        files.blp,
        dossiers.blp,
        proposals.blp,
        tasks.blp,
        lists.blp,
        public.blp,
        admin.blp,
        auditor.blp,
        installation.blp,
    ):
        api.register_blueprint(blueprint, url_prefix=f"{PREFIX}{blueprint.url_prefix or ''}")
    for error in problems.DOMAIN_ERRORS:
        app.register_error_handler(error, problems.from_domain_error)
    app.register_error_handler(Exception, _unexpected)
    app.teardown_appcontext(close_read)

    @app.get(f"{SWAGGER_STATIC}/<path:filename>")
    def swagger_static(filename: str) -> Any:
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename)

    return api


def _unexpected(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return problems.from_http_exception(error)
    return problems.unexpected(error)
