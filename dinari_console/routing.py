"""WebSocket routes of every app, gathered in one list."""

from django.urls import URLPattern, URLResolver

from incidents.routing import websocket_urlpatterns as incidents_ws
from monitoring.routing import websocket_urlpatterns as monitoring_ws

websocket_urlpatterns: list[URLPattern | URLResolver] = [*monitoring_ws, *incidents_ws]
