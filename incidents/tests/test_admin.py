"""The Django admin keeps the incident rules: security visibility in pickers, level 3-4 rule, timeline."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from core.testing.factories import user_with_role
from incidents.models import Incident
from incidents.services.incidents import incident_declare
from incidents.services.postmortems import postmortem_create


def staff_client(role: str, username: str) -> tuple[Client, object]:
    user = user_with_role(role, username=username)
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="incidents"))
    client = Client()
    client.force_login(user)
    return client, user


@pytest.mark.django_db
def test_foreign_key_pickers_do_not_leak_restricted_incidents() -> None:
    boss, admin_user = staff_client("admin", "boss")
    secret = incident_declare(
        actor=admin_user, title="Validator key stolen", severity="P0", kind="security_breach", security_level=4
    )
    postmortem_create(actor=admin_user, incident=secret)
    client, _ = staff_client("commander", "staffer")
    for url in ("/admin/incidents/actionitem/add/", "/admin/incidents/postmortem/add/"):
        response = client.get(url)
        assert response.status_code == 200
        assert b"Validator key stolen" not in response.content, url
    assert b"Validator key stolen" in boss.get("/admin/incidents/actionitem/add/").content


def _form(incident: Incident, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": incident.title,
        "description": incident.description,
        "severity": incident.severity,
        "kind": incident.kind,
        "security_level": incident.security_level or "",
        "networks": "[]",
        "detected_at_0": incident.detected_at.strftime("%Y-%m-%d"),
        "detected_at_1": incident.detected_at.strftime("%H:%M:%S"),
        "timeline-TOTAL_FORMS": "0",
        "timeline-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_admin_edits_keep_the_level_rule_and_reach_the_timeline() -> None:
    incident = incident_declare(
        actor=user_with_role("admin"), title="Port scan", severity="P2", kind="security_breach", security_level=2
    )
    client, _ = staff_client("commander", "staffer")
    url = f"/admin/incidents/incident/{incident.pk}/change/"
    refused = client.post(url, _form(incident, security_level=3))
    assert refused.status_code == 200 and b"security group" in refused.content
    incident.refresh_from_db()
    assert incident.security_level == 2
    seq = incident.timeline_seq
    saved = client.post(url, _form(incident, title="Port scan from 10.0.0.0/8"))
    assert saved.status_code == 302, saved.content[:2000]
    entry = incident.timeline.get(seq=seq + 1)
    assert entry.kind == "change" and entry.text == "title: Port scan → Port scan from 10.0.0.0/8 (in the admin)"
