"""API for priorities, roadmaps, objectives and milestone progress. Every write calls roadmap.services."""

from decimal import Decimal

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ConditionalWriteMixin, DeferredJoinPagination
from core.errors import NotAllowed
from core.filters import YEAR_MAX, YEAR_MIN, api_filters
from directorates.models import Deliverable, Directorate
from roadmap import permissions, selectors, services
from roadmap.filters import DiffFilter, ObjectiveFilter, PriorityFilter
from roadmap.models import (
    Milestone,
    Objective,
    ObjectiveStatus,
    Priority,
    ProgressUpdate,
    Roadmap,
    RoadmapState,
    SourceKind,
)

# ---------------------------------------------------------------- priorities


class PrioritySerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(
        source="cycle.year", read_only=True, help_text="The year of the meeting where the DG gave it."
    )
    roadmap_year = serializers.SerializerMethodField()
    owners = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Directorate.objects.all(), required=False
    )
    has_owner = serializers.SerializerMethodField()

    class Meta:
        model = Priority
        fields = [
            "id",
            "year",
            "roadmap_year",
            "code",
            "title_fr",
            "title_ar",
            "title_en",
            "text_fr",
            "text_ar",
            "text_en",
            "owners",
            "has_owner",
        ]

    def get_roadmap_year(self, obj) -> int:
        return obj.cycle.year + 1

    def get_has_owner(self, obj) -> bool:
        count = getattr(obj, "owner_count", None)
        return bool(count if count is not None else obj.owners.exists())


class PriorityCreateSerializer(PrioritySerializer):
    year = serializers.IntegerField(help_text="The year of the meeting (review cycle).")


class PriorityViewSet(
    ConditionalWriteMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """The priorities of the DG's orientation speech.

    ``year`` is the meeting's year (review cycle); they shape the next year's roadmap.
    """

    serializer_class = PrioritySerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    filterset_class = PriorityFilter

    def get_queryset(self):
        return selectors.priority_list().order_by("cycle__year", "code")

    @extend_schema(request=PriorityCreateSerializer, responses={201: PrioritySerializer})
    def create(self, request):
        if not permissions.can_record_priorities(request.user):
            raise NotAllowed(_("Only the DG or the DG's office may record the priorities."))
        data = PriorityCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        cycle = selectors.cycle_for_year(values.pop("year"))
        if cycle is None:
            raise serializers.ValidationError({"year": ["No review cycle for this year."]})
        values.pop("cycle", None)
        priority = services.priority_create(actor=request.user, cycle=cycle, **values)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=priority.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=PrioritySerializer, responses=PrioritySerializer)
    def partial_update(self, request, pk=None):
        priority = self.get_object()
        data = PrioritySerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        self.require_unchanged(priority, may_write=permissions.can_record_priorities(request.user))
        values = dict(data.validated_data)
        services.priority_update(actor=request.user, priority=priority, **values)
        return self.with_etag(Response(self.get_serializer(self.get_queryset().get(pk=priority.pk)).data))


# ---------------------------------------------------------------- objectives

CENTS = Decimal("0.01")  # as the database stores milestone values (SQLite returns computed ones unscaled)


class ProgressSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = ProgressUpdate
        fields = ["id", "value", "comment", "evidence", "recorded_on", "recorded_by", "created_at"]
        read_only_fields = ["id", "recorded_by", "created_at"]
        extra_kwargs = {"recorded_on": {"required": False}}


class MilestoneSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False)
    title = serializers.CharField(allow_blank=True, max_length=300, required=False)
    quarter = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=4)
    due_date = serializers.DateField(required=False)
    target_value = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    latest_value = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    progress = ProgressSerializer(many=True, read_only=True, source="tracked_progress")

    class Meta:
        model = Milestone
        fields = ["id", "title", "quarter", "due_date", "target_value", "latest_value", "status", "progress"]

    # Both annotated by the database (roadmap.status) on the milestones prefetched by roadmap.selectors.
    def get_latest_value(self, obj) -> str | None:
        return None if obj.latest_value is None else str(Decimal(obj.latest_value).quantize(CENTS))

    def get_status(self, obj) -> str:
        return obj.status


class SourceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SourceKind.choices, source="source_kind")
    deliverable = serializers.IntegerField(source="source_deliverable_id", allow_null=True)
    deliverable_title = serializers.SerializerMethodField()
    constraint = serializers.IntegerField(source="source_constraint_id", allow_null=True)
    priority = serializers.SerializerMethodField()

    def get_deliverable_title(self, obj) -> str | None:
        return obj.source_deliverable.title if obj.source_deliverable_id else None

    def get_priority(self, obj) -> str | None:
        return obj.priority.code if obj.source_kind == SourceKind.PRIORITY and obj.priority else None


class ObjectiveSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="roadmap.year")
    owner = serializers.CharField(source="owner.code")
    priority = serializers.SerializerMethodField()
    # A declared field named like Field.source: DRF's serializer metaclass takes it out of the class.
    source = SourceSerializer(source="*")  # type: ignore[assignment]
    merged_into = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=ObjectiveStatus.choices)
    milestones = MilestoneSerializer(many=True)

    class Meta:
        model = Objective
        fields = [
            "id",
            "ref",
            "year",
            "owner",
            "priority",
            "title",
            "description",
            "category",
            "target",
            "target_quantity",
            "target_unit",
            "achieved_so_far",
            "source",
            "state",
            "drop_reason",
            "merged_into",
            "status",
            "milestones",
            "updated_at",
        ]

    def get_priority(self, obj) -> str | None:
        return obj.priority.code if obj.priority else None

    def get_merged_into(self, obj) -> str | None:
        return obj.merged_into.ref if obj.merged_into_id else None


class ObjectiveInputSerializer(serializers.Serializer):
    year = serializers.IntegerField(
        required=False, min_value=YEAR_MIN, max_value=YEAR_MAX, help_text="The roadmap's year (creation only)."
    )
    owner = serializers.SlugRelatedField(slug_field="code", queryset=Directorate.objects.all(), required=False)
    priority = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, help_text="The priority's code, or null."
    )
    title = serializers.CharField(max_length=300, required=False)
    description = serializers.CharField(allow_blank=True, required=False)
    category = serializers.ChoiceField(choices=Deliverable.Category.choices, required=False)
    target = serializers.CharField(allow_blank=True, max_length=300, required=False)
    target_quantity = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True, required=False)
    target_unit = serializers.CharField(allow_blank=True, max_length=50, required=False)
    achieved_so_far = serializers.CharField(allow_blank=True, required=False)
    milestones = MilestoneSerializer(many=True, required=False, help_text="Replaces the list; keep ids to update.")


class DropInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="")


class MergeInput(serializers.Serializer):
    objectives = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        default=list,
        max_length=500,
        help_text="References of the objectives merged into this one",
    )


class SplitInput(serializers.Serializer):
    titles = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=300), required=False, default=list, max_length=100
    )


