"""Two people watch one incident page; one adds a note; the other sees it without reloading."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from core.testing.factories import PASSWORD, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def allow_sync_orm():
    # Playwright's sync API runs an event loop in this thread; the ORM calls here are plain sync code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _login(browser, base_url: str, username: str):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return context, page


def test_note_from_one_user_appears_live_for_the_other(allow_sync_orm, browser, asgi_live_server) -> None:
    from incidents.services.incidents import incident_declare

    def setup():
        alice = user_with_role("responder", username="alice")
        user_with_role("viewer", username="bob")
        user_with_role("commander", username="carol")
        return incident_declare(actor=alice, title="Mainnet stalled", severity="P1", kind="mainnet_down")

    # Outside Playwright's event loop: the service broadcasts through async_to_sync after commit.
    with ThreadPoolExecutor(1) as pool:
        incident = pool.submit(setup).result()

    contexts = []
    try:
        ctx_a, page_a = _login(browser, asgi_live_server, "alice")
        ctx_b, page_b = _login(browser, asgi_live_server, "bob")
        contexts = [ctx_a, ctx_b]
        url = f"{asgi_live_server}/incidents/{incident.pk}/"
        for page in (page_a, page_b):
            page.goto(url)
            page.wait_for_selector("#live-status[data-state=live]", timeout=10_000)

        page_a.fill("#note-text", "Restarting node-3 <b>now</b>")
        page_a.click("#note-submit")

        entry_b = page_b.locator("#timeline li.entry-note .text", has_text="Restarting node-3")
        entry_b.wait_for(timeout=10_000)
        assert entry_b.inner_text() == "Restarting node-3 <b>now</b>"  # shown as text, never as markup
        assert page_b.locator("#timeline li.entry-note b").count() == 0
        page_a.locator("#timeline li.entry-note .text", has_text="Restarting node-3").wait_for(timeout=10_000)
        assert page_a.locator("#timeline li.entry-note").count() == 1

        # A commander acknowledges and raises the severity elsewhere: B's header follows live.
        from django.contrib.auth import get_user_model

        from incidents.services.incidents import incident_transition, incident_update

        def escalate() -> None:
            carol = get_user_model().objects.get(username="carol")
            current = incident_transition(actor=carol, incident=incident, command="acknowledge")
            incident_update(actor=carol, incident=current, data={"severity": "P0"})

        with ThreadPoolExecutor(1) as pool:
            pool.submit(escalate).result()
        page_b.locator("#incident-status", has_text="acknowledged").wait_for(timeout=10_000)
        page_b.locator("#incident-severity", has_text="P0 (Critical)").wait_for(timeout=10_000)
        assert page_b.locator("#incident-severity-meaning").inner_text() == "Mainnet down, data loss, security breach"
        # B did not reload: everything arrived over the WebSocket.
        assert page_b.evaluate("performance.getEntriesByType('navigation').length") == 1
    finally:
        for context in contexts:
            context.close()
