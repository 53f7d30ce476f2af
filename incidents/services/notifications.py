"""Email and webhook notifications; every attempt and its outcome goes to the timeline.

Deliveries run in Celery tasks queued after commit, so a slow or failing
receiver never holds up the incident's transaction. The webhook secret is
read from settings and never logged or written to the timeline.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import smtplib
import time
from datetime import datetime
from typing import Any

import httpx
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from incidents.models import Incident, TimelineKind
from incidents.services.timeline import timeline_add

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Dinari-Signature"
TIMESTAMP_HEADER = "X-Dinari-Timestamp"


def summary(incident: Incident) -> str:
    """One line about the incident; level 3-4 security incidents reveal no details outside the console."""
    if incident.is_restricted:
        return f"#{incident.pk} [{incident.severity}] restricted security incident (details in the console)"
    return f"#{incident.pk} [{incident.severity}] {incident.title} ({incident.status})"


def page(*, incident: Incident, step_label: str, role: str, recipients: list[str], now: datetime) -> None:
    """Record the page on the timeline and queue one email per recipient plus the webhook."""
    timeline_add(
        incident=incident,
        kind=TimelineKind.ESCALATION,
        text=f"Paging {step_label}: {', '.join(recipients) if recipients else 'nobody configured'}",
        data={"step": step_label, "role": role, "recipients": recipients},
        at=now,
    )
    subject = f"[{incident.severity}] Page ({step_label}): {summary(incident)}"
    body = (
        f"{summary(incident)}\n\nYou are paged as {step_label}. Acknowledge the incident in the Dinari Ops Console "
        f"to stop the escalation.\n\nIncident: /incidents/{incident.pk}/\n"
    )
    from incidents.tasks import send_incident_email

    incident_id = incident.pk
    for address in recipients:
        transaction.on_commit(
            lambda address=address: send_incident_email.delay(incident_id, address, subject, body)  # type: ignore[misc]
        )
    webhook_queue(incident=incident, text=f"Paging {step_label}: {summary(incident)}")


def webhook_queue(*, incident: Incident, text: str) -> None:
    if not settings.INCIDENT_WEBHOOK_URL:
        return
    from incidents.tasks import send_incident_webhook

    incident_id = incident.pk
    transaction.on_commit(lambda: send_incident_webhook.delay(incident_id, text))


def email_deliver(*, incident_id: int, to: str, subject: str, body: str, attempt: int = 1, final: bool = True) -> bool:
    """Send one email; the outcome (and whether another attempt follows) goes to the timeline."""
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("email to %s for incident %s failed (attempt %s): %s", to, incident_id, attempt, exc)
        outcome = "gave up" if final else "will retry"
        timeline_add(
            incident=incident_id,
            kind=TimelineKind.NOTIFICATION,
            text=f"Email to {to} failed (attempt {attempt}): {type(exc).__name__}: {exc}; {outcome}",
            data={"channel": "email", "to": to, "ok": False, "attempt": attempt, "error": str(exc)[:300]},
        )
        return False
    timeline_add(
        incident=incident_id,
        kind=TimelineKind.NOTIFICATION,
        text=f"Email to {to} sent",
        data={"channel": "email", "to": to, "ok": True},
    )
    return True


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256 over ``<timestamp>.<body>``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def webhook_backoff(retries: int) -> float:
    """Seconds before retry number ``retries + 1``: base, 2x base, 4x base ... capped at 15 min."""
    return float(min(settings.INCIDENT_WEBHOOK_BACKOFF_SECONDS * (2**retries), 900))


def webhook_deliver(*, incident_id: int, text: str, attempt: int, final: bool) -> bool:
    """POST the Slack-compatible JSON once; the outcome goes to the timeline."""
    url = settings.INCIDENT_WEBHOOK_URL
    body = json.dumps({"text": text}).encode()
    timestamp = str(int(time.time()))
    headers: dict[str, Any] = {"Content-Type": "application/json", TIMESTAMP_HEADER: timestamp}
    if settings.INCIDENT_WEBHOOK_SECRET:
        headers[SIGNATURE_HEADER] = webhook_signature(settings.INCIDENT_WEBHOOK_SECRET, timestamp, body)
    error = ""
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=settings.INCIDENT_WEBHOOK_TIMEOUT_SECONDS)
        ok = 200 <= response.status_code < 300
        if not ok:
            error = f"HTTP {response.status_code}"
    except httpx.HTTPError as exc:
        ok = False
        error = type(exc).__name__
    outcome = "delivered" if ok else f"failed ({error})" + ("; giving up" if final else "; will retry")
    timeline_add(
        incident=incident_id,
        kind=TimelineKind.NOTIFICATION,
        text=f"Webhook attempt {attempt}: {outcome}",
        data={"channel": "webhook", "attempt": attempt, "ok": ok, "error": error},
    )
    if not ok:
        logger.warning("webhook for incident %s attempt %s failed: %s", incident_id, attempt, error)
    return ok
