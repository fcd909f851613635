"""The one palette of the product: Quasar's brand colours (installed app-wide with `app.colors`)
and the colours of journey statuses and phase states. Every pair of text and background used
here meets WCAG 2.1 AA (4.5:1 for normal text); `tests/unit/test_theme.py` computes the ratios.

NiceGUI's defaults fail it: white on its primary `#5898d4` is 3.06:1, white on the old
"Morning prep" chip (`amber-9`) 2.29:1, the default positive green `#21ba45` 2.57:1 on white."""

from __future__ import annotations

from nicegui import app, ui
from nicegui.client import Client

from db.enums import JourneyStatus, StepStatus

#: Quasar's brand colours. `warning` stays light: Quasar writes dark text on it (notifications);
#: badges that need white text use `CAUTION` instead.
BRAND: dict[str, str] = {
    "primary": "#1565c0",
    "secondary": "#00796b",
    "accent": "#6a1b9a",
    "dark": "#1d1d1d",
    "positive": "#2e7d32",
    "negative": "#c10015",
    "info": "#0277bd",
    "warning": "#f2c037",
}

#: A badge colour (Quasar palette name) for "needs care" states, white text on it.
CAUTION = "deep-orange-10"

#: Status chips: white text on these Quasar palette colours.
STATUS_COLORS: dict[JourneyStatus, str] = {
    JourneyStatus.SCHEDULED: "blue-grey-8",
    JourneyStatus.MORNING_PREP: "deep-orange-10",
    JourneyStatus.EN_ROUTE: "blue-9",
    JourneyStatus.ONSITE: "deep-purple-6",
    JourneyStatus.COMPLETED: "green-9",
    JourneyStatus.AUDITED: "teal-8",
    JourneyStatus.CANCELLED: "red-9",
}

#: The phase bar's segments (no text on them).
STEP_CLASSES: dict[StepStatus, str] = {
    StepStatus.PENDING: "bg-grey-4",
    StepStatus.IN_PROGRESS: "bg-amber-7",
    StepStatus.COMPLETED: "bg-green-6",
    StepStatus.APPROVED: "bg-teal-8",
}

#: Text colours used on a white page (labels, figures).
TEXT_ON_WHITE = ("grey-7", "grey-8", "grey-9", "green-9", "blue-9", "red-9", "deep-orange-10", "blue-10")

#: Chips: (background, text) palette names.
CHIPS = (("blue-1", "blue-10"), ("orange-1", "deep-orange-10"), ("grey-3", "grey-9"))

#: The Material/Quasar palette values of the names above (for the contrast test and charts).
PALETTE_HEX: dict[str, str] = {
    "white": "#ffffff", "blue-grey-8": "#455a64", "deep-orange-10": "#bf360c", "blue-9": "#1565c0",
    "deep-purple-6": "#673ab7", "green-9": "#2e7d32", "teal-8": "#00796b", "red-9": "#c62828",
    "grey-7": "#757575", "grey-8": "#616161", "grey-9": "#424242", "grey-3": "#eeeeee",
    "blue-1": "#e3f2fd", "blue-10": "#0d47a1", "orange-1": "#fff3e0",
}


#: NiceGUI's links are Tailwind's blue-500 (#3b82f6: 3.67:1 on white): links take the primary blue.
LINK_CSS = f".nicegui-link {{ color: {BRAND['primary']}; }}"


def install_theme() -> None:
    """The brand colours for every page of the app (call once per `build()`)."""
    # Quasar's loading bar (shown while the page fetches) is a progressbar: it needs a name
    app.config.quasar_config.setdefault("loadingBar", {})["aria-label"] = "Loading"
    if LINK_CSS not in Client.shared_head_html:  # build() runs again for every NiceGUI user test
        ui.add_head_html(f"<style>{LINK_CSS}</style>", shared=True)
    app.colors(primary=BRAND["primary"], secondary=BRAND["secondary"], accent=BRAND["accent"],
               dark=BRAND["dark"], positive=BRAND["positive"], negative=BRAND["negative"], info=BRAND["info"],
               warning=BRAND["warning"])
