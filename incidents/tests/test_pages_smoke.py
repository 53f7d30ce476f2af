"""Every page renders for a viewer; forms and commands work for the right roles."""

from __future__ import annotations

import pytest
from django.test import Client

from core.testing.factories import user_with_role
from incidents.models import Incident
from incidents.services.checklists import checklists_create_for_period
from incidents.services.incidents import incident_declare
from incidents.services.postmortems import postmortem_create

pytestmark = pytest.mark.django_db


def _client(role: str) -> tuple[Client, object]:
    user = user_with_role(role)
    client = Client()
    client.force_login(user)
    return client, user


def test_all_pages_render(make_user) -> None:
    from django.utils import timezone

    commander = make_user("commander")
    incident = incident_declare(actor=commander, title="Peers dropping", severity="P1", kind="performance_degradation")
    postmortem = postmortem_create(actor=commander, incident=incident)
    checklists_create_for_period(now=timezone.now())
    client, _ = _client("viewer")
    for url in (
        "/incidents/",
        "/incidents/?severity=P1&status=triggered&kind=performance_degradation&since=2020-01-01&until=2100-01-01&q=Peers",
        f"/incidents/{incident.pk}/",
        "/incidents/postmortems/",
        f"/incidents/postmortems/{postmortem.pk}/",
        "/incidents/action-items/",
        "/incidents/oncall/",
        "/incidents/checklists/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "Performance degradation, partial outage" in client.get(f"/incidents/{incident.pk}/").content.decode()
    detail = client.get("/incidents/checklists/").content.decode()
    assert "Daily Operations" in detail


def test_declare_form_and_commands() -> None:
    client, user = _client("commander")
    response = client.post("/incidents/declare/", {"title": "", "severity": "P0", "kind": "mainnet_down"})
    assert response.status_code == 400
    assert "title is required" in response.content.decode()
    response = client.post("/incidents/declare/", {"title": "No blocks", "severity": "P0", "kind": "mainnet_down"})
    incident = Incident.objects.get(title="No blocks")
    assert response.status_code == 302
    client.post(f"/incidents/{incident.pk}/do/acknowledge/")
    client.post(f"/incidents/{incident.pk}/do/close/")  # illegal: shown as a message, nothing changes
    incident.refresh_from_db()
    assert incident.status == "acknowledged"
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "cannot close this incident: it is acknowledged" in page


def test_viewer_cannot_declare() -> None:
    client, _ = _client("viewer")
    assert client.get("/incidents/declare/").status_code == 403


def test_postmortem_editor_preview_is_sanitised_and_saves() -> None:
    client, user = _client("commander")
    incident = incident_declare(actor=user, title="x", severity="P2")
    postmortem = postmortem_create(actor=user, incident=incident)
    preview = client.post("/incidents/postmortems/preview/", {"body": "**hi** <script>alert(1)</script>"})
    html = preview.content.decode()
    assert preview.status_code == 200 and "<strong>hi</strong>" in html and "<script" not in html
    assert "Required documentation missing" in html
    client.post(f"/incidents/postmortems/{postmortem.pk}/", {"body": "# New body"})
    postmortem.refresh_from_db()
    assert postmortem.body == "# New body"
    export = client.get(f"/incidents/postmortems/{postmortem.pk}/export.md")
    assert export["Content-Disposition"].startswith("attachment;")
