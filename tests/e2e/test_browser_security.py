"""The security headers in real Chromium: the pages work under the Content-Security-Policy (no
violation while signing in, on the board, on the phone page), refuse to be framed by another
site, and a session cookie obtained before sign-in does not come out signed in."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ServedApp
from tests.e2e.live_server import signed_in_page

pytestmark = [pytest.mark.e2e, pytest.mark.postgres_only]

#: Records every CSP violation of the page (and of its frames) in `window.__csp`.
WATCH_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""


def _violations(page: Page) -> list[str]:
    return list(page.evaluate("window.__csp"))


def test_the_pages_work_under_the_policy_and_cannot_be_framed(chromium: Browser, shared_app: ServedApp) -> None:
    app = shared_app
    context = chromium.new_context(base_url=app.base_url)
    context.add_init_script(WATCH_VIOLATIONS)
    console: list[str] = []
    page = context.new_page()
    page.on("console", lambda message: console.append(message.text))
    planted = httpx.get(f"{app.base_url}/login").cookies["session"]  # an anonymous session, fetched elsewhere
    context.add_cookies([{"name": "session", "value": planted, "url": app.base_url}])
    page.goto("/login")
    page.get_by_test_id("email").fill("dispatcher@demo.ccrm")
    page.get_by_test_id("password").fill("Demo-Pass-2026")
    page.get_by_test_id("sign-in").click()
    page.wait_for_url("**/board**")
    expect(page.get_by_test_id("page-title")).to_have_text("Dispatch board")
    page.get_by_test_id("new-journey").click()  # a dialog: Vue renders and binds it in the browser
    expect(page.get_by_role("dialog")).to_be_visible()
    assert _violations(page) == [] and not [m for m in console if "Content Security Policy" in m]
    assert httpx.get(f"{app.base_url}/api/auth/me", cookies={"session": planted}).status_code == 401

    phone = signed_in_page(chromium, app.base_url, "driver@demo.ccrm")
    phone.add_init_script(WATCH_VIOLATIONS)
    phone.reload()
    expect(phone.get_by_text("My journeys")).to_be_visible()
    assert _violations(phone) == []

    framing = context.new_page()
    framing.set_content(f'<iframe id="f" src="{app.base_url}/login"></iframe>')  # returns once the frame is done
    frame = framing.frame_locator("#f")
    expect(frame.get_by_test_id("email")).to_have_count(0)
