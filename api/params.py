"""Path parameters shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

#: A database row id: a positive 32-bit integer (anything else is 422, never a database error).
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
