"""The node registry: validation, roles, secrets never shown."""

from __future__ import annotations

import pytest

from core.errors import Conflict, Forbidden, InvalidInput
from monitoring import services
from monitoring.models import Node
from monitoring.services import node_register_or_update


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rpc_url", "reason"),
    [
        ("", "rpc_url is required"),
        ("ftp://10.0.0.1:8545", "must start with http:// or https://"),
        ("http://", "has no host name"),
        ("http://user:pw@10.0.0.1:8545", "must not carry credentials"),
        ("http://10.0.0.1:99999", "invalid port"),
        ("http://10.0.0.1:8545/?x=1", "query string"),
        ("http://0.0.0.0:8545", "cannot have"),
        ("not a url", "must not contain spaces"),
        ("notaurl", "must start with http"),
    ],
)
def test_invalid_rpc_urls_are_refused_with_the_reason(make_user, rpc_url: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.node_create(actor=make_user("admin"), data={"name": "n1", "rpc_url": rpc_url})
    assert reason in caught.value.message
    assert caught.value.field == "rpc_url"
    assert Node.objects.count() == 0


@pytest.mark.django_db
def test_only_admins_register_nodes(make_user) -> None:
    with pytest.raises(Forbidden):
        services.node_create(actor=make_user("commander"), data={"name": "n1", "rpc_url": "http://127.0.0.1:8545"})
    assert Node.objects.count() == 0


@pytest.mark.django_db
def test_duplicate_name_is_a_conflict(make_user) -> None:
    admin = make_user("admin")
    services.node_create(actor=admin, data={"name": "n1", "rpc_url": "http://127.0.0.1:8545"})
    with pytest.raises(Conflict):
        services.node_create(actor=admin, data={"name": "n1", "rpc_url": "http://127.0.0.1:8546"})


@pytest.mark.django_db
def test_auth_scheme_needs_a_credential_reference(make_user) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.node_create(
            actor=make_user("admin"),
            data={"name": "n1", "rpc_url": "http://127.0.0.1:8545", "auth_scheme": "apikey"},
        )
    assert caught.value.field == "credential_ref"


@pytest.mark.django_db
def test_api_create_validates_and_never_returns_the_credential(api_client_for) -> None:
    client = api_client_for("admin")
    bad = client.post("/api/nodes/", {"name": "n1", "rpc_url": "gopher://x"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["error"]["field"] == "rpc_url"
    assert "http://" in bad.json()["error"]["message"]

    bad_ref = client.post(
        "/api/nodes/",
        {"name": "n1", "rpc_url": "http://127.0.0.1:8545", "auth_scheme": "apikey", "credential_ref": "hunter2"},
        format="json",
    )
    assert bad_ref.status_code == 400
    assert bad_ref.json()["error"]["field"] == "credential_ref"
    assert Node.objects.count() == 0

    good = client.post(
        "/api/nodes/",
        {
            "name": "n1",
            "rpc_url": "http://127.0.0.1:8545",
            "auth_scheme": "apikey",
            "credential_ref": "env:DINARI_NODE_KEY",
        },
        format="json",
    )
    assert good.status_code == 201, good.content
    body = good.json()
    assert body["has_credentials"] is True
    assert "credential_ref" not in body
    assert "DINARI_NODE_KEY" not in good.content.decode()


@pytest.mark.django_db
def test_api_roles(api_client_for) -> None:
    payload = {"name": "n1", "rpc_url": "http://127.0.0.1:8545"}
    assert api_client_for("viewer").post("/api/nodes/", payload, format="json").status_code == 403
    assert api_client_for(None).get("/api/nodes/").status_code == 403
    assert api_client_for("viewer").get("/api/nodes/").status_code == 200
    created = api_client_for("admin").post("/api/nodes/", payload, format="json")
    node_id = created.json()["id"]
    assert api_client_for("viewer").delete(f"/api/nodes/{node_id}/").status_code == 403
    assert (
        api_client_for("admin").patch(f"/api/nodes/{node_id}/", {"enabled": False}, format="json").json()["enabled"]
        is False
    )
    assert api_client_for("admin").delete(f"/api/nodes/{node_id}/").status_code == 204
    assert api_client_for("admin").get(f"/api/nodes/{node_id}/").status_code == 404


@pytest.mark.django_db
def test_samples_endpoint_rejects_bad_time_filters(api_client_for) -> None:
    node = Node.objects.create(name="n1", rpc_url="http://127.0.0.1:8545")
    response = api_client_for("viewer").get(f"/api/nodes/{node.pk}/samples/?since=yesterday")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "since"


@pytest.mark.django_db
def test_node_register_command_is_an_upsert_and_reports_bad_urls_without_traceback() -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    call_command("node_register", name="devnet-1", rpc_url="http://127.0.0.1:1000")
    call_command("node_register", name="devnet-1", rpc_url="http://127.0.0.1:2000")
    assert list(Node.objects.values_list("rpc_url", flat=True)) == ["http://127.0.0.1:2000"]
    with pytest.raises(CommandError, match="rpc_url must start with http"):
        call_command("node_register", name="devnet-2", rpc_url="tcp://nowhere")


@pytest.mark.django_db
def test_register_nodes_command_takes_several_and_explains_bad_specs() -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    call_command("register_nodes", "a=http://127.0.0.1:1,http://127.0.0.1:2/metrics", "b=http://127.0.0.1:3")
    assert dict(Node.objects.values_list("name", "metrics_url")) == {"a": "http://127.0.0.1:2/metrics", "b": ""}
    with pytest.raises(CommandError, match="expected NAME=RPC_URL"):
        call_command("register_nodes", "just-a-name")


@pytest.mark.django_db
def test_samples_endpoint_rejects_impossible_dates(api_client_for) -> None:
    node = Node.objects.create(name="n1", rpc_url="http://127.0.0.1:8545")
    response = api_client_for("viewer").get(f"/api/nodes/{node.pk}/samples/?since=2024-13-45T00:00:00")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "since"


@pytest.mark.django_db
def test_a_node_with_history_is_disabled_not_deleted(api_client_for) -> None:
    from django.utils import timezone

    from monitoring.models import MetricSample

    node = Node.objects.create(name="n1", rpc_url="http://127.0.0.1:8545")
    MetricSample.objects.create(node=node, taken_at=timezone.now(), reachable=False, error="down")
    response = api_client_for("admin").delete(f"/api/nodes/{node.pk}/")
    assert response.status_code == 409
    assert "disable it instead" in response.json()["error"]["message"]
    assert Node.objects.filter(pk=node.pk).exists()
    assert MetricSample.objects.filter(node=node).count() == 1


@pytest.mark.django_db
def test_registering_the_same_node_twice_writes_one_audit_entry() -> None:
    from core.models import AuditEvent

    node_register_or_update(name="n1", rpc_url="http://127.0.0.1:1")
    node_register_or_update(name="n1", rpc_url="http://127.0.0.1:1")
    assert AuditEvent.objects.filter(target_id=str(Node.objects.get().pk)).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "ref", ["env:SECRET_KEY", "env:DATABASE_URL", "env:DINARI_NODE_", "file:/proc/self/environ", "file:relative"]
)
def test_credential_references_cannot_reach_server_secrets(make_user, ref: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.node_create(
            actor=make_user("admin"),
            data={"name": "n1", "rpc_url": "http://127.0.0.1:8545", "auth_scheme": "bearer", "credential_ref": ref},
        )
    assert caught.value.field == "credential_ref"


@pytest.mark.django_db
def test_file_credentials_inside_the_secrets_dir_are_read(settings, tmp_path) -> None:
    from monitoring.credentials import resolve_credential, validate_credential_ref

    settings.NODE_SECRETS_DIR = tmp_path
    (tmp_path / "mainnet").write_text("key-123\n")
    ref = validate_credential_ref(f"file:{tmp_path / 'mainnet'}")
    assert resolve_credential(ref) == "key-123"
    with pytest.raises(InvalidInput):
        validate_credential_ref(f"file:{tmp_path / '..' / 'outside'}")


@pytest.mark.django_db
def test_admin_form_uses_the_registry_rules_and_audits(client, make_user) -> None:
    from core.models import AuditEvent

    admin = make_user("admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    form = {
        "name": "n1",
        "network": "devnet",
        "rpc_url": "ftp://x",
        "metrics_url": "",
        "auth_scheme": "none",
        "credential_ref": "",
        "enabled": "on",
    }
    response = client.post("/admin/monitoring/node/add/", form)
    assert response.status_code == 200
    assert b"must start with http:// or https://" in response.content
    assert Node.objects.count() == 0

    form.update(rpc_url="http://127.0.0.1:8545", auth_scheme="bearer", credential_ref="env:SECRET_KEY")
    response = client.post("/admin/monitoring/node/add/", form)
    assert b"DINARI_NODE_" in response.content
    assert Node.objects.count() == 0

    form.update(credential_ref="env:DINARI_NODE_N1")
    response = client.post("/admin/monitoring/node/add/", form)
    assert response.status_code == 302
    node = Node.objects.get(name="n1")
    assert AuditEvent.objects.filter(verb="node.created", target_id=str(node.pk), actor=admin).exists()


@pytest.mark.django_db
def test_dashboard_api_gives_snapshots_and_series(api_client_for) -> None:
    from django.utils import timezone

    from monitoring.models import MetricSample

    node = Node.objects.create(name="n1", rpc_url="http://127.0.0.1:8545", enabled=False)
    MetricSample.objects.create(node=node, taken_at=timezone.now(), reachable=True, height=42)
    body = api_client_for("viewer").get("/api/nodes/dashboard/?minutes=5").json()
    assert body["nodes"][0]["enabled"] is False
    assert body["nodes"][0]["height"] == 42
    assert [h for _, h in body["series"]["n1"]] == [42]
    bad = api_client_for("viewer").get("/api/nodes/dashboard/?minutes=0")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "minutes"


@pytest.mark.django_db
def test_urls_with_control_characters_are_refused(make_user) -> None:
    with pytest.raises(InvalidInput, match="control characters"):
        services.node_create(actor=make_user("admin"), data={"name": "n1", "rpc_url": "http://a\x00b:8545"})
