"""Email through a real SMTP server and a signed webhook to a real HTTP receiver, both on loopback."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

import pytest
from aiosmtpd.controller import Controller

from core.testing.factories import user_with_role
from incidents import tasks
from incidents.models import TimelineEntry
from incidents.services.incidents import incident_declare
from incidents.services.notifications import email_deliver, webhook_backoff
from incidents.tests.receivers import Receiver
from integrations.devnet_launcher import free_port

pytestmark = pytest.mark.django_db

SECRET = "s3cret-webhook-key"  # noqa: S105


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    yield inbox
    controller.stop()


@pytest.fixture
def receiver_factory(settings):
    from dinari_console.celery import app

    # Eager mode re-runs a retried task in place; propagating would surface the Retry as an error.
    propagates = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    made: list[Receiver] = []

    def make(script: list[int] | None = None) -> Receiver:
        receiver = Receiver(script or [])
        settings.INCIDENT_WEBHOOK_URL = receiver.url
        settings.INCIDENT_WEBHOOK_SECRET = SECRET
        settings.INCIDENT_WEBHOOK_BACKOFF_SECONDS = 0.01
        settings.INCIDENT_WEBHOOK_MAX_RETRIES = 3
        made.append(receiver)
        return receiver

    yield make
    for receiver in made:
        receiver.close()
    app.conf.task_eager_propagates = propagates


def _notifications(incident_id: int, channel: str) -> list[TimelineEntry]:
    return list(TimelineEntry.objects.filter(incident_id=incident_id, kind="notification", data__channel=channel))


def test_email_reaches_a_real_smtp_server(smtp_server) -> None:
    incident = incident_declare(actor=user_with_role("responder"), title="down", severity="P3")
    assert email_deliver(incident_id=incident.pk, to="pam@dinari.test", subject="[P3] Page", body="hello")
    (sender, recipients, content) = smtp_server.messages[0]
    assert recipients == ["pam@dinari.test"]
    assert b"Subject: [P3] Page" in content
    [entry] = _notifications(incident.pk, "email")
    assert entry.text == "Email to pam@dinari.test sent" and entry.data["ok"] is True


def test_email_failure_is_recorded_not_raised(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    incident = incident_declare(actor=user_with_role("responder"), title="down", severity="P3")
    assert email_deliver(incident_id=incident.pk, to="pam@dinari.test", subject="s", body="b") is False
    [entry] = _notifications(incident.pk, "email")
    assert entry.text.startswith("Email to pam@dinari.test failed") and entry.data["ok"] is False


def test_webhook_is_slack_json_and_signed(receiver_factory, on_commit, caplog) -> None:
    receiver = receiver_factory()
    caplog.set_level(logging.DEBUG)
    with on_commit():
        incident = incident_declare(actor=user_with_role("responder"), title="Peers low", severity="P3")
    [(headers, body)] = receiver.requests
    assert json.loads(body) == {"text": f"Declared: #{incident.pk} [P3] Peers low (triggered)"}
    timestamp = headers["x-dinari-timestamp"]
    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers["x-dinari-signature"] == f"sha256={expected}"
    [entry] = _notifications(incident.pk, "webhook")
    assert entry.text == "Webhook attempt 1: delivered"
    # The secret never reaches the logs or the timeline.
    assert SECRET not in caplog.text
    assert all(SECRET not in json.dumps(e.data) + e.text for e in TimelineEntry.objects.all())


def test_failing_webhook_is_retried_with_backoff_then_delivered(receiver_factory) -> None:
    receiver = receiver_factory([500, 503])
    incident = incident_declare(actor=user_with_role("responder"), title="x", severity="P3")
    assert tasks.send_incident_webhook.apply(args=(incident.pk, "hello")).get() is True
    assert len(receiver.requests) == 3
    assert [e.text for e in _notifications(incident.pk, "webhook")] == [
        "Webhook attempt 1: failed (HTTP 500); will retry",
        "Webhook attempt 2: failed (HTTP 503); will retry",
        "Webhook attempt 3: delivered",
    ]


def test_webhook_gives_up_after_the_bounded_retries(receiver_factory) -> None:
    receiver = receiver_factory([500] * 10)
    incident = incident_declare(actor=user_with_role("responder"), title="x", severity="P3")
    assert tasks.send_incident_webhook.apply(args=(incident.pk, "hello")).get() is False
    assert len(receiver.requests) == 4  # 1 + INCIDENT_WEBHOOK_MAX_RETRIES
    assert _notifications(incident.pk, "webhook")[-1].text.endswith("giving up")


def test_backoff_is_exponential_and_capped(settings) -> None:
    settings.INCIDENT_WEBHOOK_BACKOFF_SECONDS = 30
    assert [webhook_backoff(n) for n in range(4)] == [30, 60, 120, 240]
    assert webhook_backoff(20) == 900


def test_an_unreachable_webhook_never_blocks_the_incident(receiver_factory, django_capture_on_commit_callbacks) -> None:
    receiver = receiver_factory()
    receiver.close()  # nobody listens any more
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        incident = incident_declare(actor=user_with_role("responder"), title="x", severity="P3")
    # Nothing was sent inside the transaction; delivery is a task queued after commit.
    assert incident.pk and callbacks
    assert _notifications(incident.pk, "webhook") == []


def test_email_to_a_dead_mail_server_is_retried_then_given_up(settings) -> None:
    from dinari_console.celery import app
    from incidents.tasks import send_incident_email

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.INCIDENT_EMAIL_MAX_RETRIES = 2
    incident = incident_declare(actor=user_with_role("responder"), title="down", severity="P3")
    propagates = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False  # eager mode runs each retry in place
    try:
        send_incident_email.delay(incident.pk, "pam@dinari.test", "s", "b")
    finally:
        app.conf.task_eager_propagates = propagates
    texts = [entry.text for entry in _notifications(incident.pk, "email")]
    assert len(texts) == 3
    assert all("failed (attempt" in text for text in texts)
    assert texts[0].endswith("will retry") and texts[-1].endswith("gave up")
