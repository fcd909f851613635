"""A real SMTP server on this machine (aiosmtpd) that keeps what it receives: the demo's mail
server (`make run` sends to it; the "Sent mail" view lists it) and the tests' receiving end."""

from __future__ import annotations

import logging
import socket
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from db.models.base import utcnow

#: Messages kept (the oldest go first): a demo runs for days.
KEEP = 200
#: aiosmtpd logs every SMTP command at INFO (an AUTH line included): only its warnings are wanted.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Received:
    at: datetime
    mail_from: str
    recipients: tuple[str, ...]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    def text(self) -> str:
        body = self.message.get_body(("plain",))
        return body.get_content() if body is not None else ""


class _Keeper:
    def __init__(self, server: LocalMailServer) -> None:
        self.server = server

    async def handle_DATA(self, _server: SMTP, _session: Session, envelope: Envelope) -> str:
        refusal = self.server.refusal
        if refusal is not None:
            self.server.refused += 1
            return refusal
        raw = envelope.original_content or envelope.content or b""
        parsed = message_from_bytes(raw if isinstance(raw, bytes) else raw.encode(), policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.server.lock:
            self.server.messages.append(Received(utcnow(), str(envelope.mail_from),
                                                 tuple(str(r) for r in envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


class LocalMailServer:
    """`start()` serves SMTP on `host:port` (port 0: a free one) in a thread of its own."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self.port = host, port
        self.messages: deque[Received] = deque(maxlen=KEEP)
        self.lock = threading.Lock()
        #: An SMTP reply (e.g. "451 try later") answered instead of accepting: tests of retries.
        self.refusal: str | None = None
        self.refused = 0
        self._controller: Controller | None = None

    def start(self) -> int:
        controller = Controller(_Keeper(self), hostname=self.host, port=self.port or _free_port(self.host),
                                ready_timeout=10)
        controller.start()
        self._controller = controller
        self.port = int(controller.port)
        return self.port

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def received(self) -> list[Received]:
        with self.lock:
            return list(self.messages)

    def __enter__(self) -> LocalMailServer:
        self.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.stop()


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])
