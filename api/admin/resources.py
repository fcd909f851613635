"""Building blocks of the administration routers: the paging query, and the standard routes of a
company-owned resource (read one, create, edit, state changes) whose request bodies are the
domain's schemas (`domain/admin/schemas.py`: one source for the rules and their messages).

No `from __future__ import annotations` here: FastAPI must see the real body classes in the
signatures of the routes built inside `add_resource_routes`."""

from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.responses import Response

from api.http.deps import CurrentPrincipal
from api.http.envelope import ok
from api.http.idempotency import Once
from api.http.params import PageNumber, RowId
from domain.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from domain.access.rbac import Principal
from domain.schemas import Schema


class Paging(BaseModel):
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


def _paging(page: PageNumber = 1,
            page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE) -> Paging:
    return Paging(page=page, page_size=page_size)


PagingQuery = Annotated[Paging, Depends(_paging)]


Read = Callable[[Principal, int], Awaitable[Any]]
Write = Callable[[Principal, Any], Awaitable[Any]]
Edit = Callable[[Principal, int, Any], Awaitable[Any]]


def add_resource_routes(router: APIRouter, path: str, label: str, *, read: Read, create: Write, edit: Edit,
                        create_body: type[Schema], edit_body: type[Schema],
                        states: Mapping[str, Read]) -> None:
    """`GET {path}/{id}`, `POST {path}` (201), `PATCH {path}/{id}`, `POST {path}/{id}/{state}`.
    The checked body goes to the domain as it is (an edit changes only the fields sent)."""

    async def read_one(entity_id: RowId, principal: CurrentPrincipal) -> JSONResponse:
        return ok(await read(principal, entity_id))

    async def create_one(body: create_body, principal: CurrentPrincipal,  # type: ignore[valid-type]
                         once: Once) -> Response:
        async def work() -> Response:
            return ok(await create(principal, body), f"{label} created", 201)

        return await once.run(principal, work)

    async def edit_one(entity_id: RowId, body: edit_body, principal: CurrentPrincipal) -> JSONResponse:  # type: ignore[valid-type]
        return ok(await edit(principal, entity_id, body), f"{label} updated")

    router.add_api_route(f"{path}/{{entity_id}}", read_one, methods=["GET"], name=f"get {label}")
    router.add_api_route(path, create_one, methods=["POST"], status_code=201, name=f"create {label}")
    router.add_api_route(f"{path}/{{entity_id}}", edit_one, methods=["PATCH"], name=f"update {label}")
    for state, change in states.items():
        router.add_api_route(f"{path}/{{entity_id}}/{state}", _state_route(change, label, state),
                             methods=["POST"], name=f"{state} {label}")


def _state_route(change: Read, label: str, state: str) -> Callable[..., Awaitable[JSONResponse]]:
    async def route(entity_id: RowId, principal: CurrentPrincipal) -> JSONResponse:
        return ok(await change(principal, entity_id), f"{label} {state}d")

    return route
