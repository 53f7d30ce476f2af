"""Base WebSocket consumer: authenticated streams with per-event checks."""

from __future__ import annotations

import time
from importlib import import_module
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ObjectDoesNotExist

from core.realtime import StreamEvent, group_name
from core.roles import Role, has_role

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
# Role and session are re-read at most this often per connection (log streams send many events).
PERMISSION_RECHECK_SECONDS = 5.0


class StreamConsumer(AsyncJsonWebsocketConsumer):
    """Subclasses name their streams and may narrow who receives each event."""

    minimum_role: Role = Role.VIEWER

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if not await self._still_allowed(force=True):  # also refuses a logged-out session
            await self.close(code=CLOSE_FORBIDDEN)
            return
        streams = await self.streams()
        if streams is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.joined = [group_name(stream) for stream in streams]
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def streams(self) -> list[str] | None:
        """The streams this connection follows, or None to refuse it."""
        raise NotImplementedError

    async def may_receive(self, event: StreamEvent) -> bool:
        """Per-event check; by default the role is re-checked every 30 s."""
        return await self._still_allowed()

    async def stream_event(self, message: dict[str, Any]) -> None:
        event: StreamEvent = message["event"]
        if await self.may_receive(event):
            await self.send_json(event)
        elif not await self._still_allowed():
            await self.close(code=CLOSE_FORBIDDEN)

    async def _still_allowed(self, *, force: bool = False) -> bool:
        now = time.monotonic()
        checked_at = getattr(self, "_role_checked_at", 0.0)
        if force or now - checked_at > PERMISSION_RECHECK_SECONDS:
            self._role_ok = await database_sync_to_async(self._check_role)()
            self._role_checked_at = now
        return bool(self._role_ok)

    def _check_role(self) -> bool:
        user = self.scope["user"]
        if not self._session_still_valid(user):
            return False
        try:
            user.refresh_from_db(fields=["is_active", "is_superuser"])
        except ObjectDoesNotExist:  # the account was deleted
            return False
        if hasattr(user, "_console_group_names"):
            del user._console_group_names
        return has_role(user, self.minimum_role)

    def _session_still_valid(self, user: Any) -> bool:
        """A browser that logged out, or whose session expired, stops receiving at once."""
        session = self.scope.get("session")
        if session is None or session.session_key is None:
            # Only connections built without the session middleware (tests with a forced user).
            return session is None
        store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session.session_key)
        data = store.load()  # {} when deleted or expired
        return str(data.get(SESSION_KEY, "")) == str(user.pk)
