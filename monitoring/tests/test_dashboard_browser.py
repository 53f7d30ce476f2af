"""A person logs in and watches a devnet node's height rise, without reloading."""

from __future__ import annotations

import time

import pytest

from monitoring.services import node_register_or_update

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_dashboard_height_rises_live(login_page, celery_worker_thread, devnet, make_user) -> None:
    from monitoring.tasks import poll_nodes

    node = devnet("devnet-1", block_interval=0.3)
    registered = node_register_or_update(name="devnet-1", rpc_url=node.rpc_url, metrics_url=node.metrics_url)
    poll_nodes.delay()

    page = login_page(make_user("viewer"))
    page.goto("/")
    page.wait_for_selector("#live-status[data-state=live]")
    page.evaluate("window.__sameDocument = true")
    height_cell = page.locator(f'tr[data-node-id="{registered.pk}"] [data-field="height"]')

    def shown_height() -> int | None:
        text = height_cell.inner_text().strip()
        return int(text) if text.isdigit() else None

    deadline = time.monotonic() + 30
    first = None
    while time.monotonic() < deadline:
        poll_nodes.delay()  # what beat does every few seconds
        page.wait_for_timeout(700)
        current = shown_height()
        if first is None:
            first = current
        elif current is not None and current > first:
            break
    else:
        pytest.fail(f"height never rose on the page (first seen: {first})")
    assert page.evaluate("window.__sameDocument") is True  # no reload happened
    assert page.locator(f'tr[data-node-id="{registered.pk}"] [data-field="status"]').inner_text() == "up"
    assert page.locator("#height-plot polyline[data-series='devnet-1']").count() == 1
