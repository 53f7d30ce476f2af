from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from core.locks import single_flight
from monitoring import services

logger = logging.getLogger(__name__)


@shared_task(name="monitoring.tasks.poll_nodes", ignore_result=True)
def poll_nodes() -> int:
    # Beat fires every interval; a slow round must not overlap the next one.
    with single_flight("poll_nodes", ttl_seconds=settings.NODE_POLL_TIMEOUT_SECONDS * 3) as mine:
        if not mine:
            logger.info("poll_nodes: previous round still running, skipped")
            return 0
        return len(services.nodes_poll())


@shared_task(name="monitoring.tasks.prune_samples", ignore_result=True)
def prune_samples() -> int:
    return services.samples_prune()
