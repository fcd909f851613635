"""The e-mails the customer gets (plain text and HTML, both from the same words)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from domain.timewindow import local_time


@dataclass(frozen=True, slots=True)
class Mail:
    subject: str
    text: str
    html: str

    def fields(self) -> dict[str, str]:
        return {"subject": self.subject, "text": self.text, "html": self.html}


def on_my_way_mail(company: str, customer: str, crew_member: str, url: str, expires: datetime,
                   timezone: str) -> Mail:
    first_name = crew_member.split()[0] if crew_member.strip() else "Your crew"
    greeting = f"Hello {customer}," if customer else "Hello,"
    lines = [
        greeting,
        f"{first_name} and the {company} crew are on the way to you.",
        "Follow your move live (arrival, loading, delivery) and get your documents once it is done:",
    ]
    ending = f"The link works until {until_words(expires, timezone)}. It needs no password: please do not share it."
    text = "\n\n".join([*lines, url, ending, f"— {company}"]) + "\n"
    html = "".join(f"<p>{escape(line)}</p>" for line in lines) + (
        f'<p><a href="{escape(url)}">Follow your move</a></p><p>{escape(ending)}</p><p>— {escape(company)}</p>')
    subject = f"{company}: your crew is on the way"[:200]
    return Mail(subject, text, html)


def until_words(expires: datetime, timezone: str) -> str:
    """`Sat 05 Dec 23:59` for a link that ends at Sunday's midnight (the last minute it works)."""
    local = local_time(expires - timedelta(seconds=1), timezone)
    assert local is not None
    return f"{local:%a %d %b %H:%M}"
