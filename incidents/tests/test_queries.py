"""List pages and endpoints cost a bounded number of queries, whatever the row count."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from core.testing.factories import user_with_role
from incidents.services.incidents import incident_declare, incident_participant_set
from incidents.services.postmortems import action_item_create, postmortem_create


@pytest.fixture
def many_incidents(db):
    commander = user_with_role("commander", username="cora")
    for n in range(20):
        incident = incident_declare(actor=commander, title=f"incident {n}", severity="P2", networks=["mainnet"])
        incident_participant_set(
            actor=commander, incident=incident, user_id=user_with_role("responder").pk, present=True
        )
        postmortem = postmortem_create(actor=commander, incident=incident)
        action_item_create(actor=commander, postmortem=postmortem, data={"title": "fix", "owner_id": commander.pk})
    return commander


def test_incident_list_api(many_incidents, api_client_for, django_assert_max_num_queries) -> None:
    client = api_client_for("viewer")
    with django_assert_max_num_queries(8):
        response = client.get("/api/incidents/", {"limit": 50})
    assert response.status_code == 200 and len(response.json()["results"]) == 20


def test_incident_list_page(many_incidents, django_assert_max_num_queries) -> None:
    client = Client()
    client.force_login(user_with_role("viewer"))
    with django_assert_max_num_queries(10):
        response = client.get("/incidents/")
    assert response.status_code == 200 and response.content.count(b"incident 1") >= 11


def test_postmortem_and_action_item_lists(many_incidents, api_client_for, django_assert_max_num_queries) -> None:
    api = api_client_for("viewer")
    page = Client()
    page.force_login(user_with_role("viewer"))
    for get in (
        lambda: api.get("/api/postmortems/"),
        lambda: api.get("/api/action-items/"),
        lambda: page.get("/incidents/postmortems/"),
        lambda: page.get("/incidents/action-items/"),
    ):
        with django_assert_max_num_queries(10):
            assert get().status_code == 200


def test_detail_page_does_not_query_per_user(many_incidents, django_assert_max_num_queries) -> None:
    """The commander picker must not run one group query per active user."""
    for n in range(20):
        user_with_role("commander", username=f"c{n}")
    client = Client()
    client.force_login(many_incidents)
    incident_id = many_incidents.commanded_incidents.first() or many_incidents.declared_incidents.first()
    with django_assert_max_num_queries(20):
        response = client.get(f"/incidents/{incident_id.pk}/")
    assert response.status_code == 200 and b"c19" in response.content


@pytest.mark.django_db
def test_commander_candidates_follow_roles_and_security_visibility() -> None:
    from incidents.selectors.incidents import commander_candidates

    user_with_role("commander", username="plain")
    secure = user_with_role("commander", username="secure")

    secure.groups.add(Group.objects.get_or_create(name="security")[0])
    admin = user_with_role("admin", username="boss")
    user_with_role("responder", username="resp")
    incident = incident_declare(actor=admin, title="x", severity="P1")
    assert [u.username for u in commander_candidates(incident)] == ["boss", "plain", "secure"]
    secret = incident_declare(actor=admin, title="y", severity="P0", kind="security_breach", security_level=3)
    assert [u.username for u in commander_candidates(secret)] == ["boss", "secure"]
