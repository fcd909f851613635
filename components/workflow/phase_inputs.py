"""The input for each kind of checklist item, sized for a phone worked with gloves on: every
target at least 48 px high, choices as big buttons, the camera opened straight from the button.

Inputs do not write anything themselves: they call the screen's `ItemActions`, which go through
the domain. Typed text and numbers are kept in `drafts`, so a live refresh (another crew member
recorded something) does not wipe what is being typed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from nicegui import ui
from nicegui.events import UploadEventArguments

from components.documents.consent import consent_screen
from components.workflow.phase_record import choice_label, local_time, thumbnails, value_text
from components.workflow.signature_pad import SignaturePad
from components.testid import tid
from db.enums import ItemKind
from db.models import utcnow
from domain.workflow.items import READING_POSITION
from domain.workflow.media import MAX_PHOTO_BYTES
from domain.workflow.phases import ItemView

TOUCH = "min-height: 56px"


@dataclass(frozen=True, slots=True)
class ItemActions:
    record: Callable[[str, Any], Awaitable[None]]
    photo: Callable[[str, bytes], Awaitable[None]]
    #: (item key, the pad's PNG data URL, the customer's consent: see components/documents/consent.py)
    signature: Callable[[str, str, dict[str, Any]], Awaitable[None]]
    position: Callable[[str], Awaitable[None]]
    notify: Callable[[str], None]


def _big_button(text: str, on_click: Callable[[], Any], name: str, *, icon: str | None = None,
                colour: str = "primary", outline: bool = False) -> ui.button:
    button = ui.button(text, icon=icon, on_click=on_click, color=colour).classes("w-full").style(TOUCH)
    button.props("no-caps size=lg" + (" outline" if outline else " unelevated"))
    return tid(button, name)


def _check(item: ItemView, actions: ItemActions) -> None:
    ticked = item.done
    row = ui.item(on_click=lambda: actions.record(item.key, not ticked)).classes(
        "w-full rounded-borders " + ("bg-green-1" if ticked else "")).style(TOUCH + "; border: 1px solid #bdbdbd")
    with tid(row.props(f'role=checkbox aria-checked="{str(ticked).lower()}"'), f"check-{item.key}"):
        with ui.item_section().props("avatar"):
            ui.icon("check_box" if ticked else "check_box_outline_blank", size="32px",
                    color="positive" if ticked else "grey-7")
        with ui.item_section():
            ui.label(item.label).classes("text-body1")


def _number(item: ItemView, actions: ItemActions, drafts: dict[str, Any]) -> None:
    latest = item.latest.data.get("value") if item.latest else None
    low, high, unit = item.options.get("min"), item.options.get("max"), item.options.get("unit", "")
    hint = f"{low}–{high} {unit}".strip() if low is not None and high is not None else unit

    async def save() -> None:
        value = field.value
        if value is None:
            actions.notify(f"{item.label}: enter a number first")
            return
        await actions.record(item.key, int(value) if float(value).is_integer() else float(value))
        drafts.pop(item.key, None)

    with ui.row().classes("w-full no-wrap items-center gap-2"):
        field = tid(ui.number(item.label, value=drafts.get(item.key, latest), min=low, max=high), f"number-{item.key}")
        field.classes("col").props(f'outlined inputmode=decimal hint="{hint}"').style("font-size: 18px")
        field.on_value_change(lambda e: drafts.__setitem__(item.key, e.value))
        tid(ui.button("Save", on_click=save).props("unelevated no-caps size=lg").style(TOUCH), f"save-{item.key}")


def _choice(item: ItemView, actions: ItemActions) -> None:
    chosen = item.latest.data.get("value") if item.latest else None
    ui.label(item.label).classes("text-body1")
    with ui.row().classes("w-full no-wrap gap-2"):
        for choice in item.options.get("choices", []):
            selected = choice == chosen
            button = ui.button(choice_label(choice), on_click=lambda c=choice: actions.record(item.key, c),
                               color="primary" if selected else "grey-8").classes("col").style(TOUCH)
            tid(button.props("no-caps size=lg " + ("unelevated" if selected else "outline")
                             + f' aria-pressed="{str(selected).lower()}"'), f"choice-{item.key}-{choice}")


def _text(item: ItemView, actions: ItemActions, drafts: dict[str, Any]) -> None:
    latest = item.latest.data.get("value") if item.latest else ""

    async def save() -> None:
        await actions.record(item.key, area.value or "")
        drafts.pop(item.key, None)

    area = tid(ui.textarea(item.label, value=drafts.get(item.key, latest)), f"text-{item.key}")
    area.classes("w-full").props(f"outlined autogrow counter maxlength={item.options.get('max_length', 2000)}")
    area.on_value_change(lambda e: drafts.__setitem__(item.key, e.value))
    _big_button("Save note", save, f"save-{item.key}", icon="save", outline=True)


def _photo(item: ItemView, actions: ItemActions) -> None:
    ui.label(item.label).classes("text-body1")
    thumbnails(item.records, f"thumbs-{item.key}")
    sending: list[ui.notification] = []

    def begin() -> None:
        sending.append(ui.notification("Sending photo…", spinner=True, timeout=None, position="top"))

    async def uploaded(event: UploadEventArguments) -> None:
        try:
            await actions.photo(item.key, await event.file.read())
        finally:
            for note in sending:
                note.dismiss()

    # The uploader only carries the file (camera straight from the big button); it stays hidden.
    upload = ui.upload(auto_upload=True, max_file_size=MAX_PHOTO_BYTES, on_begin_upload=begin, on_upload=uploaded,
                       on_rejected=lambda: actions.notify("That photo is larger than 10 MB"))
    tid(upload.props('accept="image/*" capture=environment').classes("hidden"), f"upload-{item.key}")
    label = "Add another photo" if item.records else "Take photo"
    _big_button(label, lambda: upload.run_method("pickFiles"), f"camera-{item.key}", icon="photo_camera",
                outline=bool(item.records))


def _signature(item: ItemView, actions: ItemActions, drafts: dict[str, Any], tz: ZoneInfo) -> None:
    ui.label(item.label).classes("text-body1")
    latest = item.latest
    again, consent_key, drawing = f"{item.key}:again", f"{item.key}:consent", f"{item.key}:drawing"

    def sign_again() -> None:
        drafts[again] = True
        area.refresh()

    @ui.refreshable
    def area() -> None:
        if latest is not None and latest.media_id is not None and not drafts.get(again):
            thumbnails((latest,), f"thumbs-{item.key}")
            ui.label(f"{value_text(item, latest, tz)} · {local_time(latest.created_at, tz)}").classes("text-caption")
            _big_button("Sign again", sign_again, f"again-{item.key}", icon="draw", outline=True)
            return
        consent = drafts.get(consent_key)
        if consent is None:  # the customer accepts signing electronically first; then the pad shows

            def accepted(given: dict[str, Any]) -> None:
                drafts[consent_key] = given
                area.refresh()

            consent_screen(item.key, accepted)
            return
        tid(ui.label(f"Signing: {consent['name']}").classes("text-body1 text-weight-medium"), f"signer-{item.key}")
        pad = tid(SignaturePad(initial=drafts.get(drawing), on_change=lambda url: drafts.__setitem__(drawing, url)),
                  f"pad-{item.key}")

        async def save() -> None:
            if pad.data_url is None:
                actions.notify("Sign on the pad first")
                return
            # Signing again ends with this save: the page's redraw after it (made while the save is
            # still awaited) must show the saved signature, not a fresh pad. A refused save changes
            # nothing on the item, so nothing is redrawn and the pad stays on screen.
            # The consent is for this signature only: the next one is accepted again (even when this
            # save is refused, the pad on screen keeps it until it is drawn again).
            drafts.pop(again, None)
            drafts.pop(consent_key, None)
            await actions.signature(item.key, pad.data_url, consent)
            drafts.pop(drawing, None)

        with ui.row().classes("w-full no-wrap gap-2"):
            tid(ui.button("Clear", icon="backspace", on_click=pad.wipe).props("outline no-caps size=lg")
                .classes("col").style(TOUCH), f"clear-{item.key}")
            tid(ui.button("Save signature", icon="draw", on_click=save).props("unelevated no-caps size=lg")
                .classes("col").style(TOUCH), f"sign-{item.key}")

    area()


def _reading(item: ItemView, actions: ItemActions, tz: ZoneInfo) -> None:
    position = item.options.get("reading") == READING_POSITION
    latest = item.latest
    with ui.row().classes("w-full justify-between items-baseline"):
        ui.label(item.label).classes("text-body1")
        if latest is not None:
            tid(ui.label(value_text(item, latest, tz)).classes("text-body1 text-weight-bold"), f"value-{item.key}")
    if position:
        _big_button("Record my position", lambda: actions.position(item.key), f"now-{item.key}", icon="my_location",
                    outline=latest is not None)
    else:
        text = "Record the time again" if latest else f"{item.label}: now"
        _big_button(text, lambda: actions.record(item.key, {"time": utcnow().isoformat()}), f"now-{item.key}",
                    icon="schedule",
                    outline=latest is not None)


def item_input(item: ItemView, actions: ItemActions, drafts: dict[str, Any], tz: ZoneInfo) -> None:
    """The right input for the item, with a marker of whether it is done and required."""
    with tid(ui.column().classes("w-full gap-2 q-py-sm"), f"item-{item.key}").props(
            f'data-done="{str(item.done).lower()}"'):
        if item.kind is not ItemKind.CHECK and (item.required or item.done):
            with ui.row().classes("items-center gap-1"):
                ui.icon("check_circle" if item.done else "error_outline", size="18px",
                        color="positive" if item.done else "orange-8")
                ui.label("Done" if item.done else "Required").classes("text-caption text-grey-8")
        if item.kind is ItemKind.CHECK:
            _check(item, actions)
        elif item.kind is ItemKind.NUMBER:
            _number(item, actions, drafts)
        elif item.kind is ItemKind.CHOICE:
            _choice(item, actions)
        elif item.kind is ItemKind.TEXT:
            _text(item, actions, drafts)
        elif item.kind is ItemKind.PHOTO:
            _photo(item, actions)
        elif item.kind is ItemKind.SIGNATURE:
            _signature(item, actions, drafts, tz)
        else:
            _reading(item, actions, tz)
