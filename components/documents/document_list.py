"""The documents issued for a journey (bill of lading, completion report): kind, version, when,
size and the start of the SHA-256, each with its download link (the file comes through the
scoped `/api/documents/{id}/file`, with the page's session). Shown on the journey page and on the
crew's phone."""

from __future__ import annotations

from nicegui import ui

from components.testid import tid
from domain.documents.library import DocumentInfo


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


def documents_card(documents: list[DocumentInfo]) -> None:
    """The journey's documents (from `journey_documents`, newest first)."""
    with tid(ui.card().props("flat bordered").classes("w-full gap-1"), "documents"):
        ui.label("Documents").classes("text-h6")
        if not documents:
            ui.label("No document issued yet: the bill of lading is issued when pickup starts.").classes(
                "text-grey-8")
        for document in documents:
            _row(document)
