"""The mail outbox in the running app: which sender drains it, and the scheduled drain.

- Production: SMTP to SMTP_HOST (`SmtpSender`). Without SMTP_HOST, mail waits in the outbox
  (said once in the log) until one is configured.
- Demo mode: the app serves a local SMTP server (`LocalMailServer` on DEMO_SMTP_PORT) and sends
  to it without STARTTLS or credentials; what it received is the "Sent mail" view.
"""

from __future__ import annotations

import logging

from config import get_settings
from domain.mail.local_server import LocalMailServer
from domain.mail.outbox import DrainReport, drain_outbox
from domain.mail.senders import MailSender, SmtpSender
from domain.runtime.scheduler import get_scheduler

log = logging.getLogger(__name__)

JOB_ID = "mail-outbox:drain"
#: The page listing what the demo server received (pages/customer/sent_mail.py).
SENT_MAIL_PATH = "/demo/sent-mail"
_demo_server: LocalMailServer | None = None
_said_unconfigured = False


def demo_mail_server() -> LocalMailServer | None:
    """The local server of demo mode, when it runs."""
    return _demo_server


def start_demo_mail_server() -> LocalMailServer:
    global _demo_server
    if _demo_server is None:
        server = LocalMailServer("127.0.0.1", get_settings().demo_smtp_port)
        try:
            server.start()
        except OSError as exc:  # the port is taken (another demo): any free one will do
            log.warning("demo mail server: port %s unavailable (%s), using a free one", server.port, exc)
            server = LocalMailServer("127.0.0.1", 0)
            server.start()
        _demo_server = server
        log.info("demo mail server listening", extra={"port": server.port})
    return _demo_server


def stop_demo_mail_server() -> None:
    global _demo_server
    if _demo_server is not None:
        _demo_server.stop()
        _demo_server = None


def configured_sender() -> MailSender | None:
    """The sender the settings describe, or None (no SMTP server: mail waits)."""
    settings = get_settings()
    if _demo_server is not None:
        return SmtpSender(host=_demo_server.host, port=_demo_server.port, starttls=False,
                          timeout=settings.smtp_timeout_seconds)
    if settings.smtp_host:
        return SmtpSender.from_settings(settings)
    return None


async def drain_now() -> DrainReport:
    """One scheduled run: send what is due with the configured sender."""
    global _said_unconfigured
    settings = get_settings()
    sender = configured_sender()
    if sender is None:
        if not _said_unconfigured:
            log.warning("no SMTP_HOST configured: e-mails wait in the outbox")
            _said_unconfigured = True
        return DrainReport(skipped=True)
    report = await drain_outbox(sender, settings.mail_from, limit=settings.mail_batch_size)
    if report.sent or report.retrying or report.failed:
        log.info("mail outbox drained", extra={"sent": report.sent, "retrying": report.retrying,
                                               "failed": report.failed})
    return report


def install_mail_drain() -> None:
    get_scheduler().add_job(drain_now, "interval", seconds=get_settings().mail_drain_seconds, id=JOB_ID,
                            replace_existing=True)
