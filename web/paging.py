"""Paging a list query, for the pages and the API alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypedDict, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


class Page(TypedDict, Generic[T]):
    """One page of a list, as the list endpoints return it and the pages show it."""

    items: Sequence[T]
    page: int
    per_page: int
    total: int


def page_of(session: Session, query: Select[Any], page: int, per_page: int) -> dict[str, Any]:
    """One page of `query`'s rows and the total count, as the list endpoints return them."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = session.execute(query.limit(per_page).offset((page - 1) * per_page)).scalars().all()
    return {"items": items, "page": page, "per_page": per_page, "total": total or 0}
