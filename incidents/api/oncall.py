"""On-call and checklists API."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.permissions import IsViewer
from incidents.api.common import query_time
from incidents.api.serializers import ChecklistSerializer, OnCallSerializer, TickSerializer
from incidents.selectors import checklists as cl_sel
from incidents.selectors.oncall import who_is_on_call
from incidents.services.checklists import checklist_item_set


class OnCallViewSet(viewsets.ViewSet):
    """Who is on call, per active rotation."""

    permission_classes = [IsViewer]

    @extend_schema(
        parameters=[OpenApiParameter("at", OpenApiTypes.DATETIME, description="Instant to ask about (default now).")],
        responses=OnCallSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        """Primary and secondary of every active rotation at ``at`` (overrides applied)."""
        when = query_time(request, "at") or timezone.now()
        return Response(OnCallSerializer(who_is_on_call(when), many=True).data)


class ChecklistViewSet(viewsets.ViewSet):
    """Daily, weekly and monthly operations checklists (one instance per period)."""

    permission_classes = [IsViewer]

    @extend_schema(
        parameters=[OpenApiParameter("current", bool, description="Only instances of the running period.")],
        responses=ChecklistSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        now = timezone.now()
        instances = cl_sel.checklist_instances(
            current_only=request.query_params.get("current") in ("1", "true"), now=now
        )
        views = [cl_sel.checklist_view(i, now=now, with_evidence=False) for i in instances[:200]]
        return Response(ChecklistSerializer(views, many=True).data)

    @extend_schema(responses=ChecklistSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        """One instance with its items, who ticked them and when, and evidence where the system can check."""
        view = cl_sel.checklist_view(cl_sel.checklist_get(instance_id=pk), now=timezone.now())
        return Response(ChecklistSerializer(view).data)

    @extend_schema(request=TickSerializer, responses=ChecklistSerializer)
    @action(detail=True, methods=["post"], url_path="items/<int:item_id>/tick")
    def tick(self, request: Request, pk: str, item_id: int) -> Response:
        """Tick (done=true) or untick an item (responder role)."""
        instance = cl_sel.checklist_get(instance_id=pk)
        payload = TickSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        if not instance.items.filter(pk=int(item_id)).exists():
            from core.errors import NotFound

            raise NotFound(f"checklist {pk} has no item {item_id}.")
        checklist_item_set(actor=request.user, item_id=int(item_id), done=payload.validated_data["done"])
        return Response(ChecklistSerializer(cl_sel.checklist_view(instance, now=timezone.now())).data)
