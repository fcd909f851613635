"""Who hands an e-mail over: the `MailSender` protocol, and SMTP (smtplib in a thread, STARTTLS
and credentials from the settings; the password is never logged nor put in an error).

A sender raises `SendFailed` with the reason in words; `permanent` says that trying again will
not help (the server refused the recipient or the sender), so the outbox gives up at once."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from config import Settings


class SendFailed(Exception):
    def __init__(self, words: str, *, permanent: bool = False) -> None:
        super().__init__(words)
        self.words = words
        self.permanent = permanent


class MailSender(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Hand `message` over for delivery, or raise `SendFailed`."""


@dataclass(frozen=True)
class SmtpSender:
    host: str
    port: int
    user: str = ""
    password: str = ""
    starttls: bool = True
    timeout: float = 20.0

    @classmethod
    def from_settings(cls, settings: Settings, *, host: str | None = None, port: int | None = None) -> SmtpSender:
        return cls(host=host or settings.smtp_host, port=port or settings.smtp_port, user=settings.smtp_user,
                   password=settings.smtp_password.get_secret_value(), starttls=settings.smtp_starttls,
                   timeout=settings.smtp_timeout_seconds)

    def __repr__(self) -> str:  # no password in logs or tracebacks
        return f"SmtpSender({self.host}:{self.port}, user={self.user or '-'}, starttls={self.starttls})"

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._send, message)

    def _send(self, message: EmailMessage) -> None:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendFailed(f"the mail server refused the recipient {', '.join(exc.recipients)}",
                             permanent=True) from None
        except smtplib.SMTPSenderRefused as exc:
            raise SendFailed(f"the mail server refused the sender ({exc.smtp_code})", permanent=exc.smtp_code >= 500) \
                from None
        except smtplib.SMTPAuthenticationError as exc:
            raise SendFailed(f"the mail server refused the sign-in of {self.user} ({exc.smtp_code})") from None
        except smtplib.SMTPNotSupportedError:
            raise SendFailed(f"the mail server {self.host} does not offer STARTTLS") from None
        except smtplib.SMTPResponseException as exc:
            raise SendFailed(f"the mail server answered {exc.smtp_code}", permanent=exc.smtp_code >= 550) from None
        except (smtplib.SMTPException, ssl.SSLError) as exc:
            raise SendFailed(f"the mail exchange failed: {type(exc).__name__}") from None
        except TimeoutError:
            raise SendFailed(f"the mail server {self.host}:{self.port} did not answer in time") from None
        except OSError as exc:
            raise SendFailed(f"the mail server {self.host}:{self.port} cannot be reached ({exc.strerror or exc})") \
                from None
