"""API for the organisation tree and the cahiers des charges."""

from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, viewsets

from core.api import ConditionalWriteMixin
from core.errors import NotAllowed
from directorates import selectors, services
from directorates.filters import DeliverableFilter, DirectorateFilter
from directorates.models import Deliverable, Directorate


class DirectorateSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    # A declared field named like Field.parent: DRF's serializer metaclass takes it out of the class.
    parent: "serializers.SlugRelatedField[Directorate]" = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Directorate
        fields = ["code", "name", "name_fr", "name_ar", "name_en", "kind", "parent", "is_active"]


class DirectorateViewSet(viewsets.ReadOnlyModelViewSet):
    """Units of the organisation that the caller may see."""

    serializer_class = DirectorateSerializer
    lookup_field = "code"
    filterset_class = DirectorateFilter

    def get_queryset(self):
        return selectors.directorate_list(user=self.request.user)


class DeliverableSerializer(serializers.ModelSerializer):
    directorate = serializers.SlugRelatedField(slug_field="code", queryset=Directorate.objects.all())
    reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Why the DG's office changes by hand a deliverable handed over from the approved roadmap.",
    )

    class Meta:
        model = Deliverable
        fields = [
            "id",
            "directorate",
            "year",
            "title",
            "description",
            "category",
            "target_quantity",
            "target_unit",
            "target_date",
            "due_date",
            "origin",
            "origin_reference",
            "reason",
        ]
        read_only_fields = ["origin", "origin_reference"]
        # Uniqueness is the service's to check, with its own message.
        validators: list[object] = []


class DeliverableViewSet(
    ConditionalWriteMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """A unit's cahier des charges: ``?year=&directorate=<code>``."""

    serializer_class = DeliverableSerializer
    filterset_class = DeliverableFilter

    def get_queryset(self):
        return selectors.deliverable_list(user=self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        directorate = data.pop("directorate")
        if not selectors.directorate_list(user=self.request.user).filter(pk=directorate.pk).exists():
            raise serializers.ValidationError({"directorate": ["Unknown unit."]})
        data.pop("reason", None)
        serializer.instance = services.deliverable_create(
            actor=self.request.user, directorate=directorate, year=data.pop("year"), **data
        )

    def update(self, request, *args, **kwargs):
        if not services.can_manage_deliverables(request.user, self.get_object().directorate):
            raise NotAllowed(_("You may not change this unit's cahier des charges."))
        return self.with_etag(super().update(request, *args, **kwargs))

    def perform_update(self, serializer):
        self.require_unchanged(serializer.instance)
        data = dict(serializer.validated_data)
        data.pop("directorate", None)
        data.pop("year", None)
        serializer.instance = services.deliverable_update(
            actor=self.request.user, deliverable=serializer.instance, reason=data.pop("reason", ""), **data
        )
