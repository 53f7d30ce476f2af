"""Writes of the monitoring app: the node registry and the polling results."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from core.errors import Conflict, InvalidInput, NotFound
from core.realtime import broadcast_on_commit
from core.roles import Role, require_role
from core.services import audit_record
from integrations.node_client import NodeAddress
from monitoring.credentials import CredentialUnavailable, resolve_credential, validate_credential_ref
from monitoring.models import AuthScheme, MetricSample, Node, NodeStatus
from monitoring.poller import PollResult, PollTarget, poll_targets
from monitoring.selectors import node_last_good_sample, node_snapshot

logger = logging.getLogger(__name__)

NODES_STREAM = "nodes"
RATE_LIMIT_BACKOFF = timedelta(seconds=30)  # doubled on each consecutive refusal
RATE_LIMIT_BACKOFF_MAX = timedelta(minutes=10)
EDITABLE_FIELDS = ("name", "network", "rpc_url", "metrics_url", "auth_scheme", "credential_ref", "enabled")


def validate_node_url(value: str, *, field: str, required: bool = True) -> str:
    value = (value or "").strip()
    if not value:
        if required:
            raise InvalidInput(f"{field} is required.", field=field)
        return ""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value) or " " in value:
        raise InvalidInput(f"{field} must not contain spaces or control characters.", field=field)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https"):
        raise InvalidInput(f"{field} must start with http:// or https:// (got {value!r}).", field=field)
    if not parts.hostname:
        raise InvalidInput(f"{field} has no host name.", field=field)
    if parts.username or parts.password:
        raise InvalidInput(f"{field} must not carry credentials; use credential_ref.", field=field)
    try:
        port = parts.port
    except ValueError:
        raise InvalidInput(f"{field} has an invalid port.", field=field) from None
    if port == 0:
        raise InvalidInput(f"{field} has an invalid port.", field=field)
    if parts.query or parts.fragment:
        raise InvalidInput(f"{field} must not have a query string or fragment.", field=field)
    _check_host(parts.hostname, field)
    return value


def _check_host(host: str, field: str) -> None:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return
    if address.is_multicast or address.is_unspecified:
        raise InvalidInput(f"{field} points at an address nodes cannot have ({host}).", field=field)


def _clean(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown field(s): {', '.join(sorted(unknown))}.", field=sorted(unknown)[0])
    cleaned: dict[str, Any] = {}
    if "name" in data or not partial:
        name = str(data.get("name") or "").strip()
        if not name or not all(ch.isalnum() or ch in "-_" for ch in name) or len(name) > 64:
            raise InvalidInput("name must be 1-64 letters, digits, '-' or '_'.", field="name")
        cleaned["name"] = name
    if "network" in data:
        network = str(data["network"] or "").strip()
        if not network or not all(ch.isalnum() or ch in "-_" for ch in network) or len(network) > 32:
            raise InvalidInput("network must be 1-32 letters, digits, '-' or '_'.", field="network")
        cleaned["network"] = network
    if "rpc_url" in data or not partial:
        cleaned["rpc_url"] = validate_node_url(str(data.get("rpc_url") or ""), field="rpc_url")
    if "metrics_url" in data:
        cleaned["metrics_url"] = validate_node_url(str(data["metrics_url"] or ""), field="metrics_url", required=False)
    if "auth_scheme" in data:
        if data["auth_scheme"] not in AuthScheme.values:
            raise InvalidInput(f"auth_scheme must be one of {', '.join(AuthScheme.values)}.", field="auth_scheme")
        cleaned["auth_scheme"] = data["auth_scheme"]
    if "credential_ref" in data:
        cleaned["credential_ref"] = validate_credential_ref(str(data["credential_ref"] or ""))
    if "enabled" in data:
        if not isinstance(data["enabled"], bool):
            raise InvalidInput("enabled must be true or false.", field="enabled")
        cleaned["enabled"] = data["enabled"]
    return cleaned


def node_validate(*, data: dict[str, Any]) -> dict[str, Any]:
    """Check a full set of node fields without writing (admin forms show the reasons per field)."""
    cleaned = _clean(data, partial=False)
    _check_auth_consistency(Node(**cleaned))
    return cleaned


def _check_auth_consistency(node: Node) -> None:
    if node.auth_scheme != AuthScheme.NONE and not node.credential_ref:
        raise InvalidInput("credential_ref is required when auth_scheme is not none.", field="credential_ref")


@transaction.atomic
def node_create(*, actor: Any, data: dict[str, Any]) -> Node:
    require_role(actor, Role.ADMIN, doing="Registering a node")
    cleaned = _clean(data, partial=False)
    if Node.objects.filter(name=cleaned["name"]).exists():
        raise Conflict(f"a node named {cleaned['name']!r} is already registered.", field="name")
    node = Node(**cleaned)
    _check_auth_consistency(node)
    _save_unique(node)
    audit_record(actor=actor, verb="node.created", target=node, data={"name": node.name, "rpc_url": node.rpc_url})
    return node


@transaction.atomic
def node_update(*, actor: Any, node_id: int, data: dict[str, Any]) -> Node:
    require_role(actor, Role.ADMIN, doing="Changing a node")
    node = Node.objects.select_for_update().filter(pk=node_id).first()
    if node is None:
        raise NotFound(f"node {node_id} does not exist.")
    cleaned = _clean(data, partial=True)
    if "name" in cleaned and Node.objects.filter(name=cleaned["name"]).exclude(pk=node.pk).exists():
        raise Conflict(f"a node named {cleaned['name']!r} is already registered.", field="name")
    changes = {key: value for key, value in cleaned.items() if getattr(node, key) != value}
    for key, value in changes.items():
        setattr(node, key, value)
    _check_auth_consistency(node)
    _save_unique(node)
    if changes:
        shown = {k: v for k, v in changes.items() if k != "credential_ref"}
        audit_record(actor=actor, verb="node.updated", target=node, data={"changed": sorted(changes), "values": shown})
        broadcast_on_commit(NODES_STREAM, "node.sample", node_snapshot(node, None, node_last_good_sample(node)))
    return node


def _save_unique(node: Node) -> None:
    """Save; a concurrent writer that took the name first makes this a 409, not a 500."""
    try:
        with transaction.atomic():
            node.save()
    except IntegrityError:
        raise Conflict(f"a node named {node.name!r} is already registered.", field="name") from None


@transaction.atomic
def node_delete(*, actor: Any, node_id: int) -> None:
    require_role(actor, Role.ADMIN, doing="Removing a node")
    node = Node.objects.select_for_update().filter(pk=node_id).first()
    if node is None:
        raise NotFound(f"node {node_id} does not exist.")
    samples = MetricSample.objects.filter(node=node).count()
    if samples:
        # The samples are the node's downtime record (the SLA is computed from them).
        raise Conflict(
            f"node {node.name!r} has {samples} metric samples (its uptime record); disable it instead "
            f"(PATCH enabled=false). Samples older than the retention period are pruned automatically.",
            field="id",
        )
    audit_record(actor=actor, verb="node.deleted", target=node, data={"name": node.name})
    node_pk = node.pk
    node.delete()
    broadcast_on_commit(NODES_STREAM, "node.removed", {"id": node_pk})


@transaction.atomic
def node_register_or_update(*, name: str, rpc_url: str, metrics_url: str = "", network: str = "devnet") -> Node:
    """Upsert by name, for the run command and `manage.py node_register` (system actor)."""
    cleaned = _clean({"name": name, "rpc_url": rpc_url, "metrics_url": metrics_url, "network": network}, partial=False)
    node = Node.objects.select_for_update().filter(name=cleaned["name"]).first()
    if node is None:
        node = Node.objects.create(**cleaned)
        audit_record(actor=None, verb="node.registered", target=node, data=cleaned)
        return node
    changes = {key: value for key, value in cleaned.items() if getattr(node, key) != value}
    if changes:
        for key, value in changes.items():
            setattr(node, key, value)
        node.save()
        audit_record(actor=None, verb="node.updated", target=node, data={"changed": sorted(changes), "values": changes})
    return node


def _target_for(node: Node) -> PollTarget:
    header = None
    if node.auth_scheme != AuthScheme.NONE:
        try:
            secret = resolve_credential(node.credential_ref)
        except CredentialUnavailable as exc:
            return PollTarget(node.pk, None, setup_error=str(exc))
        header = f"Bearer {secret}" if node.auth_scheme == AuthScheme.BEARER else f"ApiKey {secret}"
    return PollTarget(node.pk, NodeAddress(node.rpc_url, node.metrics_url, header))


def nodes_poll() -> list[PollResult]:
    """Poll every enabled node not backing off, store the samples, broadcast each."""
    now = timezone.now()
    nodes = [n for n in Node.objects.filter(enabled=True) if not n.backoff_until or n.backoff_until <= now]
    if not nodes:
        return []
    results = asyncio.run(poll_targets([_target_for(n) for n in nodes], timeout=settings.NODE_POLL_TIMEOUT_SECONDS))
    for result in results:
        try:
            samples_record(result=result)
        except DatabaseError:
            # One node's sample failing to store must not cost the other nodes theirs.
            logger.exception("could not store the poll result of node %s", result.node_id)
    return results


@transaction.atomic
def samples_record(*, result: PollResult) -> MetricSample | None:
    node = Node.objects.select_for_update().filter(pk=result.node_id).first()
    if node is None:  # deleted while we polled
        return None
    error = printable(result.error)[:500]
    sample = MetricSample.objects.create(
        node=node,
        taken_at=result.taken_at,
        reachable=result.reachable,
        error=error,
        response_ms=result.response_ms,
        **result.values,
    )
    node.status = NodeStatus.UP if result.reachable else NodeStatus.UNREACHABLE
    node.last_error = error
    node.last_polled_at = result.taken_at
    node.rate_limited_polls = node.rate_limited_polls + 1 if result.rate_limited else 0
    node.backoff_until = result.taken_at + rate_limit_backoff(node.rate_limited_polls) if result.rate_limited else None
    node.save(
        update_fields=["status", "last_error", "last_polled_at", "backoff_until", "rate_limited_polls", "updated_at"]
    )
    last_good = None if result.reachable else node_last_good_sample(node)
    broadcast_on_commit(NODES_STREAM, "node.sample", node_snapshot(node, sample, last_good))
    return sample


def rate_limit_backoff(consecutive: int) -> timedelta:
    """30 s, 60 s, 120 s, ... up to 10 min: a node that keeps refusing is asked ever less often."""
    return min(RATE_LIMIT_BACKOFF * 2 ** min(max(consecutive - 1, 0), 10), RATE_LIMIT_BACKOFF_MAX)


def printable(text: str) -> str:
    """Text from a node, without control characters (PostgreSQL refuses NUL in text columns)."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def samples_prune(*, older_than_days: int | None = None, batch: int = 5000) -> int:
    days = older_than_days if older_than_days is not None else settings.NODE_SAMPLE_RETENTION_DAYS
    cutoff = timezone.now() - timedelta(days=days)
    removed = 0
    while True:
        ids = list(MetricSample.objects.filter(taken_at__lt=cutoff).values_list("pk", flat=True)[:batch])
        if not ids:
            return removed
        removed += MetricSample.objects.filter(pk__in=ids).delete()[0]
