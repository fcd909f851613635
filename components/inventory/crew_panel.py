"""The inventory on the crew's phone, worked with gloves on (targets ≥ 56 px, condition codes as
big toggles):

- at PICKUP: the lines room by room; add or change a line (room, item, count, condition codes,
  note, a photo from the camera), add photos, remove a line;
- at DELIVERY: each line checked off — Delivered, Missing, or Damaged with codes, note and photo;
- in COMPLETION: the exceptions.

It writes through `domain.inventory` and redraws on the journey's inventory events (another crew
member's change). It needs a connection: the phone's offline outbox carries checklist items
only, so while the socket is down the buttons do nothing and the page says it is offline.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui
from nicegui.events import UploadEventArguments

from components.inventory.exceptions import exceptions_list, photo_row
from components.live import on_event
from components.testid import tid
from components.workflow.phase_inputs import TOUCH
from db.enums import DeliveryCheck, Phase
from domain.access.rbac import Principal
from domain.errors import DomainError
from domain.events.bus import DomainEvent, EventType
from domain.inventory import edit
from domain.inventory.conditions import CONDITION_WORDS
from domain.inventory.smartmoving import import_inventory
from domain.inventory.views import CHECK_WORDS, InventoryView, LineView, journey_inventory
from domain.workflow.media import MAX_PHOTO_BYTES

#: The phases in which the phone shows the inventory.
SHOWN_IN = (Phase.PICKUP, Phase.DELIVERY, Phase.COMPLETION)
_CHECK_STYLE = {DeliveryCheck.DELIVERED: ("check_circle", "positive"), DeliveryCheck.MISSING: ("help", "negative"),
                DeliveryCheck.DAMAGED: ("report", "deep-orange-10")}


def _button(text: str, on_click: Callable[[], Any], name: str, *, icon: str | None = None, colour: str = "primary",
            outline: bool = False, pressed: bool | None = None) -> ui.button:
    button = ui.button(text, icon=icon, on_click=on_click, color=colour).style(TOUCH)
    props = "no-caps size=lg " + ("outline" if outline else "unelevated")
    if pressed is not None:
        props += f' aria-pressed="{str(pressed).lower()}"'
    return tid(button.props(props), name)


class CodeToggles:
    """The sixteen condition codes as big toggles, two a row ("SC scratched")."""

    def __init__(self, chosen: tuple[str, ...] = ()) -> None:
        self.chosen = set(chosen)
        ui.label("Condition (tap every code that applies)").classes("text-body2 text-grey-8")
        with tid(ui.element("div").classes("w-full grid grid-cols-2 gap-2"), "condition-codes"):
            for code, word in CONDITION_WORDS.items():
                button = _button(f"{code} · {word}", lambda: None, f"code-{code}", outline=code not in self.chosen,
                                 pressed=code in self.chosen)
                button.on_click(lambda _e, c=code, b=button: self.toggle(c, b))

    def toggle(self, code: str, button: ui.button) -> None:
        on = code not in self.chosen
        (self.chosen.add if on else self.chosen.discard)(code)
        button.props(remove="outline unelevated").props(
            ("unelevated" if on else "outline") + f' aria-pressed="{str(on).lower()}"')

    @property
    def codes(self) -> list[str]:
        return [code for code in CONDITION_WORDS if code in self.chosen]


class PhotoPicker:
    """The camera behind a big button; the photo is kept until the form is saved."""

    def __init__(self, name: str, on_photo: Callable[[bytes], Awaitable[Any]] | None = None,
                 warn: Callable[[str], None] = ui.notify) -> None:
        self.content: bytes | None = None
        self.on_photo = on_photo

        async def uploaded(event: UploadEventArguments) -> None:
            content = await event.file.read()
            if self.on_photo is not None:
                await self.on_photo(content)
                return
            self.content = content
            self.button.set_text("Photo ready · take another")

        upload = ui.upload(auto_upload=True, max_file_size=MAX_PHOTO_BYTES, on_upload=uploaded,
                           on_rejected=lambda: warn(f"That photo is larger than {MAX_PHOTO_BYTES // 2**20} MB"))
        tid(upload.props('accept="image/*" capture=environment').classes("hidden"), f"upload-{name}")
        self.button = _button("Take photo", lambda: upload.run_method("pickFiles"), f"camera-{name}",
                              icon="photo_camera", outline=True).classes("w-full")


class InventoryPanel(ui.column):
    """The journey's inventory for its crew, in the phase shown (see the module's words)."""

    def __init__(self, principal: Principal, journey_id: int, phase: Phase) -> None:
        super().__init__()
        self.classes("w-full gap-2 q-py-sm")
        self.principal, self.journey_id, self.phase = principal, journey_id, phase
        self.view: InventoryView | None = None
        self.imported = False
        tid(self, "inventory-panel")
        with self:
            self.body = ui.column().classes("w-full gap-2")
            #: Holds the one open dialog (a new one replaces the last, closed or not).
            self.dialogs = ui.element("div")
        self._stop = on_event(self._concerns, self._changed, principal=principal)
        ui.timer(0, self.load, once=True)

    def _handle_delete(self) -> None:
        self._stop()
        super()._handle_delete()

    def _concerns(self, event: DomainEvent) -> bool:
        return event.journey_id == self.journey_id and event.type is EventType.INVENTORY_CHANGED

    async def _changed(self, _event: DomainEvent) -> None:
        if not self.is_deleted:
            await self.load()

    def notify(self, message: str, kind: str = "warning") -> None:
        with self:
            ui.notify(message, type=kind, position="top", multi_line=True)  # type: ignore[arg-type]

    async def load(self) -> None:
        try:
            view = await journey_inventory(self.principal, self.journey_id)
            if view.writing is Phase.PICKUP and not view.lines and not self.imported:
                self.imported = True  # an empty inventory: SmartMoving's, when the plan provides it
                if await import_inventory(self.principal, self.journey_id):
                    view = await journey_inventory(self.principal, self.journey_id)
        except DomainError:  # taken off the journey meanwhile: the page itself goes back to the list
            return
        if view != self.view and not self.is_deleted:
            self.view = view
            self.draw()

    async def run(self, action: Callable[[], Awaitable[Any]], success: str) -> bool:
        try:
            await action()
        except DomainError as exc:
            self.notify(exc.message, "negative")
            return False
        self.notify(success, "positive")
        await self.load()
        return True

    # drawing -----------------------------------------------------------------------------

    def draw(self) -> None:
        view = self.view
        assert view is not None
        self.body.clear()
        with self.body:
            ui.label(f"Inventory · {len(view.lines)} item{'s' if len(view.lines) != 1 else ''}").classes(
                "text-subtitle1 text-weight-bold")
            if self.phase is Phase.COMPLETION or view.writing is None:
                if view.lines:
                    exceptions_list(view.exceptions)
                else:
                    ui.label("No inventory was recorded.").classes("text-body2 text-grey-8")
                return
            if view.writing is Phase.DELIVERY and view.unchecked:
                tid(ui.label(f"{view.unchecked} to check").classes("text-body1 text-deep-orange-10"),
                    "inventory-unchecked")
            if not view.lines:
                ui.label("No items yet: add each item as it is loaded.").classes("text-body2 text-grey-8")
            for room, lines in view.rooms.items():
                ui.label(room).classes("text-subtitle2 q-mt-sm")
                for line in lines:
                    self._line(line, view.writing)
            if view.writing is Phase.PICKUP:
                _button("Add an item", lambda: self.open_form(None), "inventory-add", icon="add").classes("w-full")

    def _line(self, line: LineView, writing: Phase) -> None:
        with tid(ui.card().props("flat bordered").classes("w-full q-pa-sm gap-2"), f"inventory-line-{line.id}"):
            ui.label(line.title).classes("text-body1 text-weight-medium")
            if line.pickup_conditions or line.pickup_note:
                words = "; ".join(x for x in (line.pickup_words, line.pickup_note) if x)
                ui.label(f"At pickup: {words}").classes("text-body2 text-deep-orange-10")
            photo_row(line.pickup_photo_ids, line.name)
            if writing is Phase.PICKUP:
                with ui.row().classes("w-full no-wrap gap-2"):
                    _button("Change", lambda: self.open_form(line), f"inventory-edit-{line.id}", icon="edit",
                            outline=True).classes("col")
                    PhotoPicker(f"inventory-photo-{line.id}", lambda content: self.run(
                        lambda: edit.add_photo(self.principal, self.journey_id, line.id, Phase.PICKUP, content),
                        "Photo saved"), self.notify).button.classes("col")
                    _button("", lambda: self.confirm_remove(line), f"inventory-remove-{line.id}", icon="delete",
                            colour="negative", outline=True).props(f'aria-label="Remove {line.name}"')
                return
            self._check(line)

    def _check(self, line: LineView) -> None:
        if line.delivery is not DeliveryCheck.PENDING:
            icon, colour = _CHECK_STYLE[line.delivery]
            with ui.row().classes("items-center gap-1 no-wrap"):
                ui.icon(icon, color=colour, size="24px")
                words = "; ".join(x for x in (line.delivery_words, line.delivery_note) if x)
                tid(ui.label(CHECK_WORDS[line.delivery] + (f": {words}" if words else "")).classes("text-body2"),
                    f"inventory-check-{line.id}")
            photo_row(line.delivery_photo_ids, line.name)
        with ui.row().classes("w-full no-wrap gap-2"):
            for outcome, text in ((DeliveryCheck.DELIVERED, "Delivered"), (DeliveryCheck.MISSING, "Missing"),
                                  (DeliveryCheck.DAMAGED, "Damaged")):
                chosen = line.delivery is outcome
                action = (lambda o=outcome: self.check(line, o)) if outcome is not DeliveryCheck.DAMAGED \
                    else (lambda: self.open_damage(line))
                _button(text, action, f"inventory-{outcome.value.lower()}-{line.id}",
                        colour=_CHECK_STYLE[outcome][1], outline=not chosen, pressed=chosen).classes("col")

    # actions -----------------------------------------------------------------------------

    async def check(self, line: LineView, outcome: DeliveryCheck) -> None:
        await self.run(lambda: edit.check_line(self.principal, self.journey_id, line.id, edit.CheckDraft(outcome)),
                       f"{line.name}: {CHECK_WORDS[outcome].lower()}")

    def confirm_remove(self, line: LineView) -> None:
        self.dialogs.clear()
        with self.dialogs, ui.dialog() as dialog, ui.card().classes("w-full q-pa-md gap-3"):
            ui.label(f"Remove {line.title} from the inventory?").classes("text-h6")

            async def remove() -> None:
                if await self.run(lambda: edit.remove_line(self.principal, self.journey_id, line.id),
                                  f"{line.name} removed"):
                    dialog.close()

            with ui.row().classes("w-full no-wrap gap-2"):
                _button("Keep it", dialog.close, "inventory-keep", outline=True).classes("col")
                _button("Remove", remove, "inventory-remove-confirm", colour="negative").classes("col")
        dialog.open()

    def open_form(self, line: LineView | None) -> None:
        """Add a line (None) or change one, in a dialog the size of the screen."""
        rooms = list(self.view.rooms) if self.view else []
        self.dialogs.clear()
        with self.dialogs, ui.dialog().props("maximized") as dialog, ui.card().classes("w-full q-pa-md gap-3"):
            ui.label("Change the item" if line else "Add an item").classes("text-h6")
            room = tid(ui.input("Room", value=line.room if line else (rooms[-1] if rooms else ""),
                                autocomplete=rooms), "inventory-room").classes("w-full").props(
                f"outlined maxlength={edit.ROOM_MAX_LENGTH}")
            name = tid(ui.input("Item", value=line.name if line else ""), "inventory-name").classes("w-full").props(
                f"outlined maxlength={edit.NAME_MAX_LENGTH}")
            count = tid(ui.number("Count", value=line.quantity if line else 1, min=1, max=edit.MAX_QUANTITY,
                                  precision=0), "inventory-count").classes("w-full").props("outlined inputmode=numeric")
            codes = CodeToggles(line.pickup_conditions if line else ())
            note = tid(ui.textarea("Note (optional)", value=line.pickup_note or "" if line else ""),
                       "inventory-note").classes("w-full").props(f"outlined autogrow maxlength={edit.NOTE_MAX_LENGTH}")
            photo = PhotoPicker("inventory-form", warn=self.notify)

            async def save() -> None:
                quantity = int(count.value) if isinstance(count.value, (int, float)) else 0
                draft = edit.LineDraft(room.value or "", name.value or "", quantity, codes.codes, note.value or None)
                if line is None:
                    write = lambda: edit.add_line(self.principal, self.journey_id, draft, photo.content)  # noqa: E731
                else:
                    async def write() -> Any:
                        await edit.edit_line(self.principal, self.journey_id, line.id, draft)
                        if photo.content is not None:
                            await edit.add_photo(self.principal, self.journey_id, line.id, Phase.PICKUP,
                                                 photo.content)
                if await self.run(write, f"{draft.name.strip() or 'Item'} saved"):
                    dialog.close()

            with ui.row().classes("w-full no-wrap gap-2"):
                _button("Cancel", dialog.close, "inventory-cancel", outline=True).classes("col")
                _button("Save item", save, "inventory-save", icon="save").classes("col")
        dialog.open()

    def open_damage(self, line: LineView) -> None:
        """Damaged at delivery: the codes, a note, a photo."""
        self.dialogs.clear()
        with self.dialogs, ui.dialog().props("maximized") as dialog, ui.card().classes("w-full q-pa-md gap-3"):
            ui.label(f"{line.title}: damaged").classes("text-h6")
            codes = CodeToggles(line.delivery_conditions)
            note = tid(ui.textarea("What is damaged (optional with a code)", value=line.delivery_note or ""),
                       "inventory-damage-note").classes("w-full").props(
                f"outlined autogrow maxlength={edit.NOTE_MAX_LENGTH}")
            photo = PhotoPicker("inventory-damage", warn=self.notify)

            async def save() -> None:
                draft = edit.CheckDraft(DeliveryCheck.DAMAGED, codes.codes, note.value or None)
                if await self.run(lambda: edit.check_line(self.principal, self.journey_id, line.id, draft,
                                                          photo.content), f"{line.name}: damage noted"):
                    dialog.close()

            with ui.row().classes("w-full no-wrap gap-2"):
                _button("Cancel", dialog.close, "inventory-cancel", outline=True).classes("col")
                _button("Save damage", save, "inventory-save-damage", icon="save").classes("col")
        dialog.open()


def inventory_section(principal: Principal, journey_id: int, phase: Phase) -> None:
    """The inventory, in the phases that have one on the phone (nothing in the others)."""
    if phase in SHOWN_IN:
        InventoryPanel(principal, journey_id, phase)
