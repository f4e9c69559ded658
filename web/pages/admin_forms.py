"""What the installation admin's pages share: admins only, a form loaded through the API's
schema and stored by a service, its refusals as field errors or a flashed message."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import date
from typing import Any

from flask import abort, flash, request
from marshmallow import Schema, ValidationError

from web.i18n import t
from web.pages.common import bp, error_page, level_name, signed_in, user
from web.schemas import forms
from web.services import installation
from workflows import installation as inst


def _admin_scope() -> inst.Scope | None:
    """What the signed-in person administers; None for anyone who is no admin."""
    try:
        return installation.scope_of(user())
    except installation.Refused:
        return None


def admin_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Signed in and an admin somewhere; the scope is passed to the view."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        scope = _admin_scope()
        if scope is None:
            return error_page(403, t("inst_admin_required"))
        return view(scope, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return signed_in(wrapper)


def form_values(schema: Schema) -> dict[str, str]:
    """The posted fields the schema reads, as typed (tidied): what a refused form shows."""
    return forms.posted(request.form, schema.fields)


def store(
    schema: Schema,
    values: Mapping[str, Any],
    action: Callable[[dict[str, Any]], object],
    *,
    blank_is_absent: Collection[str] = (),
) -> tuple[bool, dict[str, str]]:
    """`values` loaded through `schema` (the API's input rules), then `action` (a service)
    run with them: (stored, field errors)."""
    try:
        loaded = forms.load(schema, values, blank_is_absent=blank_is_absent)
    except ValidationError as error:
        return False, forms.field_errors(error)
    return change(lambda: action(loaded))


def change(action: Callable[[], object]) -> tuple[bool, dict[str, str]]:
    """Run a service's change: (stored, field errors). A conflict or a refusal of the whole
    change is flashed; a missing thing answers 404."""
    try:
        action()
    except installation.Refused as refused:
        if refused.status == "not_found":
            abort(404)
        errors: dict[str, str] = {}
        for problem in refused.problems:
            message = installation.message(problem)
            if refused.status == "invalid" and problem.field != "_":
                errors.setdefault(problem.field, message)
            else:
                flash(message, "warning")
        return False, errors
    flash(t("inst_saved"), "success")
    return True, {}


@bp.app_template_global()
def admin_dates(values: Mapping[str, Any]) -> dict[str, Any]:
    """Form values with dates as a date input wants them (yyyy-mm-dd)."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


def level_options(levels: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(level, level_name(level)) for level in levels]
