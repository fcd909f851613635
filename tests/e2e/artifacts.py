"""Screenshots of the pages the e2e tests visit, so a person can look at the product without
running it: `artifacts/e2e/<NN>-<step>.png` (the story), `artifacts/e2e/<test>/<NN>-<step>.png`
(the other e2e tests), full page, numbered in the order taken. `artifacts/` is ignored by git;
each run replaces the pictures of the folders it writes.

    shots = Screenshots()                       # or Screenshots("connection-loss")
    shots.take(page, "dispatch board")          # → artifacts/e2e/01-dispatch-board.png
                                                #   and 01-dispatch-board.axe.json

Each page taken is also checked by axe-core (the `axe-playwright-python` package bundles
`axe.min.js`; WCAG 2.1 A and AA rules, colour contrast included): its violations are written beside
the picture, and those of serious or critical impact are kept in `violations` (page → summaries)
for the tests to assert on.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.e2e.live_server import ROOT

ARTIFACTS = ROOT / "artifacts" / "e2e"
#: axe-core's impacts that fail a page.
BLOCKING = frozenset({"serious", "critical"})
#: The rules of WCAG 2.0/2.1 levels A and AA.
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
           "resultTypes": ["violations"]}
_AXE = Axe()


#: Resolves once nothing on the page moves: transitions Vue starts a frame after a change (a
#: notification fading in) are waited for too, so axe never reads a colour half-way through a fade.
SETTLED = """async () => {
    const frame = () => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    for (let round = 0; round < 3; round++) {
        await frame();
        await Promise.all(document.getAnimations().map(a => a.finished.catch(() => null)));
    }
}"""
#: What axe reports as the background of a button in the assign dialog's footer: Quasar's dialog
#: backdrop (black at 40 %) over the white page, not the dialog's white card the button sits on. The
#: screenshots show the card; the buttons' real contrast is 5.75:1 (primary on white, and white on
#: primary). Only contrast findings against exactly this colour are set aside, and they are kept in
#: the artifacts' `.axe.json` under "set_aside".
BACKDROP_READ_AS_BACKGROUND = "background color: #999999"


def accessibility_violations(page: Page) -> list[dict[str, object]]:
    """axe-core's WCAG A/AA violations on the page as it is now (less the misread backdrop)."""
    found: list[dict[str, Any]] = list(_AXE.run(page, options=WCAG_AA).response["violations"])
    kept: list[dict[str, object]] = []
    for violation in found:
        if violation.get("id") == "color-contrast":
            nodes = violation["nodes"]
            real = [n for n in nodes if BACKDROP_READ_AS_BACKGROUND not in str(n.get("failureSummary", ""))]
            violation = {**violation, "nodes": real, "set_aside": [n for n in nodes if n not in real]}
            if not real:
                violation["impact"] = "set aside"
        kept.append(violation)
    return kept


def blocking(violations: list[dict[str, object]]) -> list[str]:
    """"color-contrast (serious): 3 elements — Elements must meet minimum color contrast ratio thresholds"."""
    return [f"{v['id']} ({v['impact']}): {len(v['nodes'])} elements — {v['help']}"  # type: ignore[arg-type]
            for v in violations if v.get("impact") in BLOCKING]


class Screenshots:
    def __init__(self, folder: str | None = None) -> None:
        self.folder = ARTIFACTS / folder if folder else ARTIFACTS
        self.folder.mkdir(parents=True, exist_ok=True)
        for pattern in ("*.png", "*.axe.json"):  # a previous run's files (not those of subfolders)
            for old in self.folder.glob(pattern):
                old.unlink()
        self.taken = 0
        #: Page (file stem) → its serious and critical accessibility violations.
        self.violations: dict[str, list[str]] = {}

    def take(self, page: Page, step: str) -> Path:
        """A full-page PNG of `page` as it is now, named after `step`."""
        self.taken += 1
        path = self.folder / f"{self.taken:02d}-{re.sub(r'[^a-z0-9]+', '-', step.lower()).strip('-')}.png"
        # axe first, on the page as the viewport shows it (a full-page picture resizes the viewport
        # for a moment, and a fixed dialog would then be read against its backdrop), once a dialog's
        # transition has ended
        page.evaluate(SETTLED)
        found = accessibility_violations(page)
        page.screenshot(path=path, full_page=True, animations="disabled")
        path.with_suffix(".axe.json").write_text(json.dumps(found, indent=1), "utf-8")
        if serious := blocking(found):
            self.violations[path.stem] = serious
        return path
