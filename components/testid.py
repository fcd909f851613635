"""One name for an element in both kinds of tests: `.mark()` (NiceGUI User) and `data-testid` (Playwright)."""

from __future__ import annotations

from typing import TypeVar

from nicegui import ui

E = TypeVar("E", bound=ui.element)


def tid(element: E, name: str) -> E:
    element.mark(name)
    element.props(f'data-testid="{name}"')
    return element
