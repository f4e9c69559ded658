"""Tokens: sign in with a password, sign out (revoke), and who am I; the bearer token's
person for every API route (`me`)."""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields

from web import context
from web.i18n import t
from web.schemas.auth import Credentials
from workflows import auth, limits
from workflows.access import Principal, principal
from workflows.orgs import get_org

blp = Blueprint("auth", __name__, url_prefix="", description="Đăng nhập — sign in")
BEARER: list[dict[str, list[str]]] = [{"bearer": []}]


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def me() -> Principal:
    """The signed-in person, or a 401 problem."""
    if "laurel_principal" not in g:
        token = bearer_token()
        if token is None:
            abort(401, message=t("unauthorized"))
        username = auth.user_of(context.read(), token, context.now()) if token else None
        who = principal(context.read(), username) if username else None
        if who is None:
            abort(401, message=t("token_invalid"))
        g.laurel_principal = who
    who_: Principal = g.laurel_principal
    return who_


class TokenSchema(Schema):
    token = fields.String(required=True)
    expires_at = fields.DateTime(required=True)


class RoleSchema(Schema):
    role = fields.String(required=True)
    org = fields.String(required=True)
    org_name = fields.String(required=True)
    level = fields.String(required=True)


class MeSchema(Schema):
    username = fields.String(required=True)
    full_name = fields.String(required=True)
    roles = fields.List(fields.Nested(RoleSchema), required=True)


@blp.post("/auth/token")
@blp.arguments(Credentials)
@blp.response(201, TokenSchema)
@blp.alt_response(401, response="UNAUTHORIZED", description="Wrong username or password")
@blp.alt_response(429, response="TOO_MANY_REQUESTS", description="Too many failed logins")
def issue_token(credentials: dict[str, str]) -> Any:
    """Exchange a username and password for a bearer token. Failed logins are limited per
    account and client address (5 in 15 minutes); failures from other addresses never
    lock you out."""
    issued = auth.login(
        context.write,
        credentials["username"],
        credentials["password"],
        limits.client_key(request.remote_addr),
        context.now(),
    )
    return {"token": issued.token, "expires_at": issued.expires_at}


@blp.delete("/auth/token")
@blp.response(204)
@blp.doc(security=BEARER)
def revoke_token() -> None:
    """Revoke the token this request is signed with."""
    me()
    token = bearer_token()
    assert token is not None
    with context.write() as session:
        auth.revoke(session, token, context.now())


@blp.get("/me")
@blp.response(200, MeSchema)
@blp.doc(security=BEARER)
def whoami() -> Any:
    """The signed-in person and their roles at organisations."""
    who = me()
    session = context.read()
    roles = []
    for role, code in who.roles:
        org = get_org(session, code)
        roles.append({"role": role, "org": code, "org_name": org.name, "level": org.level})
    return {"username": who.username, "full_name": who.full_name, "roles": roles}
