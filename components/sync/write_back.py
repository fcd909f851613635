"""The write-back card of the super admin's company page: what went back to SmartMoving (queued,
sent, failed, skipped), the last problem in words, and the failed rows with "Try again"."""

from __future__ import annotations

from nicegui import ui

from domain.access.rbac import Permission, Principal
from domain.errors import DomainError
from domain.writeback.status import FailedWriteBack, WriteBackSummary, retry_write_back, write_back_summary

COUNTS = (("queued", "Queued"), ("sent", "Sent"), ("failed", "Failed"), ("skipped", "Not sent"))


class WriteBackPanel:
    """Build inside a page; it reads the company's write-back summary and redraws after a retry."""

    def __init__(self, principal: Principal, company_id: int) -> None:
        self.principal, self.company_id = principal, company_id
        self.card = ui.card().classes("w-full").props('flat bordered data-testid="write-back"').mark("write-back")

    async def show(self) -> None:
        summary = await write_back_summary(self.principal, self.company_id)
        self.card.clear()
        with self.card:
            ui.label("Write-back to SmartMoving").classes("text-subtitle1")
            ui.label("Completion reports attached and job notes added when journeys complete (Premium plans).") \
                .classes("text-caption text-grey-8")
            with ui.row().classes("gap-6 text-body2"):
                for name, label in COUNTS:
                    ui.label(f"{label}: {getattr(summary, name):,}").mark(f"write-back-{name}")
            self._last_error(summary)
            for row in summary.failed_rows:
                self._failed(row)

    @staticmethod
    def _last_error(summary: WriteBackSummary) -> None:
        if summary.last_error:
            ui.label(f"Last problem: {summary.last_error}").classes("text-body2 text-negative") \
                .mark("write-back-last-error")

    def _failed(self, row: FailedWriteBack) -> None:
        with ui.row().classes("w-full items-center gap-3 no-wrap"):
            ui.label(f"{row.what} · {row.journey} · {row.customer}: {row.reason}").classes("text-body2 flex-1")
            if self.principal.can(Permission.SYNC_DATA):
                ui.button("Try again", on_click=lambda _e, row_id=row.id: self.retry(row_id)) \
                    .props("outline dense color=primary").classes("min-h-12").mark("write-back-retry")

    async def retry(self, row_id: int) -> None:
        try:
            await retry_write_back(self.principal, row_id)
        except DomainError as exc:
            ui.notify(exc.message, type="warning")
            return
        ui.notify("Queued again: it goes with the next send (within a minute)", type="positive")
        await self.show()
