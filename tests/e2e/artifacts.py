"""Screenshots of the pages the e2e tests visit, so a person can look at the product without
running it: `artifacts/e2e/<NN>-<step>.png` (the story), `artifacts/e2e/<test>/<NN>-<step>.png`
(the other e2e tests), full page, numbered in the order taken. `artifacts/` is ignored by git;
each run replaces the pictures of the folders it writes.

    shots = Screenshots()                       # or Screenshots("connection-loss")
    shots.take(page, "dispatch board")          # → artifacts/e2e/01-dispatch-board.png
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page

from tests.e2e.live_server import ROOT

ARTIFACTS = ROOT / "artifacts" / "e2e"


class Screenshots:
    def __init__(self, folder: str | None = None) -> None:
        self.folder = ARTIFACTS / folder if folder else ARTIFACTS
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):  # a previous run's pictures (not those of subfolders)
            old.unlink()
        self.taken = 0

    def take(self, page: Page, step: str) -> Path:
        """A full-page PNG of `page` as it is now, named after `step`."""
        self.taken += 1
        path = self.folder / f"{self.taken:02d}-{re.sub(r'[^a-z0-9]+', '-', step.lower()).strip('-')}.png"
        page.screenshot(path=path, full_page=True, animations="disabled")
        return path
