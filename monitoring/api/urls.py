from rest_framework.routers import SimpleRouter

from monitoring.api.views import NodeViewSet

router = SimpleRouter(use_regex_path=False)
router.register("nodes", NodeViewSet, basename="node")

urlpatterns = router.urls