class ObjectiveViewSet(
    ConditionalWriteMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Objectives of a roadmap with their milestones, source and computed status.

    Unit people see their units' objectives once the roadmap is approved; the DG's office sees all.
    """

    serializer_class = ObjectiveSerializer
    filterset_class = ObjectiveFilter  # read by list() itself, and by the OpenAPI schema
    pagination_class = DeferredJoinPagination  # 15,000 objectives at national scale, ordered by unit
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.objective_queryset(user=self.request.user)

    def get_object(self):
        return get_object_or_404(selectors.objective_by_id(user=self.request.user, pk=self.kwargs["pk"]))

    def _year(self, year=None):
        if year:
            return year
        latest = Roadmap.objects.order_by("-year").values_list("year", flat=True).first()
        return latest or timezone.localdate().year

    def list(self, request):
        filters = api_filters(ObjectiveFilter, request.query_params)
        objectives = selectors.objective_list(
            user=request.user, year=self._year(filters.form.cleaned_data.get("year")), **filters.selector_kwargs()
        )
        page = self.paginate_queryset(objectives)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _values(self, data, roadmap):
        values = dict(data.validated_data)
        values.pop("year", None)
        if "priority" in values:
            code = values.pop("priority")
            values["priority"] = None
            if code:
                values["priority"] = Priority.objects.filter(cycle_id=roadmap.cycle_id, code=code).first()
                if values["priority"] is None:
                    raise serializers.ValidationError({"priority": ["No such priority for this roadmap."]})
        if "milestones" in values:
            values["milestones"] = [dict(m) for m in values["milestones"]]
        return values

    @extend_schema(request=ObjectiveInputSerializer, responses={201: ObjectiveSerializer})
    def create(self, request):
        data = ObjectiveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        roadmap = Roadmap.objects.filter(year=self._year(data.validated_data.get("year"))).first()
        if roadmap is None:
            raise serializers.ValidationError({"year": ["No roadmap for this year: compile it first."]})
        objective = services.objective_create(actor=request.user, roadmap=roadmap, **self._values(data, roadmap))
        return Response(
            self.get_serializer(self.get_queryset().get(pk=objective.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=ObjectiveInputSerializer, responses=ObjectiveSerializer)
    def partial_update(self, request, pk=None):
        objective = self.get_object()
        data = ObjectiveInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        self.require_unchanged(objective, may_write=permissions.can_prepare(request.user))
        services.objective_update(actor=request.user, objective=objective, **self._values(data, objective.roadmap))
        return self.with_etag(Response(self.get_serializer(self.get_object()).data))

    @extend_schema(request=DropInput, responses=ObjectiveSerializer)
    @action(detail=True, methods=["post"])
    def drop(self, request, pk=None):
        data = DropInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.objective_drop(actor=request.user, objective=self.get_object(), reason=data.validated_data["reason"])
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=MergeInput, responses=ObjectiveSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        data = MergeInput(data=request.data)
        data.is_valid(raise_exception=True)
        into = self.get_object()
        others = list(
            Objective.objects.filter(
                roadmap=into.roadmap, is_draft=into.is_draft, ref__in=data.validated_data["objectives"]
            )
        )
        services.objective_merge(actor=request.user, into=into, others=others)
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=SplitInput, responses=ObjectiveSerializer(many=True))
    @action(detail=True, methods=["post"])
    def split(self, request, pk=None):
        data = SplitInput(data=request.data)
        data.is_valid(raise_exception=True)
        parts = services.objective_split(
            actor=request.user, objective=self.get_object(), titles=data.validated_data["titles"]
        )
        fresh = self.get_queryset().filter(pk__in=[p.pk for p in parts])
        return Response(self.get_serializer(fresh, many=True).data, status=status.HTTP_201_CREATED)


class MilestoneViewSet(viewsets.GenericViewSet):
    """Milestones: progress is recorded by the head of the objective's owner unit."""

    serializer_class = ProgressSerializer

    def get_queryset(self):
        return Milestone.objects.filter(
            objective__in=selectors.objective_queryset(user=self.request.user).values("pk")
        ).select_related("objective__owner", "objective__roadmap")

    @extend_schema(request=ProgressSerializer, responses={201: ProgressSerializer})
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        milestone = get_object_or_404(self.get_queryset(), pk=pk)
        if not permissions.can_record_progress(request.user, milestone.objective):
            raise NotAllowed(_("Only the head of the objective's unit records its progress."))
        data = ProgressSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        update = services.progress_record(actor=request.user, milestone=milestone, **data.validated_data)
        return Response(ProgressSerializer(update).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------- roadmaps


class RoadmapVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    proposed_by = serializers.CharField(source="proposed_by.username", allow_null=True, default=None)
    proposed_at = serializers.DateTimeField(allow_null=True)
    approved_by = serializers.CharField(source="approved_by.username")
    approved_at = serializers.DateTimeField()
    comment = serializers.CharField()


class RoadmapEventSerializer(serializers.Serializer):
    old_state = serializers.CharField()
    new_state = serializers.CharField()
    version = serializers.IntegerField()
    actor = serializers.CharField(source="actor.username")
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()


class RoadmapSerializer(serializers.ModelSerializer):
    from_cycle = serializers.IntegerField(source="cycle.year")
    objective_count = serializers.SerializerMethodField()
    versions = RoadmapVersionSerializer(many=True)
    events = RoadmapEventSerializer(many=True)
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Roadmap
        fields = [
            "year",
            "from_cycle",
            "state",
            "version",
            "approved_version",
            "compiled_at",
            "objective_count",
            "versions",
            "events",
            "actions",
        ]

    def get_objective_count(self, obj) -> int:
        return obj.objective_count

    def get_actions(self, obj) -> list[str]:
        return permissions.available_actions(self.context["request"].user, obj)

    def to_representation(self, obj):
        data = super().to_representation(obj)
        if permissions.can_read_drafts(self.context["request"].user):
            return data
        # A unit reads the roadmap as of its last approved version: nothing of a draft being worked on,
        # no state changes and no comments (docs/roadmap.md, "Who reads what").
        approved = [v for v in data["versions"] if v["number"] <= (obj.approved_version or 0)]
        return {
            **data,
            "state": RoadmapState.APPROVED.value,
            "version": obj.approved_version,
            "compiled_at": None,
            "versions": [{**v, "comment": ""} for v in approved],
            "events": [],
            "actions": [],
        }


class RoadmapCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(allow_blank=True, required=False, default="")


class RoadmapViewSet(viewsets.GenericViewSet, mixins.RetrieveModelMixin, mixins.ListModelMixin):
    """Next year's roadmap: draft → proposed → approved or sent back to draft; versions.

    Proposing needs the right to prepare the roadmap, approving or sending back the right to approve it
    (the DG's office's members given it, and the DG); with four eyes on, not by the version's proposer.
    """

    serializer_class = RoadmapSerializer
    lookup_field = "year"
    lookup_value_regex = r"\d{4}"

    def get_queryset(self):
        return selectors.roadmap_list(user=self.request.user)

    def _respond(self, roadmap, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=roadmap.pk)).data, status=code)

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "CompileResult", {"roadmap": RoadmapSerializer(), "created": serializers.IntegerField()}
        ),
    )
    @action(detail=True, methods=["post"])
    def compile(self, request, year=None):
        cycle = selectors.cycle_for_year(int(year) - 1)
        if cycle is None:
            raise Http404
        roadmap, created = services.roadmap_compile(actor=request.user, cycle=cycle)
        return Response(
            {"roadmap": self.get_serializer(self.get_queryset().get(pk=roadmap.pk)).data, "created": created}
        )

    def _move(self, request, service):
        data = RoadmapCommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        roadmap = service(actor=request.user, roadmap=self.get_object(), comment=data.validated_data["comment"])
        return self._respond(roadmap)

    @extend_schema(request=RoadmapCommentSerializer, responses=RoadmapSerializer)
    @action(detail=True, methods=["post"])
    def propose(self, request, year=None):
        return self._move(request, services.roadmap_propose)

    @extend_schema(request=RoadmapCommentSerializer, responses=RoadmapSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, year=None):
        return self._move(request, services.roadmap_approve)

    @extend_schema(request=RoadmapCommentSerializer, responses=RoadmapSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, year=None):
        return self._move(request, services.roadmap_return)

    @extend_schema(request=RoadmapCommentSerializer, responses=RoadmapSerializer)
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, year=None):
        return self._move(request, services.roadmap_new_version)

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.INT, description="Older version number (default: previous)."),
            OpenApiParameter(
                "to", OpenApiTypes.INT, description="Newer version number, or omit for the current draft."
            ),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=True, methods=["get"])
    def diff(self, request, year=None):
        if not permissions.can_read_drafts(request.user):
            raise NotAllowed(_("Only the DG's office and the DG compare roadmap versions."))
        versions = api_filters(DiffFilter, request.query_params).form.cleaned_data
        roadmap = self.get_object()
        old, new = _diff_pair(roadmap, versions.get("from"), versions.get("to"))
        if old is None:
            return Response({"detail": "No approved version to compare with.", "errors": {}}, status=404)
        return Response({"from": old["version"], "to": new["version"], **services.snapshot_diff(old, new)})


def _diff_pair(roadmap, from_number=None, to_number=None):
    """The two snapshots to compare: by default the last approved version against the current state."""
    by_number = {v.number: v.snapshot for v in roadmap.versions.all()}
    if to_number in by_number:
        new = by_number[to_number]
    else:
        new = services.snapshot(roadmap)
    if from_number:
        old = by_number.get(from_number)
    else:
        older = [n for n in by_number if n < new["version"]]
        old = by_number[max(older)] if older else None
    return old, new
