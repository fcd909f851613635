"""Parameter types shared by the routers: one declaration of each limit, valid alike in a path,
a query and a request body, and written into the OpenAPI.

They keep values the app cannot compute with away from the domain and the database, where they
would fail as a 500 (an id beyond PostgreSQL's 32-bit `integer`, a day after which no day exists);
with these they are a 422 in the envelope, like any other bad input."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from annotated_types import Interval

from db.models.base import MAX_ROW_ID
from domain.paging import MAX_PAGE

#: A database row id: a positive 32-bit integer.
RowId = Annotated[int, Interval(ge=1, le=MAX_ROW_ID)]

#: A page number of a paged list.
PageNumber = Annotated[int, Interval(ge=1, le=MAX_PAGE)]

#: How many rows of a list to skip (no list has more rows than there are ids).
Offset = Annotated[int, Interval(ge=0, le=MAX_ROW_ID)]

#: A calendar day, far from the ends of the calendar (a day or a time zone either side still exists).
Day = Annotated[date, Interval(ge=date(1900, 1, 1), le=date(2999, 12, 31))]

#: A moment in the same years (with or without an offset).
Moment = Annotated[datetime, Interval(ge=datetime(1900, 1, 1), le=datetime(3000, 1, 1))]
