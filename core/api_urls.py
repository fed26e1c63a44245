"""The /api/v1/ router: every app registers its viewsets here."""

from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from directorates.api import DeliverableViewSet, DirectorateViewSet
from reviews.api import AttachmentViewSet, CycleViewSet, ReportViewSet
from notifications.api import DeliveryViewSet, NotificationViewSet

router = DefaultRouter()
router.register("directorates", DirectorateViewSet, basename="directorate")
router.register("deliverables", DeliverableViewSet, basename="deliverable")
router.register("cycles", CycleViewSet, basename="cycle")
router.register("reports", ReportViewSet, basename="report")
router.register("attachments", AttachmentViewSet, basename="attachment")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("deliveries", DeliveryViewSet, basename="delivery")

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("", include(router.urls)),
]
