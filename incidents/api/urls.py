from rest_framework.routers import DefaultRouter

from incidents.api.incidents import IncidentViewSet
from incidents.api.oncall import ChecklistViewSet, OnCallViewSet
from incidents.api.postmortems import ActionItemViewSet, PostMortemViewSet

router = DefaultRouter(use_regex_path=False)
router.register("incidents", IncidentViewSet, basename="incident")
router.register("postmortems", PostMortemViewSet, basename="postmortem")
router.register("action-items", ActionItemViewSet, basename="action-item")
router.register("oncall", OnCallViewSet, basename="oncall")
router.register("checklists", ChecklistViewSet, basename="checklist")

urlpatterns = router.urls
