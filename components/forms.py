"""Create/edit dialogs and the one way pages run a domain action: the domain's error message
is shown to the user (in the dialog, or as a notification), never a stack trace."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import available_timezones

from nicegui import context, ui
from nicegui.elements.mixins.value_element import ValueElement

from domain.runtime.context import request_device, request_ip
from domain.errors import DomainError

Kind = Literal["text", "email", "password", "number", "select", "multiselect"]


@dataclass(frozen=True, slots=True)
class FormField:
    name: str
    label: str
    kind: Kind = "text"
    options: Mapping[Any, str] | None = None
    hint: str = ""
    #: Shown only when creating (e.g. the initial password).
    create_only: bool = False
    autofocus: bool = False
    props: str = field(default="")


@lru_cache(maxsize=1)
def timezone_options() -> dict[str, str]:
    """The IANA zones a person would pick (Area/City), for a time zone select."""
    return {z: z for z in sorted(available_timezones()) if "/" in z and not z.startswith(("Etc/", "SystemV/"))}


@contextmanager
def client_ip() -> Iterator[None]:
    """Audit entries written from a page event carry the browser's IP (and a signature its device):
    the HTTP middleware sets them for requests, but page events arrive over the websocket."""
    token = request_ip.set(context.client.ip or None)
    device = request_device.set(context.client.request.headers.get("user-agent"))
    try:
        yield
    finally:
        request_ip.reset(token)
        request_device.reset(device)


async def attempt(action: Callable[[], Awaitable[Any]], success: str | None = None,
                  error_label: ui.label | None = None) -> bool:
    """Run a domain action; on a DomainError show its message (in `error_label` or a toast)."""
    try:
        with client_ip():
            await action()
    except DomainError as exc:
        if error_label is not None:
            error_label.set_text(exc.message)
        else:
            ui.notify(exc.message, type="negative", multi_line=True)
        return False
    if success:
        ui.notify(success, type="positive")
    return True


def _input(f: FormField, value: Any, marker: str) -> ui.element:
    testid = f'data-testid="{marker}-{f.name}"'
    if f.kind in ("select", "multiselect"):
        empty: list[Any] | None = [] if f.kind == "multiselect" else None
        element: ui.element = ui.select(
            dict(f.options or {}), label=f.label, value=value if value is not None else empty,
            multiple=f.kind == "multiselect", with_input=True,
        ).props(f"outlined dense options-dense use-chips {testid} {f.props}")
    elif f.kind == "number":
        element = ui.number(f.label, value=value).props(f"outlined dense {testid} {f.props}")
    else:
        element = ui.input(f.label, value=value if value is not None else "", password=f.kind == "password",
                           password_toggle_button=f.kind == "password").props(
            f"outlined dense {testid} {'type=email' if f.kind == 'email' else ''} {f.props}")
    if f.hint:
        element.props(f'hint="{f.hint}"')
    if f.autofocus:
        element.props("autofocus")
    return element.classes("w-full").mark(f"{marker}-{f.name}")


def clear_on_change(error: ui.label, inputs: Iterable[ui.element]) -> None:
    """A refusal shown in `error` goes away as soon as the user changes a field (a field fixed
    does not keep saying it is wrong; a Save still wrong says so again)."""
    for element in inputs:
        if isinstance(element, ValueElement):
            element.on_value_change(lambda _e: error.set_text(""))


def open_form(title: str, fields: list[FormField], submit: Callable[[dict[str, Any]], Awaitable[Any]], *,
              initial: Mapping[str, Any] | None = None, marker: str = "form", save_label: str = "Save",
              saved_message: str = "Saved", on_saved: Callable[[], Awaitable[None] | None] | None = None
              ) -> ui.dialog:
    """A dialog with `fields`. With `initial` (an edit), `submit` receives only the changed values.
    It stays open showing the domain's message when the submit is refused."""
    creating = initial is None
    start = dict(initial or {})
    with ui.dialog().props(f'data-testid="{marker}-dialog"') as dialog, ui.card().classes("w-[32rem] max-w-full"):
        ui.label(title).classes("text-h6")
        inputs = {f.name: _input(f, start.get(f.name), marker) for f in fields if creating or not f.create_only}
        error = ui.label("").classes("text-negative text-body2").props(f'role=alert data-testid="{marker}-error"') \
            .mark(f"{marker}-error")
        clear_on_change(error, inputs.values())

        def finish() -> None:
            dialog.close()
            dialog.delete()

        async def save() -> None:
            error.set_text("")
            values = {name: _value(element) for name, element in inputs.items()}
            if not creating:
                values = {k: v for k, v in values.items() if _normal(v) != _normal(start.get(k))}
                if not values:
                    finish()
                    return
            if await attempt(lambda: submit(values), error_label=error):
                ui.notify(saved_message, type="positive")
                if on_saved is not None:  # before the dialog (whose button runs this) is deleted
                    result = on_saved()
                    if result is not None:
                        await result
                finish()

        with ui.row().classes("w-full justify-end gap-2"):
            ui.button("Cancel", on_click=finish).props("flat").mark(f"{marker}-cancel")
            ui.button(save_label, on_click=save).props(f'unelevated data-testid="{marker}-save"').mark(f"{marker}-save")
    dialog.on("hide", dialog.delete)
    dialog.open()
    return dialog


def _normal(value: Any) -> Any:
    """Compare form values as the user sees them: no value is empty text; lists in any order."""
    if value is None:
        return ""
    return sorted(value) if isinstance(value, list) else value


def _value(element: ui.element) -> Any:
    value = getattr(element, "value", None)
    if isinstance(element, ui.number) and value is not None:
        return float(value)
    return value
