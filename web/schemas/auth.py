"""Signing in with a username and password, as the API takes them and the login page posts
them."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, pre_load, validate

from web.schemas.text import NO_NUL


class Credentials(Schema):
    username = fields.String(required=True, validate=[validate.Length(min=1, max=100), NO_NUL])
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))

    @pre_load
    def strip_username(self, data: Any, **_: Any) -> Any:
        # Spaces typed around a username are never part of it (usernames have none).
        if isinstance(data, dict) and isinstance(data.get("username"), str):
            return {**data, "username": data["username"].strip()}
        return data
