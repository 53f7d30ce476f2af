"""The Celery application: workers run actions, polling and timers."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinari_console.settings")

app = Celery("dinari_console")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def register_periodic_tasks(sender: Celery, **_: object) -> None:
    """Beat schedules live next to the code they run (one place per app)."""
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
