"""Celery tasks of the incidents app: thin, they load by id and call a service."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings
from django.utils import timezone


@shared_task(bind=True, name="incidents.tasks.escalation_fire")
def escalation_fire(self: Any, incident_id: int) -> str:
    """One escalation step; exits when the incident no longer names this task id."""
    from incidents.services.escalation import escalation_fire as fire

    return fire(incident_id=incident_id, task_id=self.request.id, now=timezone.now())


@shared_task(bind=True, name="incidents.tasks.send_incident_email", max_retries=10)
def send_incident_email(self: Any, incident_id: int, to: str, subject: str, body: str) -> bool:
    """Deliver; a mail server that refuses or is down is retried with the webhook's backoff."""
    from incidents.services.notifications import email_deliver, webhook_backoff

    retries = int(self.request.retries or 0)
    limit = int(settings.INCIDENT_EMAIL_MAX_RETRIES)
    ok = email_deliver(
        incident_id=incident_id, to=to, subject=subject, body=body, attempt=retries + 1, final=retries >= limit
    )
    if not ok and retries < limit:
        raise self.retry(countdown=webhook_backoff(retries), max_retries=limit)
    return ok


@shared_task(bind=True, name="incidents.tasks.send_incident_webhook", max_retries=10)
def send_incident_webhook(self: Any, incident_id: int, text: str) -> bool:
    """Deliver; on failure retry with exponential backoff, at most INCIDENT_WEBHOOK_MAX_RETRIES times."""
    from incidents.services.notifications import webhook_backoff, webhook_deliver

    retries = int(self.request.retries or 0)
    limit = int(settings.INCIDENT_WEBHOOK_MAX_RETRIES)
    ok = webhook_deliver(incident_id=incident_id, text=text, attempt=retries + 1, final=retries >= limit)
    if not ok and retries < limit:
        raise self.retry(countdown=webhook_backoff(retries), max_retries=limit)
    return ok


@shared_task(name="incidents.tasks.checklists_create_due")
def checklists_create_due() -> int:
    """Beat: make sure the current period's checklist instances exist (idempotent)."""
    from incidents.services.checklists import checklists_create_for_period

    return len(checklists_create_for_period(now=timezone.now()))
