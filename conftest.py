"""Fixtures every app's tests share: users by role, API clients, real servers."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def require_part(available: bool, what: str, how: str) -> None:
    """Skip locally when a real part is missing; in CI a missing part is a failure."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but missing: {how}")
    pytest.skip(f"{what} not available; {how}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run browser tests last: Playwright's sync API leaves an event loop running in
    the main thread for the session, which async tests collected after it cannot share."""
    items.sort(key=lambda item: "browser" in getattr(item, "fixturenames", ()))


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    from core.testing.factories import user_with_role

    return user_with_role


@pytest.fixture
def api_client_for(db: Any) -> Callable[[str | None], Any]:
    # Imported here so that devnet's tests can run with the Django plugin off.
    from rest_framework.test import APIClient

    from core.testing.factories import user_with_role

    def build(role: str | None) -> APIClient:
        client = APIClient()
        client.force_authenticate(user_with_role(role))
        return client

    return build


@pytest.fixture
def real_channel_layer(settings: Any) -> Iterator[None]:
    """Swap the in-memory layer for Redis, as in production."""
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = settings.REAL_CHANNEL_LAYERS
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def celery_worker_thread(transactional_db: Any, real_channel_layer: None) -> Iterator[Any]:
    """A real Celery worker consuming from real Redis, tasks no longer eager."""
    from celery.contrib.testing.worker import start_worker

    from dinari_console.celery import app

    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=20) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = True


@pytest.fixture
def asgi_live_server(transactional_db: Any, real_channel_layer: None) -> Iterator[str]:
    from core.testing.servers import asgi_server

    with asgi_server() as url:
        yield url


@pytest.fixture
def devnet(tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """Start real devnet nodes; all are stopped at the end of the test."""
    from integrations.devnet_launcher import start_devnet_node

    started: list[Any] = []

    def start(name: str = "node-1", **kwargs: Any) -> Any:
        kwargs.setdefault("block_interval", 0.3)
        node = start_devnet_node(name=name, datadir=tmp_path / name, **kwargs)
        started.append(node)
        return node

    yield start
    for node in started:
        node.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require_part(
        shutil.which(CHROMIUM) is not None or Path(CHROMIUM).exists(),
        "Chromium",
        "install it with `apt-get install -y chromium` (or set CHROMIUM_PATH) to run the browser tests",
    )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the ORM
    # calls the tests make beside it are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def login_page(browser: Any, asgi_live_server: str) -> Iterator[Callable[[Any], Any]]:
    """A new browser page logged in as ``user`` through the real login form."""
    from core.testing.factories import PASSWORD

    contexts: list[Any] = []

    def login(user: Any) -> Any:
        context = browser.new_context(base_url=asgi_live_server)
        contexts.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    yield login
    for context in contexts:
        context.close()
