"""What was recorded on a phase, for phones and desks alike: values, who and when, photo
thumbnails (opening the full photo) and signatures. Media come only through `/api/media/{id}`."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from nicegui import ui

from components.testid import tid
from db.enums import ItemKind, StepStatus
from domain.workflow.items import READING_POSITION
from domain.workflow.phases import ItemView, PhaseView, RecordView, WorkflowView

STATUS_STYLE: dict[StepStatus, tuple[str, str, str]] = {
    StepStatus.PENDING: ("radio_button_unchecked", "grey-6", "Not started"),
    StepStatus.IN_PROGRESS: ("pending", "primary", "In progress"),
    StepStatus.COMPLETED: ("check_circle", "positive", "Completed"),
    StepStatus.APPROVED: ("verified", "teal-8", "Approved"),
}


def media_url(media_id: int, *, thumbnail: bool = False) -> str:
    return f"/api/media/{media_id}" + ("/thumbnail" if thumbnail else "")


def local_time(moment: datetime | str | None, tz: ZoneInfo) -> str:
    if moment is None:
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(tz).strftime("%H:%M")


def choice_label(choice: str) -> str:
    return choice[:1].upper() + choice[1:]


def value_text(item: ItemView, record: RecordView, tz: ZoneInfo) -> str:
    """A recorded answer as people read it."""
    data = record.data
    if item.kind is ItemKind.CHECK:
        return "Yes" if data.get("value") is True else "No"
    if item.kind is ItemKind.NUMBER:
        value = data.get("value")
        shown = int(value) if isinstance(value, float) and value.is_integer() else value
        return f"{shown} {item.options.get('unit', '')}".strip()
    if item.kind is ItemKind.CHOICE:
        return choice_label(str(data.get("value", "")))
    if item.kind is ItemKind.READING:
        if item.options.get("reading") == READING_POSITION:
            accuracy = f" (±{data['accuracy']:.0f} m)" if "accuracy" in data else ""
            return f"{data.get('lat'):.5f}, {data.get('lng'):.5f}{accuracy}"
        return local_time(data.get("time"), tz)
    if item.kind is ItemKind.SIGNATURE:
        return f"Signed by {data['signer']}" if data.get("signer") else "Signed"
    return str(data.get("value", ""))


def thumbnails(records: tuple[RecordView, ...], name: str) -> None:
    with tid(ui.row().classes("gap-2"), name):
        for record in records:
            if record.media_id is not None:
                with ui.link(target=media_url(record.media_id), new_tab=True):
                    ui.image(media_url(record.media_id, thumbnail=True)).classes(
                        "w-24 h-24 rounded-borders").props(f'fit=cover alt="photo {record.media_id}"')


def item_record(item: ItemView, tz: ZoneInfo) -> None:
    """One item's answers (latest last) with who recorded them."""
    latest = item.latest
    if latest is None:
        return
    with tid(ui.column().classes("w-full gap-0"), f"record-{item.key}"):
        with ui.row().classes("w-full justify-between items-baseline no-wrap"):
            ui.label(item.label).classes("text-body2 text-weight-medium")
            if item.kind not in (ItemKind.PHOTO,):
                ui.label(value_text(item, latest, tz)).classes("text-body2 text-right")
        if item.kind in (ItemKind.PHOTO, ItemKind.SIGNATURE):
            thumbnails(item.records if item.kind is ItemKind.PHOTO else (latest,), f"thumbs-{item.key}")
        who_when = (latest.created_by_name, local_time(latest.created_at, tz))
        ui.label(" · ".join(x for x in who_when if x)).classes("text-caption text-grey-7")


def phase_record(phase: PhaseView, tz: ZoneInfo) -> None:
    """Everything recorded on a phase, in template order."""
    recorded = [i for i in phase.items if i.records]
    if not recorded and not phase.other_records:
        ui.label("Nothing recorded yet.").classes("text-grey-7")
    for item in recorded:
        item_record(item, tz)
    for record in phase.other_records:
        ui.label(f"{record.item_key}: {record.data.get('value', '')} · {record.created_by_name}").classes(
            "text-caption text-grey-7")


def phase_stepper(view: WorkflowView) -> None:
    """The six phases in a row: status icon and short name."""
    with tid(ui.row().classes("w-full no-wrap justify-between items-start gap-1"), "stepper"):
        for phase in view.phases:
            icon, colour, status = STATUS_STYLE[phase.status]
            current = phase.phase is view.current_phase
            with tid(ui.column().classes("items-center gap-0 col"), f"step-{phase.phase.value}").props(
                    f'data-status="{phase.status.value}" aria-label="{phase.label}: {status}"'):
                ui.icon(icon, size="28px", color=colour)
                ui.label(phase.label).classes(
                    "text-center leading-tight " + ("text-weight-bold" if current else "text-grey-8")
                ).style("font-size: 11px")
