"""Real servers for tests: the ASGI app under uvicorn, and a Celery worker, in threads."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from integrations.devnet_launcher import free_port


@contextmanager
def asgi_server(*, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve dinari_console.asgi on a free port; yields the base URL."""
    from dinari_console.asgi import application

    port = free_port()
    config = uvicorn.Config(
        application, host=host, port=port, log_level="warning", lifespan="off", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
