"""What a crew member does on the phone page, as Playwright steps (shared by the e2e tests)."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

#: Recording a photo or signature re-encodes it on the server; allow for a slow machine.
SAVE_TIMEOUT = 15_000


def camera_jpeg(colour: str = "teal") -> bytes:
    """What a phone camera hands over: a real JPEG."""
    image = Image.new("RGB", (1600, 1200), colour)
    ImageDraw.Draw(image).rectangle((200, 300, 1400, 900), fill="white", outline="black", width=12)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def item_done(page: Page, key: str) -> None:
    expect(page.get_by_test_id(f"item-{key}")).to_have_attribute("data-done", "true", timeout=SAVE_TIMEOUT)


def tick(page: Page, key: str) -> None:
    page.get_by_test_id(f"check-{key}").click()
    expect(page.get_by_test_id(f"check-{key}")).to_have_attribute("aria-checked", "true", timeout=SAVE_TIMEOUT)


def number(page: Page, key: str, value: str) -> None:
    page.get_by_test_id(f"number-{key}").fill(value)
    page.get_by_test_id(f"save-{key}").click()
    item_done(page, key)


def choose(page: Page, key: str, choice: str) -> None:
    page.get_by_test_id(f"choice-{key}-{choice}").click()
    expect(page.get_by_test_id(f"choice-{key}-{choice}")).to_have_attribute("aria-pressed", "true")


def now(page: Page, key: str) -> None:
    page.get_by_test_id(f"now-{key}").click()
    item_done(page, key)


def photo(page: Page, key: str, colour: str = "teal") -> None:
    page.locator(f"[data-testid='upload-{key}'] input[type=file]").set_input_files(
        files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": camera_jpeg(colour)}])
    item_done(page, key)


def accept_consent(page: Page, key: str, signer: str) -> None:
    """The customer reads the consent to sign electronically, types their full name and accepts:
    only then does the pad show."""
    expect(page.get_by_test_id(f"consent-{key}")).to_be_visible(timeout=SAVE_TIMEOUT)
    expect(page.get_by_test_id(f"pad-{key}")).to_have_count(0)
    page.get_by_test_id(f"consent-name-{key}").fill(signer)
    page.get_by_test_id(f"consent-accept-{key}").click()
    expect(page.get_by_test_id(f"signer-{key}")).to_have_text(f"Signing: {signer}", timeout=SAVE_TIMEOUT)


def sign(page: Page, key: str, signer: str, strokes: int = 3) -> None:
    """The customer accepts the consent, signs on the pad with a finger (here: the mouse) and the
    crew saves it. (Identical drawings on one journey are stored once: vary `strokes` to get
    distinct files.)"""
    accept_consent(page, key, signer)
    draw_on(page, f"pad-{key}", strokes)
    page.get_by_test_id(f"sign-{key}").click()
    item_done(page, key)


def draw_on(page: Page, pad_test_id: str, strokes: int = 3) -> None:
    """Zigzag strokes across a signature pad, as a finger would (here: the mouse)."""
    pad = page.get_by_test_id(pad_test_id)
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    left, base = box["x"] + 20, box["y"] + box["height"] * 0.7
    for stroke in range(strokes):
        page.mouse.move(left + stroke * 100, base)
        page.mouse.down()
        for step in range(1, 16):
            page.mouse.move(left + stroke * 100 + step * 6, base - (step % 5) * 18, steps=2)
        page.mouse.up()


def complete(page: Page, next_title: str) -> None:
    expect(page.get_by_test_id("missing")).to_be_hidden()
    page.get_by_test_id("complete-phase").click()
    expect(page.get_by_test_id("phase-title")).to_have_text(next_title, timeout=SAVE_TIMEOUT)


def image_loaded(page: Page, test_id: str) -> None:
    """The thumbnail really came through the scoped media route (the browser decoded it)."""
    image = page.get_by_test_id(test_id).locator("img").first
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle(),
                           timeout=SAVE_TIMEOUT)


def deliver_every_item(page: Page) -> None:
    """Check every line of the journey's inventory as delivered (an inventory imported from
    SmartMoving at pickup makes the delivery wait for its checks)."""
    expect(page.get_by_test_id("inventory-panel")).to_contain_text("Inventory ·", timeout=SAVE_TIMEOUT)
    names = page.locator("[data-testid^='inventory-delivered-']").evaluate_all(
        "buttons => buttons.map(b => b.dataset.testid)")
    for name in names:
        line_id = name.rsplit("-", 1)[1]
        checked = page.get_by_test_id(f"inventory-check-{line_id}")
        page.get_by_test_id(name).click()
        try:
            expect(checked).to_have_text("Delivered", timeout=SAVE_TIMEOUT)
        except AssertionError:  # the tap fell on a panel being redrawn (seen once in CI): tap again, as a crew would
            page.get_by_test_id(name).click()
            expect(checked).to_have_text("Delivered", timeout=SAVE_TIMEOUT)
