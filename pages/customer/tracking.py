"""`/track/{token}`: the customer follows their move, without signing in (phone first, WCAG AA).

The token is the key (`domain/customer/links.py`). The page shows the company, the crew's first
names, the truck, the arrival window in the branch's zone, and the stage of the move in words,
updated live when the journey's crew records something (events of this journey only; the page
re-reads through the token, so a link revoked meanwhile turns into "This link has expired").
Once the move is done it lists the documents, downloaded through `/track/{token}/documents/{id}`.
An unknown token answers 404 and an expired or revoked one 410, with a plain page that shows
nothing of the journey."""

from __future__ import annotations

from html import escape

from fastapi.responses import HTMLResponse
from nicegui import context, ui

from components.board.job_card import money
from components.live import on_events, whole_page
from components.testid import tid
from domain.customer.links import LinkExpired
from domain.customer.stage import STAGE_WORDS, TRACKED, Stage
from domain.customer.tracking import Tracking, tracking
from domain.errors import NotFound, TooManyRequests
from domain.events.bus import DomainEvent
from domain.events.touched import touched
from domain.journeys.labels import zone_words

GONE_TEXT = "This link has expired"
_GONE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:30rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}}</style>
</head><body><main><h1>{title}</h1><p>{text}</p></main></body></html>"""
_COLUMN = "max-width: 30rem; margin: 0 auto"


def plain_page(status: int, title: str, text: str, **headers: str) -> HTMLResponse:
    """A page without journey data or scripts, for a link that does not (or no longer) work."""
    return HTMLResponse(_GONE_PAGE.format(title=escape(title), text=escape(text)), status_code=status,
                        headers={"Cache-Control": "no-store", **headers})


def gone_response(status: int) -> HTMLResponse:
    if status == 410:
        return plain_page(410, GONE_TEXT, "Ask the moving company for a new link if you still need to follow "
                                          "your move.")
    return plain_page(status, "This link does not work", "Check that the address was copied whole from the e-mail.")


class TrackingPage:
    def __init__(self, token: str, view: Tracking) -> None:
        self.token = token
        self.view: Tracking | None = view

    def show(self) -> None:
        context.client.content.classes("q-pa-md")
        with ui.column().classes("w-full gap-4").style(_COLUMN):
            self.render()
        on_events(self.concerns_me, self.refresh, collapse=whole_page)

    def concerns_me(self, event: DomainEvent) -> bool:
        """An event of this journey, or a sync batch that may hold it."""
        return self.journey_id is not None and touched(event).journey(self.journey_id)

    @property
    def journey_id(self) -> int | None:
        return self.view.journey_id if self.view is not None else None

    async def refresh(self, _events: list[DomainEvent]) -> None:
        try:
            view: Tracking | None = await tracking(self.token)
        except (LinkExpired, NotFound):
            view = None
        if view != self.view:
            self.view = view
            self.render.refresh()

    @ui.refreshable_method
    def render(self) -> None:
        view = self.view
        if view is None:
            tid(ui.label(GONE_TEXT).classes("text-h5").props('role="heading" aria-level="1"'), "gone")
            return
        tid(ui.label(view.company).classes("text-h5 text-weight-bold").props('role="heading" aria-level="1"'),
            "company")
        ui.label(f"Your move on {view.journey_date:%A %d %B}").classes("text-subtitle1")
        headline, sentence = STAGE_WORDS[view.stage]
        with tid(ui.card().classes("w-full q-pa-md bg-blue-1").props('flat role="status" aria-live="polite"'),
                 "stage"):
            tid(ui.label(headline).classes("text-h4 text-weight-bold text-blue-10"), "stage-headline")
            ui.label(sentence).classes("text-body1")
        self._steps(view.stage)
        with ui.card().classes("w-full q-pa-md gap-2").props("flat bordered"):
            self._fact("Arrival window", f"{view.arrival} ({zone_words(view.timezone)})", "arrival")
            self._fact("Your crew", ", ".join(view.crew_first_names) or "To be assigned", "crew")
            self._fact("Truck", view.truck or "To be assigned", "truck")
            if view.estimated_value is not None:
                self._fact("Estimated value", money(view.estimated_value), "estimated-value")
        if view.documents:
            ui.label("Your documents").classes("text-h6").props('role="heading" aria-level="2"')
            for document in view.documents:
                tid(ui.button(f"{document.title} (PDF)", icon="download").props(
                    f'href="/track/{self.token}/documents/{document.id}" unelevated no-caps size=lg '
                    f'color=primary').classes("w-full").style("min-height: 48px"), f"document-{document.id}")

    @staticmethod
    def _fact(label: str, value: str, name: str) -> None:
        with ui.column().classes("gap-0"):
            ui.label(label).classes("text-caption text-grey-8")
            tid(ui.label(value).classes("text-body1"), name)

    @staticmethod
    def _steps(stage: Stage) -> None:
        if stage not in TRACKED:
            return
        reached = TRACKED.index(stage)
        with tid(ui.element("ol").classes("w-full q-pl-none q-my-none").style("list-style: none"), "steps"):
            for n, step in enumerate(TRACKED):
                finished = stage is Stage.DONE  # the last step too is ticked off, not "under way"
                done, current = n < reached or finished, n == reached and not finished
                icon = "check_circle" if done else "radio_button_checked" if current else "radio_button_unchecked"
                colour = "text-green-9" if done else "text-blue-10" if current else "text-grey-8"
                with ui.element("li").classes(f"row items-center no-wrap gap-2 q-py-xs {colour}").props(
                        'aria-current="step"' if current else ""):
                    ui.icon(icon, size="sm").props('aria-hidden="true"')
                    ui.label(STAGE_WORDS[step][0]).classes("text-body1" + (" text-weight-bold" if current else ""))
                    if done:
                        ui.label("(done)").classes("sr-only")


async def tracking_page(token: str) -> HTMLResponse | None:
    try:
        view = await tracking(token)
    except LinkExpired:
        return gone_response(410)
    except NotFound:
        return gone_response(404)
    except TooManyRequests as exc:
        return plain_page(429, "Too many tries", exc.message, **{"Retry-After": "60"})
    TrackingPage(token, view).show()
    return None


def register() -> None:
    ui.page("/track/{token}", title="Your move · live", reconnect_timeout=60.0)(tracking_page)
