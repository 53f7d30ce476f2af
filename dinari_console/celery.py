"""The Celery application: workers run actions, polling and timers."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinari_console.settings")

app = Celery("dinari_console")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def register_periodic_tasks(sender: Celery, **_: object) -> None:
    """Every periodic job of the console, in one place."""
    from django.conf import settings

    interval = settings.NODE_POLL_INTERVAL_SECONDS
    sender.add_periodic_task(
        interval,
        sender.signature("monitoring.tasks.poll_nodes", expires=interval),
        name="poll every node",
    )
    sender.add_periodic_task(
        3600.0,
        sender.signature("monitoring.tasks.prune_samples"),
        name="prune old metric samples",
    )
    sender.add_periodic_task(900.0, sender.signature("incidents.tasks.checklists_create_due"), name="ensure checklists")


@worker_ready.connect
def create_due_checklists_now(sender: Any, **_: object) -> None:
    """Don't wait up to 15 minutes for today's checklist after a (re)start; the task is idempotent."""
    from django.conf import settings

    if settings.CHECKLISTS_ON_WORKER_START:
        sender.app.send_task("incidents.tasks.checklists_create_due")
