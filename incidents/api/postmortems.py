"""Post-mortems and action items API."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.permissions import IsViewer
from incidents.api.common import query_bool
from incidents.api.serializers import (
    ActionItemSerializer,
    ActionItemWriteSerializer,
    PostMortemBodySerializer,
    PostMortemSerializer,
    PreviewResultSerializer,
    PreviewSerializer,
)
from incidents.inputs import parse_id
from incidents.markdown import render_markdown
from incidents.models import PostMortem
from incidents.selectors import postmortems as sel
from incidents.services import postmortems as svc

REFUSALS = {403: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT}


def export_markdown(postmortem: PostMortem) -> str:
    """The body plus the tracked action items, as one Markdown document."""
    lines = [postmortem.body.rstrip(), "", "## Tracked Action Items"]
    for item in postmortem.action_items.select_related("owner"):
        owner = item.owner.get_username() if item.owner else "unassigned"
        due = f", due {item.due_date.isoformat()}" if item.due_date else ""
        lines.append(f"- [{'x' if item.done else ' '}] {item.title} ({item.get_kind_display()}; {owner}{due})")
    if not postmortem.action_items.exists():
        lines.append("- none yet")
    return "\n".join(lines) + "\n"


class PostMortemViewSet(viewsets.ViewSet):
    """Post-mortems (one per incident; start one with POST /api/incidents/{id}/postmortem/)."""

    permission_classes = [IsViewer]

    def _get(self, request: Request, pk: str) -> PostMortem:
        return sel.postmortem_get(user=request.user, postmortem_id=pk)

    @extend_schema(responses=PostMortemSerializer(many=True))
    def list(self, request: Request) -> Response:
        return Response(PostMortemSerializer(sel.postmortems_visible_to(request.user), many=True).data)

    @extend_schema(responses=PostMortemSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(PostMortemSerializer(self._get(request, pk)).data)

    @extend_schema(request=PostMortemBodySerializer, responses={200: PostMortemSerializer, **REFUSALS})
    def partial_update(self, request: Request, pk: str) -> Response:
        """Replace the Markdown body (commander; not once published)."""
        payload = PostMortemBodySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        postmortem = svc.postmortem_update(
            actor=request.user, postmortem=self._get(request, pk), body=payload.validated_data["body"]
        )
        return Response(PostMortemSerializer(postmortem).data)

    def _command(self, request: Request, pk: str, command: str) -> Response:
        postmortem = svc.postmortem_transition(actor=request.user, postmortem=self._get(request, pk), command=command)
        return Response(PostMortemSerializer(postmortem).data)

    @extend_schema(request=None, responses={200: PostMortemSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        """draft → in review."""
        return self._command(request, pk, "submit")

    @extend_schema(request=None, responses={200: PostMortemSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        """in review → draft."""
        return self._command(request, pk, "reopen")

    @extend_schema(request=None, responses={200: PostMortemSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        """in review → published. 409 with error.details.missing listing the required documentation not covered."""
        return self._command(request, pk, "publish")

    @extend_schema(responses={(200, "text/markdown"): OpenApiResponse(OpenApiTypes.STR, description="Markdown file")})
    @action(detail=True, methods=["get"])
    def export(self, request: Request, pk: str) -> HttpResponse:
        """Download the post-mortem as a Markdown file."""
        postmortem = self._get(request, pk)
        response = HttpResponse(export_markdown(postmortem), content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="postmortem-incident-{postmortem.incident_id}.md"'
        return response

    @extend_schema(request=PreviewSerializer, responses=PreviewResultSerializer)
    @action(detail=False, methods=["post"])
    def preview(self, request: Request) -> Response:
        """Render Markdown to sanitised HTML (live preview) and list the required documentation missing."""
        payload = PreviewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        body = payload.validated_data["body"]
        return Response({"html": render_markdown(body), "missing": svc.documentation_missing(body)})

    @extend_schema(request=ActionItemWriteSerializer, responses={201: ActionItemSerializer})
    @action(detail=True, methods=["post"], url_path="action-items")
    def action_items(self, request: Request, pk: str) -> Response:
        """Add an action item (owner, due date, kind) to the post-mortem (commander)."""
        payload = ActionItemWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        item = svc.action_item_create(
            actor=request.user, postmortem=self._get(request, pk), data=dict(payload.validated_data)
        )
        return Response(ActionItemSerializer(item).data, status=status.HTTP_201_CREATED)


class ActionItemViewSet(viewsets.ViewSet):
    """Action items across all post-mortems."""

    permission_classes = [IsViewer]

    @extend_schema(
        parameters=[
            OpenApiParameter("done", bool, description="true: only done; false: only open."),
            OpenApiParameter("owner", int, description="Owner's user id."),
        ],
        responses=ActionItemSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        owner_raw = request.query_params.get("owner")
        items = sel.action_items_visible_to(
            request.user,
            done=query_bool(request, "done"),
            owner_id=parse_id(owner_raw, field="owner") if owner_raw else None,
        )
        return Response(ActionItemSerializer(items, many=True).data)

    @extend_schema(request=ActionItemWriteSerializer, responses=ActionItemSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change an item (commander), or tick your own item done (its owner)."""
        payload = ActionItemWriteSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        item = svc.action_item_update(
            actor=request.user,
            item=sel.action_item_get(user=request.user, item_id=pk),
            data=dict(payload.validated_data),
        )
        return Response(ActionItemSerializer(item).data)
