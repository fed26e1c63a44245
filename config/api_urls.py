"""The /api/v1/ router: every app's viewsets, registered where the project is put together."""

from django.urls import include, path, re_path

from accounts.api import TokenDetailView, TokenListView, TokenView
from core.api import Router
from directorates.api import DeliverableViewSet, DirectorateViewSet
from figures.api import BilanViewSet, FigureViewSet, IndicatorViewSet
from notifications.api import DeliveryViewSet, NotificationViewSet
from reviews.api import AttachmentViewSet, CycleViewSet, ReportViewSet
from roadmap.api import MilestoneViewSet, ObjectiveViewSet, PriorityViewSet, RoadmapViewSet

# No ".json" suffix URLs: the API speaks JSON by its Accept header, and several actions take no `format`
# argument (a suffix URL answered 500; found by tests/ux/test_crawler.py).
router = Router()
router.include_format_suffixes = False
router.register("directorates", DirectorateViewSet, basename="directorate")
router.register("deliverables", DeliverableViewSet, basename="deliverable")
router.register("cycles", CycleViewSet, basename="cycle")
router.register("reports", ReportViewSet, basename="report")
router.register("attachments", AttachmentViewSet, basename="attachment")
router.register("priorities", PriorityViewSet, basename="priority")
router.register("roadmaps", RoadmapViewSet, basename="roadmap")
router.register("objectives", ObjectiveViewSet, basename="objective")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("figures", FigureViewSet, basename="figure")
router.register("bilan", BilanViewSet, basename="bilan")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("deliveries", DeliveryViewSet, basename="delivery")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/tokens/", TokenListView.as_view(), name="api-token-list"),
    re_path(r"^auth/tokens/(?P<token_id>[0-9a-f]{16})/$", TokenDetailView.as_view(), name="api-token-detail"),
    path("", include(router.urls)),
]
