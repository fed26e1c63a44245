"""API: a person's notifications (list, unread count, mark read) and the DG's office's delivery log (re-send)."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from notifications import selectors, services
from notifications.filters import DeliveryFilter
from notifications.models import Delivery
from notifications.rendering import title


class NotificationSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    link = serializers.SerializerMethodField()
    read = serializers.SerializerMethodField()

    class Meta:
        model = Delivery
        fields = ["id", "kind", "title", "link", "created_at", "read", "read_at"]

    def get_title(self, obj) -> str:
        return title(obj)

    def get_link(self, obj) -> str:
        return obj.context.get("path", "/")

    def get_read(self, obj) -> bool:
        return obj.read_at is not None


class DeliverySerializer(NotificationSerializer):
    recipient = serializers.CharField(source="recipient.username")
    email = serializers.CharField(source="recipient.email")
    unit = serializers.CharField(source="directorate.code", default=None)
    # A plain string in the schema: keeps the other apps' "state" enum names as they are.
    state = serializers.CharField(help_text="pending, sent, failed or in_app")

    class Meta:
        model = Delivery
        fields = [
            "id",
            "kind",
            "title",
            "recipient",
            "email",
            "unit",
            "state",
            "attempts",
            "last_error",
            "created_at",
            "sent_at",
            "resent_at",
        ]


class MarkReadInput(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=1000,
        help_text="The notifications to mark read (default: all).",
    )


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The signed-in person's notifications, newest first."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Delivery.objects.none()
        return selectors.notification_list(user=self.request.user)

    @extend_schema(responses=inline_serializer("UnreadCount", {"unread": serializers.IntegerField()}))
    @action(detail=False, methods=["get"])
    def unread(self, request):
        return Response({"unread": selectors.unread_count(user=request.user)})

    @extend_schema(
        request=MarkReadInput, responses=inline_serializer("MarkedRead", {"marked": serializers.IntegerField()})
    )
    @action(detail=False, methods=["post"])
    def read(self, request):
        data = MarkReadInput(data=request.data)
        data.is_valid(raise_exception=True)
        marked = services.notifications_mark_read(user=request.user, ids=data.validated_data.get("ids"))
        return Response({"marked": marked})


class DeliveryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The delivery log (``?cycle=<year>``, optional ``state``, ``kind``), newest first: the DG's office."""

    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Delivery.objects.none()
        if not selectors.can_see_delivery_log(self.request.user):
            raise PermissionDenied
        return selectors.delivery_log()

    @extend_schema(request=None, responses=DeliverySerializer)
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        delivery = Delivery.objects.filter(pk=pk).first()
        if delivery is None:
            from django.http import Http404

            raise Http404
        delivery = services.delivery_resend(actor=request.user, delivery=delivery)
        return Response(DeliverySerializer(delivery).data)
