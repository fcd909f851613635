"""The consent screen shown on the phone before a customer signs (ESIGN / UETA): the consent text,
the note that paper is available, the signer's typed full name and an Accept button. The pad
shows only once it is accepted; what was accepted travels with the signature and the server
checks it again (domain/documents/consent.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui

from components.testid import tid
from db.models import utcnow
from domain.documents.consent import CONSENT_TEXT, CONSENT_TITLE, CONSENT_VERSION, PAPER_COPY_NOTE
from domain.workflow.items import SIGNER_MAX_LENGTH

TOUCH = "min-height: 56px"


def consent_given(name: str) -> dict[str, Any]:
    """The consent as the server expects it, accepted now by `name`."""
    return {"version": CONSENT_VERSION, "accepted_at": utcnow().isoformat(), "name": name}


def consent_screen(key: str, accepted: Callable[[dict[str, Any]], None], name: str = "") -> None:
    """The screen for the signature item `key`; `accepted(consent)` once the customer accepts."""
    with tid(ui.card().classes("w-full q-pa-md gap-2").props("flat bordered role=region")
             .props(f'aria-label="{CONSENT_TITLE}"'), f"consent-{key}"):
        ui.label(CONSENT_TITLE).classes("text-h6")
        ui.label(CONSENT_TEXT).classes("text-body1")
        ui.label(PAPER_COPY_NOTE).classes("text-body2 text-grey-9")
        typed = tid(ui.input("Your full name", value=name), f"consent-name-{key}")
        typed.classes("w-full").props(f'outlined maxlength={SIGNER_MAX_LENGTH} autocomplete="name"')
        problem = ui.label().classes("text-negative").props('role="alert"')

        def accept() -> None:
            text = (typed.value or "").strip()
            if not text:
                problem.set_text("Type your full name to accept")
                return
            accepted(consent_given(text))

        tid(ui.button("I accept, sign electronically", icon="how_to_reg", on_click=accept)
            .props("unelevated no-caps size=lg").classes("w-full").style(TOUCH), f"consent-accept-{key}")
