"""One list envelope and its page parameters (read from the query in `routers/deps.py`; over-limit
values are a 422 there, never clamped)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")

MAX_LIMIT = 200
MAX_OFFSET = 2**31 - 1  # beyond any list, and within every database's integer range


class Page(BaseModel, Generic[T]):
    """One page of a list: ask for the next with `offset` + `limit` while that is below `total`."""

    items: list[T] = Field(description="The records of this page, in the list's order.")
    total: int = Field(description="How many records the whole list holds (every page, filters applied).")
    limit: int = Field(description="The most records a page holds, as asked (default 50, at most 200).")
    offset: int = Field(description="How many records come before this page, as asked.")


@dataclass(frozen=True)
class PageParams:
    limit: int
    offset: int

    def slice(self, items: Sequence[T]) -> list[T]:
        return list(items[self.offset : self.offset + self.limit])


def page_of(items: Sequence[T], params: PageParams) -> Page[T]:
    return Page[T](items=params.slice(items), total=len(items), limit=params.limit, offset=params.offset)
