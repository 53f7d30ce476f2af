"""Bad input is a 400 naming the field (or a 404 / CommandError), never a 500 or a traceback."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from core.testing.factories import user_with_role
from incidents.models import Rotation, RotationMember
from incidents.services.incidents import incident_declare
from incidents.services.postmortems import postmortem_create

IMPOSSIBLE_INSTANTS = [
    "2024-13-45T00:00:00Z",  # well-formed, impossible month/day: parse_datetime raises ValueError
    "2024-02-30T00:00:00Z",
    "2024-01-01T00:00:00+99:00",  # impossible offset
    "9999-12-31T23:59:59Z",  # overflows once a shift is added
    "0001-01-01T00:00:00+01:00",  # overflows when converted to UTC
]


@pytest.fixture
def rotation(db):
    rotation = Rotation.objects.create(name="main", start_date=datetime.date(2024, 1, 1))
    RotationMember.objects.create(rotation=rotation, role="primary", user=user_with_role("responder"), position=1)
    return rotation


@pytest.mark.django_db
@pytest.mark.parametrize("raw", IMPOSSIBLE_INSTANTS)
def test_impossible_instants_in_the_api_are_400(raw, api_client_for, rotation) -> None:
    client = api_client_for("viewer")
    for url, name in (("/api/incidents/", "since"), ("/api/incidents/", "until"), ("/api/oncall/", "at")):
        response = client.get(url, {name: raw})
        assert response.status_code == 400, (url, name, response.content)
        assert response.json()["error"]["field"] == name


@pytest.mark.django_db
@pytest.mark.parametrize("raw", IMPOSSIBLE_INSTANTS)
def test_oncall_now_command_refuses_impossible_instants_without_a_traceback(raw, rotation) -> None:
    with pytest.raises(CommandError, match="--at"):
        call_command("oncall_now", "--at", raw)


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["2024-13-45", "2024-02-30", "0001-01-01", "yesterday"])
def test_impossible_days_on_the_list_page_are_400(raw) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(user_with_role("viewer"))
    for name in ("since", "until"):
        response = client.get("/incidents/", {name: raw})
        assert response.status_code == 400, (name, raw)
        assert name in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["9" * 40, "²", "-1", "abc", "0"])
def test_ids_that_cannot_exist_are_404_not_500(raw, api_client_for) -> None:
    client = api_client_for("admin")
    for url in (
        f"/api/incidents/{raw}/",
        f"/api/incidents/{raw}/timeline/",
        f"/api/postmortems/{raw}/",
        f"/api/postmortems/{raw}/export/",
        f"/api/checklists/{raw}/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.patch(f"/api/action-items/{raw}/", {"done": True}, format="json").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["9" * 40, "²", "abc", "-3"])
def test_bad_query_integers_and_booleans_are_400(raw, api_client_for) -> None:
    client = api_client_for("admin")
    incident = incident_declare(actor=None, title="x", severity="P2")
    owner = client.get("/api/action-items/", {"owner": raw})
    assert owner.status_code == 400 and owner.json()["error"]["field"] == "owner"
    after = client.get(f"/api/incidents/{incident.pk}/timeline/", {"after_seq": raw})
    assert after.status_code == 400 and after.json()["error"]["field"] == "after_seq"
    done = client.get("/api/action-items/", {"done": "maybe"})
    assert done.status_code == 400 and done.json()["error"]["field"] == "done"


@pytest.mark.django_db
def test_huge_ids_in_forms_and_bodies_are_400_naming_the_field(api_client_for) -> None:
    admin = user_with_role("admin")
    incident = incident_declare(actor=admin, title="x", severity="P2")
    postmortem = postmortem_create(actor=admin, incident=incident)
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    huge = "9" * 40
    page = client.post("/incidents/declare/", {"title": "t", "severity": "P1", "kind": "other", "affected_nodes": huge})
    assert page.status_code == 400 and b"affected_nodes" in page.content
    item = client.post(f"/incidents/postmortems/{postmortem.pk}/action-items/", {"title": "t", "owner_id": huge})
    assert item.status_code == 302 and not postmortem.action_items.exists()
    api = api_client_for("admin")
    body = api.post(f"/api/postmortems/{postmortem.pk}/action-items/", {"title": "t", "owner_id": 10**30}, "json")
    assert body.status_code == 400 and body.json()["error"]["field"] == "owner_id"
    nodes = api.post("/api/incidents/", {"title": "t", "severity": "P1", "affected_nodes": [10**30]}, "json")
    assert nodes.status_code == 400 and nodes.json()["error"]["field"] == "affected_nodes"
    commander = api.post(f"/api/incidents/{incident.pk}/commander/", {"user_id": 10**30}, "json")
    assert commander.status_code == 400 and commander.json()["error"]["field"] == "user_id"


@pytest.mark.django_db
def test_commander_form_with_a_non_ascii_digit_is_refused_not_500() -> None:
    commander = user_with_role("commander")
    incident = incident_declare(actor=commander, title="x", severity="P2")
    client = Client(raise_request_exception=False)
    client.force_login(commander)
    response = client.post(f"/incidents/{incident.pk}/commander/", {"user_id": "²"}, follow=True)
    assert response.status_code == 200 and "user_id" in response.content.decode()
    incident.refresh_from_db()
    assert incident.commander is None


@pytest.mark.django_db
def test_nul_characters_and_huge_text_are_400_naming_the_field(api_client_for) -> None:
    """PostgreSQL refuses NUL in text (DataError -> 500); pages bypass DRF's validators."""
    commander = user_with_role("commander")
    incident = incident_declare(actor=commander, title="x", severity="P2")
    postmortem = postmortem_create(actor=commander, incident=incident)
    client = Client(raise_request_exception=False)
    client.force_login(commander)
    for field in ("title", "description"):
        form = {"title": "t", "severity": "P1", "kind": "other", field: "a\x00b"}
        response = client.post("/incidents/declare/", form)
        assert response.status_code == 400 and f'data-field="{field}"' in response.content.decode()
    huge = client.post(
        "/incidents/declare/", {"title": "t", "severity": "P1", "kind": "other", "description": "x" * 20_001}
    )
    assert huge.status_code == 400 and 'data-field="description"' in huge.content.decode()
    assert client.post(f"/incidents/{incident.pk}/note/", {"text": "a\x00b"}).status_code == 302
    assert (
        client.post(f"/incidents/postmortems/{postmortem.pk}/", {"body": "# a\x00b"}).status_code == 400
    )  # the editor again, text kept
    client.post(f"/incidents/postmortems/{postmortem.pk}/action-items/", {"title": "a\x00b"})
    assert incident.timeline.filter(text__contains="a").count() == incident.timeline.count()  # no NUL note
    assert not incident.timeline.filter(kind="note").exists() and not postmortem.action_items.exists()
    postmortem.refresh_from_db()
    assert "\x00" not in postmortem.body
    search = api_client_for("viewer").get("/api/incidents/", {"search": "a\x00b"})
    assert search.status_code == 400 and search.json()["error"]["field"] == "search"
    assert client.get("/incidents/", {"q": "a\x00b"}).status_code == 400
    with pytest.raises(CommandError, match="title"):
        call_command("declare_incident", "--severity", "P2", "--title", "a\x00b")
