from rest_framework.routers import DefaultRouter

from monitoring.api.views import NodeViewSet

router = DefaultRouter()
router.register("nodes", NodeViewSet, basename="node")

urlpatterns = router.urls
