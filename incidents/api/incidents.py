"""Incidents API: declare, read, one POST per lifecycle command, timeline, notes, pins."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response

from core.permissions import IsViewer
from incidents.api.common import query_int, query_time
from incidents.api.serializers import (
    IncidentDeclareSerializer,
    IncidentSerializer,
    IncidentUpdateSerializer,
    NoteSerializer,
    ParticipantSerializer,
    PinSerializer,
    PostMortemCreateSerializer,
    PostMortemSerializer,
    TimelineEntrySerializer,
    UserIdSerializer,
)
from incidents.models import Incident
from incidents.selectors import incidents as sel
from incidents.services import incidents as svc
from incidents.services import postmortems as pm_svc
from incidents.services import timeline as tl_svc

CONFLICT = {409: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT}


class IncidentViewSet(viewsets.ViewSet):
    """Incidents. Level 3-4 security incidents exist only for the security group and admins."""

    permission_classes = [IsViewer]

    def _get(self, request: Request, pk: str) -> Incident:
        return sel.incident_get(user=request.user, incident_id=pk)

    @extend_schema(
        parameters=[
            OpenApiParameter("severity", str, enum=["P0", "P1", "P2", "P3"]),
            OpenApiParameter("status", str, enum=["triggered", "acknowledged", "mitigated", "resolved", "closed"]),
            OpenApiParameter("kind", str),
            OpenApiParameter("since", OpenApiTypes.DATETIME, description="Detected at or after."),
            OpenApiParameter("until", OpenApiTypes.DATETIME, description="Detected at or before."),
            OpenApiParameter("search", str, description="Substring of title or description."),
        ],
        responses=IncidentSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        """Incidents, newest first, filtered; paginated with limit/offset."""
        queryset = sel.incident_list(
            user=request.user,
            severity=request.query_params.get("severity"),
            status=request.query_params.get("status"),
            kind=request.query_params.get("kind"),
            since=query_time(request, "since"),
            until=query_time(request, "until"),
            search=request.query_params.get("search"),
        )
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(IncidentSerializer(page, many=True).data)

    @extend_schema(responses=IncidentSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(IncidentSerializer(self._get(request, pk)).data)

    @extend_schema(request=IncidentDeclareSerializer, responses={201: IncidentSerializer, 400: OpenApiTypes.OBJECT})
    def create(self, request: Request) -> Response:
        """Declare an incident (responder role). Pages the on-call chain per the severity's policy."""
        payload = IncidentDeclareSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        incident = svc.incident_declare(actor=request.user, **payload.validated_data)
        return Response(IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=IncidentUpdateSerializer, responses=IncidentSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        """Edit descriptive fields (commander role); each change goes to the timeline. Status is not editable."""
        payload = IncidentUpdateSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data.update({name: request.data[name] for name in set(request.data) - set(payload.fields)})
        incident = svc.incident_update(actor=request.user, incident=self._get(request, pk), data=data)
        return Response(IncidentSerializer(incident).data)

    def _command(self, request: Request, pk: str, command: str) -> Response:
        incident = svc.incident_transition(actor=request.user, incident=self._get(request, pk), command=command)
        return Response(IncidentSerializer(incident).data)

    @extend_schema(request=None, responses={200: IncidentSerializer, **CONFLICT})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str) -> Response:
        """triggered → acknowledged (responder). Stops the escalation. 409 from any other state."""
        return self._command(request, pk, "acknowledge")

    @extend_schema(request=None, responses={200: IncidentSerializer, **CONFLICT})
    @action(detail=True, methods=["post"])
    def mitigate(self, request: Request, pk: str) -> Response:
        """acknowledged → mitigated (commander). 409 from any other state."""
        return self._command(request, pk, "mitigate")

    @extend_schema(request=None, responses={200: IncidentSerializer, **CONFLICT})
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str) -> Response:
        """acknowledged or mitigated → resolved (commander). 409 from any other state."""
        return self._command(request, pk, "resolve")

    @extend_schema(request=None, responses={200: IncidentSerializer, **CONFLICT})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        """resolved → closed (commander). 409 from any other state."""
        return self._command(request, pk, "close")

    @extend_schema(request=UserIdSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def commander(self, request: Request, pk: str) -> Response:
        """Assign (or with null, clear) the incident commander (commander role)."""
        payload = UserIdSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        incident = svc.incident_set_commander(
            actor=request.user, incident=self._get(request, pk), user_id=payload.validated_data["user_id"]
        )
        return Response(IncidentSerializer(incident).data)

    @extend_schema(request=ParticipantSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def participants(self, request: Request, pk: str) -> Response:
        """Add or remove a participant (responders: themselves; commanders: anyone)."""
        payload = ParticipantSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        incident = svc.incident_participant_set(
            actor=request.user, incident=self._get(request, pk), **payload.validated_data
        )
        return Response(IncidentSerializer(incident).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("after_seq", int, description="Only entries with seq > after_seq (fill live gaps)."),
            OpenApiParameter("pinned", bool, description="Only pinned entries."),
        ],
        responses=TimelineEntrySerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def timeline(self, request: Request, pk: str) -> Response:
        """The timeline in seq order (not paginated; use after_seq to fetch what you missed)."""
        entries = sel.timeline_entries(
            incident=self._get(request, pk),
            after_seq=query_int(request, "after_seq"),
            pinned_only=request.query_params.get("pinned") in ("1", "true"),
        )
        return Response(TimelineEntrySerializer(entries, many=True).data)

    @extend_schema(request=NoteSerializer, responses={201: TimelineEntrySerializer})
    @action(detail=True, methods=["post"])
    def notes(self, request: Request, pk: str) -> Response:
        """Add a manual note to the timeline (responder role)."""
        payload = NoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        entry = tl_svc.incident_note_add(
            actor=request.user, incident=self._get(request, pk), text=payload.validated_data["text"]
        )
        return Response(TimelineEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PinSerializer, responses=TimelineEntrySerializer)
    @action(detail=True, methods=["post"], url_path="timeline/<int:seq>/pin")
    def pin(self, request: Request, pk: str, seq: int) -> Response:
        """Pin or unpin a timeline entry (responder role)."""
        payload = PinSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        entry = tl_svc.timeline_pin(
            actor=request.user, incident=self._get(request, pk), seq=int(seq), pinned=payload.validated_data["pinned"]
        )
        return Response(TimelineEntrySerializer(entry).data)

    @extend_schema(request=PostMortemCreateSerializer, responses={201: PostMortemSerializer, 409: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def postmortem(self, request: Request, pk: str) -> Response:
        """Start the incident's post-mortem from the playbook template (commander; one per incident)."""
        payload = PostMortemCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        postmortem = pm_svc.postmortem_create(
            actor=request.user, incident=self._get(request, pk), pinned_only=payload.validated_data["pinned_only"]
        )
        return Response(PostMortemSerializer(postmortem).data, status=status.HTTP_201_CREATED)
