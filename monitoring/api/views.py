from __future__ import annotations

from typing import Any

from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import InvalidInput, NotFound
from core.permissions import ReadViewerWriteAdmin
from monitoring import selectors, services
from monitoring.api.serializers import MetricSampleSerializer, NodeSerializer, NodeWriteSerializer
from monitoring.models import Node


def _parse_time(request: Request, name: str) -> Any:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        value = parse_datetime(raw)
    except ValueError:  # well-formed but impossible, e.g. month 13
        value = None
    if value is None:
        raise InvalidInput(f"{name} must be an ISO 8601 date-time (got {raw!r}).", field=name)
    return value


class NodeViewSet(viewsets.ViewSet):
    """The registry of Dinari nodes the console polls."""

    permission_classes = [ReadViewerWriteAdmin]
    lookup_value_converter = "int"

    @extend_schema(responses=NodeSerializer(many=True))
    def list(self, request: Request) -> Response:
        return Response(NodeSerializer(selectors.node_list(), many=True).data)

    @extend_schema(responses=NodeSerializer)
    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(NodeSerializer(self._get(pk)).data)

    @extend_schema(request=NodeWriteSerializer, responses={201: NodeSerializer})
    def create(self, request: Request) -> Response:
        payload = NodeWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        node = services.node_create(actor=request.user, data=dict(payload.validated_data))
        return Response(NodeSerializer(node).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=NodeWriteSerializer, responses=NodeSerializer)
    def partial_update(self, request: Request, pk: int) -> Response:
        payload = NodeWriteSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        node = services.node_update(actor=request.user, node_id=self._get(pk).pk, data=dict(payload.validated_data))
        return Response(NodeSerializer(node).data)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: int) -> Response:
        services.node_delete(actor=request.user, node_id=self._get(pk).pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[
            OpenApiParameter("since", OpenApiTypes.DATETIME, description="Only samples taken at or after this time."),
            OpenApiParameter("until", OpenApiTypes.DATETIME, description="Only samples taken at or before this time."),
        ],
        responses=MetricSampleSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def samples(self, request: Request, pk: int) -> Response:
        """The node's samples, newest first, paginated (limit/offset)."""
        node = self._get(pk)
        samples = selectors.node_samples(node, since=_parse_time(request, "since"), until=_parse_time(request, "until"))
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(samples, request, view=self)
        return paginator.get_paginated_response(MetricSampleSerializer(page, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("minutes", int, description="Window of the height series (1-1440, default 60).")],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["get"])
    def dashboard(self, request: Request) -> Response:
        """Every node's current snapshot and its block height series: what the dashboard shows."""
        raw = request.query_params.get("minutes", "60")
        if not raw.isdigit() or not 1 <= int(raw) <= 1440:
            raise InvalidInput(f"minutes must be a whole number from 1 to 1440 (got {raw!r}).", field="minutes")
        return Response({"nodes": selectors.node_snapshots(), "series": selectors.height_series(minutes=int(raw))})

    @staticmethod
    def _get(pk: int) -> Node:
        if not str(pk).isdigit():
            raise NotFound(f"node {pk!r} does not exist.")
        node = Node.objects.filter(pk=int(pk)).first()
        if node is None:
            raise NotFound(f"node {pk} does not exist.")
        return node
