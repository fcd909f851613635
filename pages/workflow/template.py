"""`/admin/workflow`: the company's six-phase checklist. An admin marks items required or optional
and adds items to a phase; changes reach open crew pages at once."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from components.nav import app_header
from components.testid import tid
from db.enums import ItemKind, Phase
from domain.access.rbac import Permission, Principal
from domain.errors import DomainError
from domain.workflow import template as phase_template
from domain.workflow.items import READING_POSITION, READING_TIME, TEXT_MAX_LENGTH, ItemSpec
from domain.journeys.labels import PHASE_LABELS
from pages.access.session import guarded_page

KIND_LABELS = {
    ItemKind.CHECK: "Tick box", ItemKind.NUMBER: "Number", ItemKind.CHOICE: "Choice", ItemKind.TEXT: "Text",
    ItemKind.PHOTO: "Photo", ItemKind.SIGNATURE: "Signature", ItemKind.READING: "Time or position reading",
}


def _options_text(spec: ItemSpec) -> str:
    o = spec.options
    if spec.kind is ItemKind.NUMBER:
        return f"{o.get('min', '–')} to {o.get('max', '–')} {o.get('unit', '')}".strip()
    if spec.kind is ItemKind.CHOICE:
        return " / ".join(o.get("choices", []))
    if spec.kind is ItemKind.READING:
        return str(o.get("reading", ""))
    return ""


class WorkflowEditor:
    def __init__(self, principal: Principal) -> None:
        self.principal = principal
        self.template: phase_template.Template = {}

    async def show(self) -> None:
        app_header(self.principal)
        tid(ui.label("Workflow checklist").classes("text-h5"), "page-title")
        ui.label("What crews record in each phase. Required items must be there before a phase can be "
                 "completed; changes apply at once to phases not completed yet.").classes("text-grey-7")
        self.template = await phase_template.company_template(self.principal)
        self.render()

    async def reload(self) -> None:
        self.template = await phase_template.company_template(self.principal)
        self.render.refresh()

    async def set_required(self, spec: ItemSpec, required: bool) -> None:
        try:
            await phase_template.set_item_required(self.principal, spec.phase, spec.key, required)
            ui.notify(f"{spec.label}: {'required' if required else 'optional'}", type="positive")
        except DomainError as exc:
            ui.notify(exc.message, type="negative")
        await self.reload()

    async def add(self, phase: Phase, form: dict[str, Any]) -> None:
        kind = ItemKind(form["kind"].value)
        options: dict[str, Any] = {}
        if kind is ItemKind.NUMBER:
            options = {k: form[k].value for k in ("min", "max") if form[k].value is not None}
            if form["unit"].value:
                options["unit"] = form["unit"].value
        elif kind is ItemKind.CHOICE:
            options = {"choices": [c for c in (form["choices"].value or "").split(",")]}
        elif kind is ItemKind.TEXT:
            options = {"max_length": int(form["max_length"].value or TEXT_MAX_LENGTH)}
        elif kind is ItemKind.READING:
            options = {"reading": form["reading"].value}
        try:
            spec = await phase_template.add_item(self.principal, phase, form["label"].value or "", kind,
                                                 required=bool(form["required"].value), options=options)
        except DomainError as exc:
            ui.notify(exc.message, type="negative")
            return
        ui.notify(f"Added “{spec.label}” to {PHASE_LABELS[phase]}", type="positive")
        await self.reload()

    @ui.refreshable_method
    def render(self) -> None:
        for phase in Phase:
            with tid(ui.card().classes("w-full").props("flat bordered"), f"phase-{phase.value}"):
                ui.label(f"{list(Phase).index(phase) + 1}. {PHASE_LABELS[phase]}").classes("text-h6")
                for spec in self.template.get(phase, []):
                    self._item(spec)
                self._add_form(phase)

    def _item(self, spec: ItemSpec) -> None:
        with ui.row().classes("w-full items-center justify-between no-wrap"):
            with ui.column().classes("gap-0"):
                ui.label(spec.label).classes("text-body1")
                ui.label(" · ".join(x for x in (KIND_LABELS[spec.kind], _options_text(spec)) if x)).classes(
                    "text-caption text-grey-7")
            switch = tid(ui.switch("Required", value=spec.required), f"required-{spec.phase.value}-{spec.key}")
            switch.on_value_change(lambda e, s=spec: self.set_required(s, bool(e.value)))

    def _add_form(self, phase: Phase) -> None:
        with ui.expansion("Add an item", icon="add").classes("w-full"):
            form: dict[str, Any] = {}
            with ui.row().classes("w-full items-start gap-3"):
                form["label"] = tid(ui.input("Label").props("outlined dense"), f"new-label-{phase.value}")
                form["kind"] = tid(ui.select({k.value: v for k, v in KIND_LABELS.items()}, value=ItemKind.CHECK.value,
                                             label="Kind").props("outlined dense").classes("w-56"),
                                   f"new-kind-{phase.value}")
                form["required"] = ui.switch("Required", value=True)
            with ui.row().classes("gap-3").bind_visibility_from(form["kind"], "value",
                                                                  value=ItemKind.NUMBER.value):
                form["min"] = ui.number("Min").props("outlined dense")
                form["max"] = ui.number("Max").props("outlined dense")
                form["unit"] = ui.input("Unit").props("outlined dense maxlength=10")
            form["choices"] = ui.input("Answers, separated by commas").props("outlined dense").classes(
                "w-96").bind_visibility_from(form["kind"], "value", value=ItemKind.CHOICE.value)
            form["max_length"] = ui.number("Longest text", value=TEXT_MAX_LENGTH, min=1, max=TEXT_MAX_LENGTH).props(
                "outlined dense").bind_visibility_from(form["kind"], "value", value=ItemKind.TEXT.value)
            form["reading"] = ui.select({READING_TIME: "Time", READING_POSITION: "Position"}, value=READING_TIME,
                                        label="Reading").props("outlined dense").classes("w-40").bind_visibility_from(
                form["kind"], "value", value=ItemKind.READING.value)
            tid(ui.button("Add item", icon="add", on_click=lambda: self.add(phase, form)), f"add-{phase.value}")


async def workflow_page(principal: Principal) -> None:
    await WorkflowEditor(principal).show()


def register() -> None:
    guarded_page("/admin/workflow", allow=Permission.EDIT_WORKFLOW_TEMPLATE, title="Workflow · C&C CRM")(workflow_page)
