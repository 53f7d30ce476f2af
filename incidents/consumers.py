"""The incident page's WebSocket: timeline entries and pins of one incident."""

from __future__ import annotations

from channels.db import database_sync_to_async

from core.consumers import StreamConsumer
from core.realtime import StreamEvent
from incidents.models import Incident
from incidents.selectors.incidents import can_see
from incidents.services.timeline import incident_pins_stream, incident_stream


class IncidentConsumer(StreamConsumer):
    """Viewer role and up; level 3-4 security incidents only for the security group and admins."""

    def _incident_id(self) -> int:
        return int(self.scope["url_route"]["kwargs"]["incident_id"])

    def _visible(self) -> bool:
        user = self.scope["user"]
        if hasattr(user, "_console_group_names"):
            del user._console_group_names
        incident = Incident.objects.filter(pk=self._incident_id()).first()
        return incident is not None and can_see(user, incident)

    async def streams(self) -> list[str] | None:
        if not await database_sync_to_async(self._visible)():
            return None
        incident_id = self._incident_id()
        return [incident_stream(incident_id), incident_pins_stream(incident_id)]

    async def may_receive(self, event: StreamEvent) -> bool:
        """Re-checked per event: a raised security level cuts off users outside the security group."""
        if not await self._still_allowed():
            return False
        return bool(await database_sync_to_async(self._visible)())
