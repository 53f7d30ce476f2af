"""WebSocket routes of every app, gathered in one list."""

from django.urls import URLPattern, URLResolver

from monitoring.routing import websocket_urlpatterns as monitoring_ws

websocket_urlpatterns: list[URLPattern | URLResolver] = [*monitoring_ws]
