"""The palette meets WCAG 2.1 AA: 4.5:1 for every text colour on the background it is used on."""

from __future__ import annotations

import pytest

from components.theme import BRAND, CHIPS, PALETTE_HEX, STATUS_COLORS, TEXT_ON_WHITE

AA = 4.5


def _luminance(hex_colour: str) -> float:
    value = hex_colour.lstrip("#")
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_contrast_formula_matches_the_issues_figures() -> None:
    """NiceGUI's default primary and the old Morning prep chip, as measured in the issue."""
    assert round(contrast("#ffffff", "#5898d4"), 2) == 3.06
    assert round(contrast("#ffffff", "#ff8f00"), 2) == 2.29
    assert round(contrast("#ffffff", "#21ba45"), 2) == 2.57


@pytest.mark.parametrize("name", ["primary", "secondary", "accent", "positive", "negative", "info"])
def test_white_text_on_brand_colours(name: str) -> None:
    assert contrast("#ffffff", BRAND[name]) >= AA, name


def test_dark_text_on_warning() -> None:
    assert contrast(BRAND["dark"], BRAND["warning"]) >= AA


@pytest.mark.parametrize("status", list(STATUS_COLORS))
def test_white_text_on_every_status_chip(status: object) -> None:
    assert contrast("#ffffff", PALETTE_HEX[STATUS_COLORS[status]]) >= AA  # type: ignore[index]


@pytest.mark.parametrize("name", TEXT_ON_WHITE)
def test_text_colours_on_white(name: str) -> None:
    assert contrast(PALETTE_HEX[name], "#ffffff") >= AA


@pytest.mark.parametrize(("background", "text"), CHIPS)
def test_chip_colours(background: str, text: str) -> None:
    assert contrast(PALETTE_HEX[text], PALETTE_HEX[background]) >= AA
