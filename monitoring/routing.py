from django.urls import path

from monitoring.consumers import NodesConsumer

websocket_urlpatterns = [path("ws/nodes/", NodesConsumer.as_asgi())]
