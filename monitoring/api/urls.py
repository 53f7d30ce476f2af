from rest_framework.routers import DefaultRouter

from monitoring.api.views import NodeViewSet

router = DefaultRouter(use_regex_path=False)
router.register("nodes", NodeViewSet, basename="node")

urlpatterns = router.urls
