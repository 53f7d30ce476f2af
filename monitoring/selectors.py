"""Reads of nodes and samples for pages, the API and broadcasts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from monitoring.models import MetricSample, Node


def node_list(*, enabled_only: bool = False) -> QuerySet[Node]:
    nodes = Node.objects.all()
    return nodes.filter(enabled=True) if enabled_only else nodes


def node_latest_samples(nodes: list[Node]) -> dict[int, MetricSample]:
    """The newest sample of each node, in one query per node at most (few nodes)."""
    latest: dict[int, MetricSample] = {}
    for node in nodes:
        sample = MetricSample.objects.filter(node=node).order_by("-taken_at", "-id").first()
        if sample is not None:
            latest[node.pk] = sample
    return latest


def node_last_good_sample(node: Node) -> MetricSample | None:
    return MetricSample.objects.filter(node=node, reachable=True).order_by("-taken_at", "-id").first()


def node_snapshot(node: Node, sample: MetricSample | None, last_good: MetricSample | None = None) -> dict[str, Any]:
    """What the dashboard shows of one node; the same shape goes over the WebSocket."""
    good = sample if sample is not None and sample.reachable else last_good
    return {
        "id": node.pk,
        "name": node.name,
        "network": node.network,
        "status": node.status,
        "enabled": node.enabled,
        "backoff_until": _iso(node.backoff_until),
        "error": node.last_error,
        "polled_at": _iso(node.last_polled_at),
        "height": good.height if good else None,
        "latest_block_time": _iso(good.latest_block_time) if good else None,
        "peer_count": good.peer_count if good else None,
        "mempool_size": good.mempool_size if good else None,
        "response_ms": sample.response_ms if sample else None,
    }


def node_snapshots() -> list[dict[str, Any]]:
    nodes = list(node_list())
    latest = node_latest_samples(nodes)
    snapshots = []
    for node in nodes:
        sample = latest.get(node.pk)
        last_good = None if sample is None or sample.reachable else node_last_good_sample(node)
        snapshots.append(node_snapshot(node, sample, last_good))
    return snapshots


def node_samples(node: Node, *, since: datetime | None = None, until: datetime | None = None) -> QuerySet[MetricSample]:
    samples = MetricSample.objects.filter(node=node)
    if since is not None:
        samples = samples.filter(taken_at__gte=since)
    if until is not None:
        samples = samples.filter(taken_at__lte=until)
    return samples.order_by("-taken_at", "-id")


def height_series(*, minutes: int = 60) -> dict[str, list[tuple[str, int]]]:
    """Block height over time per node name, oldest first, for the dashboard plot."""
    since = timezone.now() - timedelta(minutes=minutes)
    rows = (
        MetricSample.objects.filter(taken_at__gte=since, reachable=True, height__isnull=False)
        .order_by("taken_at")
        .values_list("node__name", "taken_at", "height")
    )
    series: dict[str, list[tuple[str, int]]] = {}
    for name, taken_at, height in rows:
        if height is not None:
            series.setdefault(name, []).append((taken_at.isoformat(), height))
    return series


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
