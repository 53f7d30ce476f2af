from __future__ import annotations

from rest_framework import serializers

from monitoring.models import AuthScheme, MetricSample, Node


class NodeSerializer(serializers.ModelSerializer[Node]):
    has_credentials = serializers.SerializerMethodField(
        help_text="Whether a credential reference is set (never shown)."
    )

    class Meta:
        model = Node
        fields = [
            "id",
            "name",
            "network",
            "rpc_url",
            "metrics_url",
            "auth_scheme",
            "has_credentials",
            "enabled",
            "status",
            "last_error",
            "last_polled_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_has_credentials(self, node: Node) -> bool:
        return bool(node.credential_ref)


class NodeWriteSerializer(serializers.Serializer[Node]):
    """Input shape only; the service validates and writes."""

    name = serializers.CharField(max_length=64)
    network = serializers.CharField(max_length=32, required=False)
    rpc_url = serializers.CharField(max_length=300)
    metrics_url = serializers.CharField(max_length=300, required=False, allow_blank=True)
    auth_scheme = serializers.ChoiceField(choices=AuthScheme.choices, required=False)
    credential_ref = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="env:VARIABLE or file:/path where the secret lives; write-only.",
    )
    enabled = serializers.BooleanField(required=False)


class MetricSampleSerializer(serializers.ModelSerializer[MetricSample]):
    class Meta:
        model = MetricSample
        fields = [
            "id",
            "taken_at",
            "reachable",
            "error",
            "response_ms",
            "height",
            "tip_hash",
            "latest_block_time",
            "peer_count",
            "mempool_size",
            "orphan_blocks",
            "blocks_processed",
            "blocks_rejected",
            "txs_accepted",
            "txs_rejected",
            "rate_limit_hits",
            "banned_peers",
            "mining_active",
            "database_size_bytes",
        ]
        read_only_fields = fields
