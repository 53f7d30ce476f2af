"""Login everywhere except the probes; roles; the API's error shape."""

from __future__ import annotations

import pytest
from django.test import Client

from core.roles import Role, has_role, role_of


@pytest.mark.django_db
def test_healthz_is_open_and_never_needs_login(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_database_and_redis(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}


@pytest.mark.django_db
def test_readyz_reports_503_when_redis_is_unreachable(client: Client, settings) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("unreachable")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/admin/"])
def test_pages_redirect_anonymous_users_to_login(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/nodes/", "/api/schema/", "/api/docs/"])
def test_api_refuses_anonymous_callers_with_json(client: Client, path: str) -> None:
    response = client.get(path)
    if path == "/api/docs/":
        # The docs page is a normal page: login redirect.
        assert response.status_code == 302
        return
    assert response.status_code in (401, 403)
    if path == "/api/nodes/":
        assert "error" in response.json()


@pytest.mark.django_db
def test_role_groups_exist_after_migrate() -> None:
    from django.contrib.auth.models import Group

    names = set(Group.objects.values_list("name", flat=True))
    assert {"viewer", "responder", "commander", "admin", "security"} <= names


@pytest.mark.django_db
def test_role_ladder(make_user) -> None:
    viewer, commander, nobody = make_user("viewer"), make_user("commander"), make_user(None)
    assert role_of(viewer) is Role.VIEWER
    assert has_role(commander, Role.RESPONDER)
    assert not has_role(viewer, Role.RESPONDER)
    assert role_of(nobody) is None
    assert not has_role(nobody, Role.VIEWER)


@pytest.mark.django_db
def test_user_without_a_role_cannot_see_the_dashboard(client: Client, make_user) -> None:
    client.force_login(make_user(None))
    response = client.get("/")
    assert response.status_code == 403
    assert b"viewer role" in response.content


@pytest.mark.django_db
def test_login_then_dashboard(client: Client, make_user) -> None:
    from core.testing.factories import PASSWORD

    user = make_user("viewer")
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    response = client.get("/")
    assert response.status_code == 200
    assert b"Block height, last hour" in response.content


@pytest.mark.django_db
def test_token_authentication_works_for_the_api(make_user) -> None:
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    token = Token.objects.create(user=make_user("viewer"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/nodes/").status_code == 200


@pytest.mark.django_db
def test_openapi_schema_lists_the_node_endpoints(api_client_for) -> None:
    response = api_client_for("viewer").get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/nodes/" in paths
    assert "/api/nodes/{id}/samples/" in paths


@pytest.mark.django_db
def test_unknown_api_paths_get_json_404(api_client_for) -> None:
    response = api_client_for("viewer").get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
