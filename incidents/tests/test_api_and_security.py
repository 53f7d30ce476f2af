"""API error shapes, role enforcement, and level 3-4 security visibility everywhere."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from core.testing.factories import user_with_role
from incidents.models import Incident, TimelineEntry
from incidents.services.incidents import incident_declare
from incidents.services.postmortems import postmortem_create
from incidents.services.timeline import incident_note_add


@pytest.mark.django_db
class TestApi:
    def test_declare_and_errors(self, api_client_for) -> None:
        client = api_client_for("commander")
        bad = client.post("/api/incidents/", {"title": "x", "severity": "P7"}, format="json")
        assert bad.status_code == 400
        assert bad.json()["error"]["field"] == "severity" and bad.json()["error"]["code"] == "invalid"
        missing_level = client.post(
            "/api/incidents/", {"title": "x", "severity": "P0", "kind": "security_breach"}, format="json"
        )
        assert missing_level.status_code == 400 and missing_level.json()["error"]["field"] == "security_level"
        created = client.post(
            "/api/incidents/",
            {"title": "No blocks for 6 minutes", "severity": "P0", "kind": "mainnet_down", "networks": ["mainnet"]},
            format="json",
        )
        assert created.status_code == 201
        body = created.json()
        assert body["status"] == "triggered" and body["severity_meaning"].startswith("Mainnet down")
        pk = body["id"]
        assert client.post(f"/api/incidents/{pk}/close/").status_code == 409
        conflict = client.post(f"/api/incidents/{pk}/close/").json()["error"]
        assert conflict["code"] == "conflict"
        assert "it is triggered" in conflict["message"] and "acknowledge" in conflict["message"]
        assert conflict["details"] == {"status": "triggered", "allowed": ["acknowledge"]}
        assert client.post(f"/api/incidents/{pk}/acknowledge/").json()["status"] == "acknowledged"
        assert api_client_for("responder").post(f"/api/incidents/{pk}/mitigate/").status_code == 403
        assert client.get(f"/api/incidents/{pk}/").json()["status"] == "acknowledged"
        assert client.post(f"/api/incidents/{pk}/acknowledge/").status_code == 409
        assert client.get("/api/incidents/99999/").status_code == 404

    def test_viewer_reads_but_cannot_write(self, api_client_for) -> None:
        incident = incident_declare(actor=user_with_role("responder"), title="x", severity="P2")
        viewer = api_client_for("viewer")
        assert viewer.get("/api/incidents/").status_code == 200
        assert viewer.post("/api/incidents/", {"title": "x", "severity": "P2"}, format="json").status_code == 403
        assert viewer.post(f"/api/incidents/{incident.pk}/notes/", {"text": "hi"}, format="json").status_code == 403
        assert api_client_for(None).get("/api/incidents/").status_code == 403

    def test_filters_timeline_after_seq_notes_and_pins(self, api_client_for) -> None:
        responder = user_with_role("responder")
        a = incident_declare(actor=responder, title="alpha", severity="P1", kind="mainnet_down")
        incident_declare(actor=responder, title="beta", severity="P3")
        client = api_client_for("responder")
        assert [i["title"] for i in client.get("/api/incidents/", {"severity": "P1"}).json()["results"]] == ["alpha"]
        assert client.get("/api/incidents/", {"status": "nope"}).json()["error"]["field"] == "status"
        assert client.get("/api/incidents/", {"since": "yesterday"}).json()["error"]["field"] == "since"
        empty = client.post(f"/api/incidents/{a.pk}/notes/", {"text": "  "}, format="json")
        assert empty.status_code == 400 and empty.json()["error"]["field"] == "text"
        for text in ("one", "two"):
            assert client.post(f"/api/incidents/{a.pk}/notes/", {"text": text}, format="json").status_code == 201
        after = client.get(f"/api/incidents/{a.pk}/timeline/", {"after_seq": 2}).json()
        assert [(e["seq"], e["text"]) for e in after] == [(3, "two")]
        pinned = client.post(f"/api/incidents/{a.pk}/timeline/2/pin/", {"pinned": True}, format="json")
        assert pinned.status_code == 200 and pinned.json()["pinned"] is True
        assert [e["seq"] for e in client.get(f"/api/incidents/{a.pk}/timeline/", {"pinned": "true"}).json()] == [2]

    def test_commander_assignment_and_field_changes_are_on_the_timeline(self, api_client_for) -> None:
        commander = user_with_role("commander", username="cora")
        incident = incident_declare(actor=commander, title="x", severity="P2")
        client = api_client_for("commander")
        assert (
            client.post(
                f"/api/incidents/{incident.pk}/commander/", {"user_id": commander.pk}, format="json"
            ).status_code
            == 200
        )
        patched = client.patch(f"/api/incidents/{incident.pk}/", {"severity": "P1", "status": "closed"}, format="json")
        assert patched.status_code == 400 and patched.json()["error"]["field"] == "status"
        assert client.patch(f"/api/incidents/{incident.pk}/", {"severity": "P1"}, format="json").status_code == 200
        texts = list(TimelineEntry.objects.filter(incident=incident).values_list("text", flat=True))
        assert "commander: - → cora" in texts and "severity: P2 → P1" in texts

    def test_openapi_schema_describes_the_endpoints(self, api_client_for) -> None:
        schema = api_client_for("viewer").get("/api/schema/", {"format": "json"}).json()
        for path in (
            "/api/incidents/{id}/acknowledge/",
            "/api/incidents/{id}/timeline/",
            "/api/postmortems/preview/",
            "/api/oncall/",
            "/api/checklists/{id}/items/{item_id}/tick/",
        ):
            assert path in schema["paths"], path

    def test_declare_command(self, capsys) -> None:
        call_command("declare_incident", "--severity", "P0", "--kind", "mainnet_down", "--title", "No blocks")
        assert "declared incident #" in capsys.readouterr().out
        assert Incident.objects.get(title="No blocks").declared_by is None
        with pytest.raises(CommandError, match="severity must be one of"):
            call_command("declare_incident", "--severity", "P9", "--title", "x")


@pytest.fixture
def secret_incident(db):
    sec = user_with_role("commander", username="sec")
    from django.contrib.auth.models import Group

    sec.groups.add(Group.objects.get_or_create(name="security")[0])
    incident = incident_declare(
        actor=sec, title="Key exposure", severity="P0", kind="security_breach", security_level=4
    )
    postmortem_create(actor=sec, incident=incident)
    return sec, incident


@pytest.mark.django_db
def test_level_3_4_hidden_from_non_security_users(secret_incident, api_client_for) -> None:
    sec, incident = secret_incident
    for role in ("viewer", "commander"):
        client = api_client_for(role)
        assert client.get("/api/incidents/").json()["count"] == 0
        assert client.get("/api/incidents/", {"search": "Key"}).json()["count"] == 0
        assert client.get(f"/api/incidents/{incident.pk}/").status_code == 404
        assert client.get(f"/api/incidents/{incident.pk}/timeline/").status_code == 404
        assert client.post(f"/api/incidents/{incident.pk}/acknowledge/").status_code == 404
        assert client.get("/api/postmortems/").json() == []
    admin_client = api_client_for("admin")
    assert admin_client.get(f"/api/incidents/{incident.pk}/").json()["security_action"] == "Emergency protocol"
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(sec)
    assert client.get("/api/incidents/").json()["count"] == 1
    # Pages and the Django admin apply the same rule.
    from django.test import Client

    page = Client()
    page.force_login(user_with_role("commander"))
    assert page.get(f"/incidents/{incident.pk}/").status_code == 404
    assert "Key exposure" not in page.get("/incidents/").content.decode()
    staff = user_with_role("commander", is_staff=True)
    request = RequestFactory().get("/admin/")
    request.user = staff
    assert not admin.site._registry[Incident].get_queryset(request).exists()
    request.user = sec
    assert admin.site._registry[Incident].get_queryset(request).exists()


def test_only_security_may_classify_level_3(db) -> None:
    from core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        incident_declare(
            actor=user_with_role("commander"), title="x", severity="P0", kind="security_breach", security_level=3
        )


def _communicator(user, incident_id: int) -> WebsocketCommunicator:
    from channels.routing import URLRouter

    from incidents.routing import websocket_urlpatterns

    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/incidents/{incident_id}/")
    communicator.scope["user"] = user
    return communicator


@pytest.mark.django_db(transaction=True)
async def test_websocket_refuses_non_security_users_for_level_4(secret_incident) -> None:
    sec, incident = secret_incident
    viewer = await sync_to_async(user_with_role)("viewer")
    connected, code = await _communicator(viewer, incident.pk).connect()
    assert not connected and code == 4403
    communicator = _communicator(sec, incident.pk)
    connected, _ = await communicator.connect()
    assert connected
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_websocket_streams_timeline_entries_with_their_seq() -> None:
    responder = await sync_to_async(user_with_role)("responder")
    incident = await sync_to_async(incident_declare)(actor=responder, title="x", severity="P3")
    communicator = _communicator(responder, incident.pk)
    connected, _ = await communicator.connect()
    assert connected
    await sync_to_async(incident_note_add)(actor=responder, incident=incident, text="first")
    await sync_to_async(incident_note_add)(actor=responder, incident=incident, text="second")
    one = await communicator.receive_json_from(timeout=3)
    two = await communicator.receive_json_from(timeout=3)
    assert (one["stream"], one["kind"]) == (f"incident.{incident.pk}", "timeline.entry")
    assert (one["seq"], two["seq"]) == (2, 3)
    assert one["data"]["entry"]["text"] == "first" and one["data"]["incident"]["status"] == "triggered"
    await communicator.disconnect()


def test_note_and_pin_services_refuse_users_who_may_not_see_the_incident(secret_incident) -> None:
    """Defence in depth: callers other than the API/pages (consumers, other apps) get the same rule."""
    from core.errors import NotFound
    from incidents.services.timeline import timeline_pin

    _, secret_incident = secret_incident
    outsider = user_with_role("commander", username="outsider")
    with pytest.raises(NotFound):
        incident_note_add(actor=outsider, incident=secret_incident, text="peek")
    with pytest.raises(NotFound):
        timeline_pin(actor=outsider, incident=secret_incident, seq=1, pinned=True)
    assert not TimelineEntry.objects.filter(incident=secret_incident, text="peek").exists()
    assert not TimelineEntry.objects.filter(incident=secret_incident, pinned=True).exists()
