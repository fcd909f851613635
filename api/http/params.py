"""Parameter types shared by the routers: one declaration of each limit, valid alike in a path,
a query and a request body, and written into the OpenAPI.

They keep values the app cannot compute with away from the domain and the database, where they
would fail as a 500 (an id beyond PostgreSQL's 32-bit `integer`, a day after which no day exists);
with these they are a 422 in the envelope, like any other bad input. A row id, a day and a
moment are declared with the domain's schemas, which take them too."""

from __future__ import annotations

from typing import Annotated

from annotated_types import Interval

from db.models.base import MAX_ROW_ID
from domain.paging import MAX_PAGE
from domain.schemas import Day, Moment, RowId

__all__ = ["Day", "Moment", "Offset", "PageNumber", "RowId"]

#: A page number of a paged list.
PageNumber = Annotated[int, Interval(ge=1, le=MAX_PAGE)]

#: How many rows of a list to skip (no list has more rows than there are ids).
Offset = Annotated[int, Interval(ge=0, le=MAX_ROW_ID)]
