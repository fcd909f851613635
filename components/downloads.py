"""A "Download CSV" action: runs a domain export, hands the file to the browser and says how
many rows it holds (or that it stopped at the row limit)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from nicegui import ui

from components.forms import attempt


class CsvFile(Protocol):
    @property
    def content(self) -> str: ...
    @property
    def filename(self) -> str: ...
    @property
    def rows(self) -> int: ...
    @property
    def truncated(self) -> bool: ...
    @property
    def limit(self) -> int: ...


async def download_csv(make: Callable[[], Awaitable[CsvFile]]) -> None:
    made: list[CsvFile] = []

    async def run() -> None:
        made.append(await make())

    if not await attempt(run):
        return
    export = made[0]
    ui.download.content(export.content.encode("utf-8"), export.filename, "text/csv")
    if export.truncated:
        ui.notify(f"The export stops at the limit of {export.limit:,} rows: narrow the filters for the rest.",
                  type="warning", multi_line=True)
    else:
        ui.notify(f"{export.rows:,} rows exported", type="positive")
