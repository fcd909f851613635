"""The customer's tracking page in Chromium, on a phone (390×844): read by axe-core (WCAG 2.1 AA)
while the move is under way and once it is done with its documents, which download as issued.
(The link is written straight into the served app's database, as On my way would have: the tap
and the e-mail are tested in tests/customer.)"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import create_engine, text

from db.session import sync_url
from tests.e2e.artifacts import Screenshots
from tests.e2e.conftest import PHONE, ServedApp

pytestmark = [pytest.mark.e2e, pytest.mark.postgres_only]
PDF = b"%PDF-1.7\n% a completion report\n%%EOF\n"


def _link(database_url: str, status: str) -> tuple[str, int, int | None]:
    """A tracking link to a demo journey of `status` (its token, the journey, and a document of it
    when the move is done)."""
    token = secrets.token_urlsafe(32)
    engine = create_engine(sync_url(database_url))
    try:
        with engine.begin() as conn:
            journey_id, company_id = conn.execute(text(
                "SELECT id, company_id FROM journeys WHERE status = :s AND truck_id IS NOT NULL "
                "AND EXISTS (SELECT 1 FROM crew_assignments c WHERE c.journey_id = journeys.id) "
                "ORDER BY id LIMIT 1"), {"s": status}).one()
            now = datetime.now(UTC)
            conn.execute(text(
                "INSERT INTO customer_links (company_id, journey_id, token_sha256, sent_to, created_at, expires_at) "
                "VALUES (:c, :j, :h, 'customer@example.test', :now, :until)"),
                {"c": company_id, "j": journey_id, "h": hashlib.sha256(token.encode()).hexdigest(), "now": now,
                 "until": now + timedelta(days=2)})
            document = None
            if status == "COMPLETED":
                document = conn.execute(text(
                    "INSERT INTO move_documents (company_id, journey_id, kind, version, filename, content_type, "
                    "size_bytes, sha256, content, issued_at) VALUES (:c, :j, 'COMPLETION_REPORT', 1, "
                    "'completion-report.pdf', 'application/pdf', :n, :h, :b, :now) RETURNING id"),
                    {"c": company_id, "j": journey_id, "n": len(PDF), "h": hashlib.sha256(PDF).hexdigest(),
                     "b": PDF, "now": now}).scalar_one()
            return token, int(journey_id), document
    finally:
        engine.dispose()


def test_the_tracking_page_reads_well_on_a_phone(chromium: Browser, shared_app: ServedApp) -> None:
    shots = Screenshots("customer-tracking")
    app = shared_app
    under_way, _journey, _ = _link(app.database_url, "SCHEDULED")
    done, _journey, document = _link(app.database_url, "COMPLETED")
    context = chromium.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{app.base_url}/track/{under_way}")
    expect(page.get_by_test_id("stage-headline")).to_be_visible()
    expect(page.get_by_test_id("crew")).not_to_be_empty()
    shots.take(page, "tracking under way")
    page.goto(f"{app.base_url}/track/{done}")
    expect(page.get_by_test_id("stage-headline")).to_have_text("Done")
    button = page.get_by_test_id(f"document-{document}")
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box is not None and box["height"] >= 48
    shots.take(page, "tracking done")
    with page.expect_download() as download:
        button.click()
    path = download.value.path()
    assert path is not None and path.read_bytes() == PDF
    gone = page.goto(f"{app.base_url}/track/{'z' * 43}")
    assert gone is not None and gone.status == 404
    shots.take(page, "tracking unknown link")
    context.close()
    assert shots.violations == {}
