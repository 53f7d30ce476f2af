"""Nodes the console watches and the samples it takes of them."""

from __future__ import annotations

from django.db import models


class NodeStatus(models.TextChoices):
    UNKNOWN = "unknown", "Unknown"
    UP = "up", "Up"
    UNREACHABLE = "unreachable", "Unreachable"


class AuthScheme(models.TextChoices):
    NONE = "none", "None (dev mode)"
    BEARER = "bearer", "Bearer JWT"
    API_KEY = "apikey", "API key"


class Node(models.Model):
    name = models.SlugField(max_length=64, unique=True)
    network = models.SlugField(max_length=32, default="devnet", help_text="mainnet, testnet, devnet, ...")
    rpc_url = models.URLField(max_length=300, help_text="JSON-RPC endpoint, e.g. http://10.0.0.5:8545")
    metrics_url = models.URLField(
        max_length=300, blank=True, help_text="Prometheus endpoint, e.g. http://10.0.0.5:9090/metrics"
    )
    auth_scheme = models.CharField(max_length=16, choices=AuthScheme.choices, default=AuthScheme.NONE)
    credential_ref = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where the credential lives, e.g. env:DINARI_MAINNET_API_KEY. The secret itself is never stored.",
    )
    enabled = models.BooleanField(default=True)

    # Written by the poller only.
    status = models.CharField(max_length=16, choices=NodeStatus.choices, default=NodeStatus.UNKNOWN)
    last_error = models.CharField(max_length=500, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    backoff_until = models.DateTimeField(null=True, blank=True)
    rate_limited_polls = models.PositiveIntegerField(default=0, help_text="Consecutive polls refused with -32002.")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["network", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.network})"


class MetricSample(models.Model):
    """One poll of one node. Unreachable polls are kept too: they are the downtime record."""

    # PROTECT: samples are the downtime record; a node with history is disabled, not deleted.
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="samples")
    taken_at = models.DateTimeField(db_index=True)
    reachable = models.BooleanField()
    error = models.CharField(max_length=500, blank=True)
    response_ms = models.PositiveIntegerField(null=True, blank=True)

    height = models.BigIntegerField(null=True, blank=True)
    tip_hash = models.CharField(max_length=80, blank=True)
    latest_block_time = models.DateTimeField(null=True, blank=True)
    peer_count = models.IntegerField(null=True, blank=True)
    mempool_size = models.IntegerField(null=True, blank=True)
    orphan_blocks = models.BigIntegerField(null=True, blank=True)
    blocks_processed = models.BigIntegerField(null=True, blank=True)
    blocks_rejected = models.BigIntegerField(null=True, blank=True)
    txs_accepted = models.BigIntegerField(null=True, blank=True)
    txs_rejected = models.BigIntegerField(null=True, blank=True)
    rate_limit_hits = models.BigIntegerField(null=True, blank=True)
    banned_peers = models.IntegerField(null=True, blank=True)
    mining_active = models.BooleanField(null=True, blank=True)
    database_size_bytes = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-taken_at", "-id"]
        indexes = [models.Index(fields=["node", "-taken_at"])]

    def __str__(self) -> str:
        return f"{self.node.name} @ {self.taken_at:%H:%M:%S}: {self.height if self.reachable else self.error}"
