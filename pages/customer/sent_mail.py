"""`/demo/sent-mail` (demo mode only): what the app's local SMTP server received — the e-mails the
outbox sent, e.g. the customer's on-my-way message with its tracking link — newest first. It is
registered, and in the header, only while that server runs (`domain/mail/service.py`)."""

from __future__ import annotations

import re

from nicegui import ui

from components.nav import app_header
from components.testid import tid
from config import get_settings
from db.models import utcnow
from domain.access.rbac import Permission, Principal
from domain.mail.local_server import Received
from domain.mail.service import SENT_MAIL_PATH, demo_mail_server
from pages.access.session import guarded_page

#: Seconds between two looks at the server's mailbox.
POLL_SECONDS = 2.0
_LINK = re.compile(r"https?://\S+/track/[A-Za-z0-9_-]+")


def _ago(message: Received) -> str:
    minutes = int((utcnow() - message.at).total_seconds() // 60)
    return "just now" if minutes < 1 else f"{minutes} min ago" if minutes < 120 else f"{minutes // 60} h ago"


class SentMail:
    def __init__(self) -> None:
        self.shown = -1

    def poll(self) -> None:
        server = demo_mail_server()
        count = len(server.received()) if server is not None else 0
        if count != self.shown:
            self.render.refresh()

    @ui.refreshable_method
    def render(self) -> None:
        server = demo_mail_server()
        messages = list(reversed(server.received())) if server is not None else []
        self.shown = len(messages)
        if server is None:
            ui.label("The demo mail server is not running.").classes("text-grey-8")
            return
        ui.label(f"The local mail server (port {server.port}) received {len(messages)} e-mails.").classes(
            "text-grey-8")
        for n, message in enumerate(messages):
            with tid(ui.card().props("flat bordered").classes("w-full gap-1"), f"mail-{n}"):
                tid(ui.label(message.subject).classes("text-subtitle1 text-weight-medium"), "mail-subject")
                ui.label(f"To {', '.join(message.recipients)} · {_ago(message)}").classes("text-body2 text-grey-8")
                text = message.text()
                ui.label(text).classes("text-body2 whitespace-pre-wrap")
                link = _LINK.search(text)
                if link:
                    ui.link("Open the customer's page", link.group(0), new_tab=True).mark("mail-link")


async def sent_mail_page(principal: Principal) -> None:
    app_header(principal)
    view = SentMail()
    with ui.column().classes("w-full q-pa-md gap-3").style("max-width: 60rem"):
        ui.label("Sent mail (demo)").classes("text-h5")
        view.render()
    ui.timer(POLL_SECONDS, view.poll)


def register() -> None:
    if get_settings().should_run_mail_server:
        guarded_page(SENT_MAIL_PATH, allow=Permission.MANAGE_COMPANY, title="Sent mail · C&C CRM")(sent_mail_page)
