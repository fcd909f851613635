"""The documents issued for a journey (bill of lading, completion report): kind, version, when,
size and the start of the SHA-256, each with its download link (the file comes through the
scoped `/api/documents/{id}/file`, with the page's session). Shown on the journey page and on the
crew's phone."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from nicegui import ui
from nicegui.events import UploadEventArguments

from components.testid import tid
from domain.documents.library import MAX_VERIFY_BYTES, DocumentInfo, Verification
from domain.errors import DomainError

Verify = Callable[[bytes], Awaitable[Verification]]


def size_words(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} KB"


def _row(document: DocumentInfo) -> None:
    with tid(ui.row().classes("w-full items-center justify-between gap-2 q-py-xs"), f"document-{document.id}"):
        with ui.column().classes("gap-0"):
            ui.label(f"{document.title} · version {document.version}").classes("text-body1 text-weight-medium")
            ui.label(f"Issued {document.issued_words} · {size_words(document.size_bytes)} · "
                     f"SHA-256 {document.short_hash}…").classes("text-caption text-grey-8")
        link = ui.link("Download PDF", f"/api/documents/{document.id}/file")
        tid(link.props(f'download="{document.filename}"').classes("q-pa-sm").style("min-height: 48px; "
            "display: inline-flex; align-items: center"), f"download-{document.id}")


def _verify_dialog(verify: Verify) -> ui.dialog:
    """Drop a file handed to you: is it, byte for byte, a document issued here?"""
    with ui.dialog() as dialog, ui.card().classes("w-96 gap-2"):
        ui.label("Check a document").classes("text-h6")
        ui.label("Choose a PDF someone gave you: it is compared, byte for byte, with the documents issued "
                 "for the journeys you may see.").classes("text-body2")
        answer = tid(ui.label().classes("text-body1").props('role="status"'), "verify-answer")

        async def checked(event: UploadEventArguments) -> None:
            try:
                found = await verify(await event.file.read())
            except DomainError as exc:
                answer.set_text(exc.message)
                return
            answer.set_text(found.message)
            answer.classes(replace="text-body1 " + ("text-positive" if found.issued else "text-negative"))

        tid(ui.upload(auto_upload=True, max_file_size=MAX_VERIFY_BYTES, on_upload=checked,
                      on_rejected=lambda: answer.set_text("That file is larger than 10 MB: not a document issued here"))
            .props('accept=".pdf,application/pdf" flat bordered').classes("w-full"), "verify-upload")
        ui.button("Close", on_click=dialog.close).props("flat no-caps")
    return dialog


def documents_card(documents: Sequence[DocumentInfo], verify: Verify | None = None) -> None:
    """The journey's documents (from `journey_documents`, newest first); with `verify`, a "Check a
    document" button (the desk, not the phone)."""
    with tid(ui.card().props("flat bordered").classes("w-full gap-1"), "documents"):
        with ui.row().classes("w-full items-center justify-between"):
            ui.label("Documents").classes("text-h6")
            if verify is not None:
                dialog = _verify_dialog(verify)
                tid(ui.button("Check a document", icon="verified", on_click=dialog.open).props("outline no-caps"),
                    "verify-open")
        if not documents:
            ui.label("No document issued yet: the bill of lading is issued when pickup starts.").classes(
                "text-grey-8")
        for document in documents:
            _row(document)
