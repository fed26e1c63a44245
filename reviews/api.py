"""API for review cycles and annual reports. Every write calls a service in reviews.services."""

from collections import defaultdict

from django.conf import settings
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api import ConditionalWriteMixin, PreconditionFailed, PreconditionRequired, if_match_tags
from core.errors import NotAllowed
from directorates.models import Directorate
from directorates.permissions import visible_directorates_q
from reviews import permissions, selectors, services
from reviews.filters import CycleFilter, ReportFilter
from reviews.models import (
    Achievement,
    Attachment,
    DeadlineExtension,
    Outcome,
    Report,
    ReportConstraint,
    ReportEvent,
    ReviewCycle,
    ReviewItem,
    ReviewItemComment,
)


class CycleSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewCycle
        fields = ["year", "submission_deadline", "meeting_date", "state", "closed_at"]


class CycleViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CycleSerializer
    lookup_field = "year"
    lookup_value_regex = r"\d{4}"
    filterset_class = CycleFilter

    def get_queryset(self):
        return selectors.cycle_list()


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name")
    uploaded_by = serializers.CharField(source="uploaded_by.username")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "uploaded_by", "uploaded_at", "url"]

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        path = f"/api/v1/attachments/{obj.pk}/"
        return request.build_absolute_uri(path) if request else path


class OutcomeSerializer(serializers.ModelSerializer):
    deliverable_title = serializers.CharField(source="deliverable.title")
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Outcome
        fields = ["deliverable", "deliverable_title", "status", "percent_done", "comment", "evidence", "attachments"]


class AchievementSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False)

    class Meta:
        model = Achievement
        fields = ["id", "title", "description"]


class ConstraintSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False)

    class Meta:
        model = ReportConstraint
        fields = ["id", "category", "description", "remedy", "needs_action"]


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username")

    class Meta:
        model = ReportEvent
        fields = ["old_state", "new_state", "actor", "comment", "created_at"]


class ExtensionSerializer(serializers.ModelSerializer):
    granted_by = serializers.CharField(source="granted_by.username")

    class Meta:
        model = DeadlineExtension
        fields = ["previous_deadline", "until", "reason", "granted_by", "granted_at"]


class ReviewItemCommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username")

    class Meta:
        model = ReviewItemComment
        fields = ["author", "text", "created_at"]


class ReviewItemSerializer(serializers.ModelSerializer):
    flag = serializers.IntegerField(source="pk", help_text="This flag's own id (to post to its thread).")
    id = serializers.IntegerField(
        source="item_id",
        help_text="The item as the report names it: the deliverable "
        "for an outcome, else the figure, achievement or "
        "constraint.",
    )
    resolved = serializers.BooleanField()
    flagged_by = serializers.CharField(source="flagged_by.username")
    comments = ReviewItemCommentSerializer(many=True)

    class Meta:
        model = ReviewItem
        fields = [
            "flag",
            "kind",
            "id",
            "label",
            "comment",
            "resolved",
            "resolved_at",
            "flagged_by",
            "created_at",
            "before",
            "after",
            "comments",
        ]


class ReportSerializer(serializers.ModelSerializer):
    directorate = serializers.CharField(source="directorate.code")
    year = serializers.IntegerField(source="cycle.year")
    deadline = serializers.DateField(read_only=True, help_text="The unit's own deadline: the cycle's, or extended.")
    late = serializers.SerializerMethodField()
    completeness = serializers.IntegerField()
    outcomes = OutcomeSerializer(many=True)
    achievements = AchievementSerializer(many=True)
    constraints = ConstraintSerializer(many=True)
    events = EventSerializer(many=True)
    extensions = ExtensionSerializer(many=True)
    review_items = ReviewItemSerializer(many=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "directorate",
            "year",
            "state",
            "deadline",
            "late",
            "completeness",
            "summary",
            "version",
            "submitted_at",
            "first_submitted_at",
            "updated_at",
            "outcomes",
            "achievements",
            "constraints",
            "events",
            "extensions",
            "review_items",
        ]

    def get_late(self, obj) -> bool:
        return obj.is_late()


class ReportListRows:
    """The reports list, shaped exactly as ``ReportSerializer`` shapes it, without its per-field cost.

    The nested serializers run ~30 field objects per outcome; at national scale they cost far more than
    reading the rows. Here each part of the page's reports is one ``values()`` query, and each row is a
    dict built in one pass (DRF's own field classes format dates the same way). The OpenAPI schema is
    still ``ReportSerializer``'s; a test compares both outputs field by field.
    """

    _datetime = serializers.DateTimeField()
    _day = serializers.DateField()

    def __init__(self, request):
        self.request = request

    def _dt(self, value):
        return None if value is None else self._datetime.to_representation(value)

    def _date(self, value):
        return None if value is None else self._day.to_representation(value)

    def rows(self, reports):
        reports = list(reports)
        ids = [r.pk for r in reports]
        outcomes = defaultdict(list)
        outcome_rows = list(
            Outcome.objects.filter(report__in=ids)
            .order_by("deliverable__due_date", "deliverable_id")
            .values_list(
                "pk",
                "report_id",
                "deliverable_id",
                "deliverable__title",
                "status",
                "percent_done",
                "comment",
                "evidence",
            )
        )
        attachments = defaultdict(list)
        base = self.request.build_absolute_uri("/api/v1/attachments/")
        for pk, outcome_id, name, content_type, size, username, uploaded_at in (
            Attachment.objects.filter(outcome__report__in=ids)
            .order_by("uploaded_at", "id")
            .values_list(
                "pk", "outcome_id", "original_name", "content_type", "size", "uploaded_by__username", "uploaded_at"
            )
        ):
            attachments[outcome_id].append(
                {
                    "id": pk,
                    "name": name,
                    "content_type": content_type,
                    "size": size,
                    "uploaded_by": username,
                    "uploaded_at": self._dt(uploaded_at),
                    "url": f"{base}{pk}/",
                }
            )
        for pk, report_id, deliverable, title, status_, percent, comment, evidence in outcome_rows:
            outcomes[report_id].append(
                {
                    "deliverable": deliverable,
                    "deliverable_title": title,
                    "status": status_,
                    "percent_done": percent,
                    "comment": comment,
                    "evidence": evidence,
                    "attachments": attachments.get(pk, []),
                }
            )
        achievements = defaultdict(list)
        for report_id, pk, title, description in (
            Achievement.objects.filter(report__in=ids)
            .order_by("id")
            .values_list("report_id", "pk", "title", "description")
        ):
            achievements[report_id].append({"id": pk, "title": title, "description": description})
        constraints = defaultdict(list)
        for report_id, pk, category, description, remedy, needs_action in (
            ReportConstraint.objects.filter(report__in=ids)
            .order_by("id")
            .values_list("report_id", "pk", "category", "description", "remedy", "needs_action")
        ):
            constraints[report_id].append(
                {
                    "id": pk,
                    "category": category,
                    "description": description,
                    "remedy": remedy,
                    "needs_action": needs_action,
                }
            )
        events = defaultdict(list)
        for report_id, old, new, actor, comment, created_at in (
            ReportEvent.objects.filter(report__in=ids)
            .order_by("created_at", "id")
            .values_list("report_id", "old_state", "new_state", "actor__username", "comment", "created_at")
        ):
            events[report_id].append(
                {
                    "old_state": old,
                    "new_state": new,
                    "actor": actor,
                    "comment": comment,
                    "created_at": self._dt(created_at),
                }
            )
        extensions = defaultdict(list)
        for report_id, previous, until, reason, granted_by, granted_at in (
            DeadlineExtension.objects.filter(report__in=ids)
            .order_by("granted_at", "id")
            .values_list("report_id", "previous_deadline", "until", "reason", "granted_by__username", "granted_at")
        ):
            extensions[report_id].append(
                {
                    "previous_deadline": self._date(previous),
                    "until": self._date(until),
                    "reason": reason,
                    "granted_by": granted_by,
                    "granted_at": self._dt(granted_at),
                }
            )
        comments = defaultdict(list)
        for item_id, author, text, created_at in (
            ReviewItemComment.objects.filter(item__report__in=ids)
            .order_by("created_at", "id")
            .values_list("item_id", "author__username", "text", "created_at")
        ):
            comments[item_id].append({"author": author, "text": text, "created_at": self._dt(created_at)})
        review_items = defaultdict(list)
        for pk, report_id, kind, item_id, label, comment, resolved_at, flagged_by, created_at, before, after in (
            ReviewItem.objects.filter(report__in=ids)
            .order_by("created_at", "id")
            .values_list(
                "pk",
                "report_id",
                "kind",
                "item_id",
                "label",
                "comment",
                "resolved_at",
                "flagged_by__username",
                "created_at",
                "before",
                "after",
            )
        ):
            review_items[report_id].append(
                {
                    "flag": pk,
                    "kind": kind,
                    "id": item_id,
                    "label": label,
                    "comment": comment,
                    "resolved": resolved_at is not None,
                    "resolved_at": self._dt(resolved_at),
                    "flagged_by": flagged_by,
                    "created_at": self._dt(created_at),
                    "before": before,
                    "after": after,
                    "comments": comments.get(pk, []),
                }
            )
        today = timezone.localdate()
        return [
            {
                "id": r.pk,
                "directorate": r.directorate.code,
                "year": r.cycle.year,
                "state": r.state,
                "deadline": self._date(r.deadline),
                "late": r.is_late(today),
                "completeness": r.completeness,
                "summary": r.summary,
                "version": r.version,
                "submitted_at": self._dt(r.submitted_at),
                "first_submitted_at": self._dt(r.first_submitted_at),
                "updated_at": self._dt(r.updated_at),
                "outcomes": outcomes.get(r.pk, []),
                "achievements": achievements.get(r.pk, []),
                "constraints": constraints.get(r.pk, []),
                "events": events.get(r.pk, []),
                "extensions": extensions.get(r.pk, []),
                "review_items": review_items.get(r.pk, []),
            }
            for r in reports
        ]


class ReportCreateSerializer(serializers.Serializer):
    directorate = serializers.SlugRelatedField(slug_field="code", queryset=Directorate.objects.all())
    year = serializers.IntegerField()


class OutcomeInputSerializer(serializers.Serializer):
    deliverable = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Outcome.Status.choices, allow_blank=True, required=False)
    percent_done = serializers.IntegerField(min_value=0, max_value=100, allow_null=True, required=False)
    comment = serializers.CharField(allow_blank=True, required=False)
    evidence = serializers.CharField(allow_blank=True, required=False)


class ReportUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text='The version you read (or send If-Match: "<version>"); '
        "required one way or the other (428), a stale one is 409.",
    )
    summary = serializers.CharField(allow_blank=True, required=False)
    # The services check the same limits (settings.REPORT_MAX_ITEMS); here they stop a huge list before
    # each of its items is validated. (many=True hands max_length to the ListSerializer; the stubs omit it.)
    outcomes = OutcomeInputSerializer(  # type: ignore[call-arg]
        many=True, required=False, max_length=settings.REPORT_MAX_ITEMS * 10
    )
    achievements = AchievementSerializer(  # type: ignore[call-arg]
        many=True,
        required=False,
        max_length=settings.REPORT_MAX_ITEMS,
        help_text="Replaces the list; keep ids to update.",
    )
    constraints = ConstraintSerializer(  # type: ignore[call-arg]
        many=True,
        required=False,
        max_length=settings.REPORT_MAX_ITEMS,
        help_text="Replaces the list; keep ids to update.",
    )


class ExtensionInputSerializer(serializers.Serializer):
    until = serializers.DateField(help_text="The unit's new deadline (after the current one, before the meeting).")
    reason = serializers.CharField(max_length=2000, help_text="Why the deadline is extended; shown to the unit.")


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(allow_blank=True, required=False, default="")


class ReturnItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReviewItem.Kind.choices)
    id = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="As the report's detail names it: the deliverable for an outcome."
    )
    comment = serializers.CharField(
        max_length=settings.REPORT_MAX_TEXT_CHARS, help_text="What must be corrected in this item."
    )


class ReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(allow_blank=True, required=False, default="")
    items = ReturnItemSerializer(  # type: ignore[call-arg]  # max_length goes to the ListSerializer
        many=True,
        required=False,
        default=list,
        max_length=settings.REPORT_MAX_ITEMS,
        help_text="Items flagged for correction; only they (and the summary) can then change until the unit resubmits.",
    )


class ItemCommentInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=settings.REPORT_MAX_TEXT_CHARS)


class AttachmentUpload(serializers.Serializer):
    deliverable = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    file = serializers.FileField()


class ReportViewSet(
    ConditionalWriteMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Annual reports. Unit people see only their units' reports; others' are 404.

    A PATCH names the version it read: ``version`` in the body or ``If-Match: "<version>"`` (the ETag of
    GET); without either it is refused (428), with a stale one 409.
    """

    serializer_class = ReportSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_class = ReportFilter

    def get_queryset(self):
        return selectors.report_detail_queryset(user=self.request.user)

    def list(self, request, *args, **kwargs):
        # The page's reports without their prefetches: ReportListRows reads each part once, as plain rows.
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()).prefetch_related(None))
        return self.get_paginated_response(ReportListRows(request).rows(page))

    def _fresh(self, report):
        return self.get_queryset().get(pk=report.pk)

    @extend_schema(request=ReportCreateSerializer, responses={201: ReportSerializer})
    def create(self, request):
        data = ReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        directorate = data.validated_data["directorate"]
        if not Directorate.objects.filter(visible_directorates_q(request.user), pk=directorate.pk).exists():
            raise NotAllowed("You may not write this unit's report.", errors={"directorate": ["Not your unit."]})
        cycle = ReviewCycle.objects.filter(year=data.validated_data["year"]).first()
        if cycle is None:
            raise serializers.ValidationError({"year": ["No review cycle for this year."]})
        report = services.report_start(actor=request.user, cycle=cycle, directorate=directorate)
        return Response(self.get_serializer(self._fresh(report)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReportUpdateSerializer, responses=ReportSerializer)
    def partial_update(self, request, pk=None):
        report = self.get_object()
        data = ReportUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        expected_version = self._expected_version(report, values.get("version"))
        outcomes = None
        if "outcomes" in values:
            outcomes = {item.pop("deliverable"): item for item in values["outcomes"]}
        services.report_update(
            actor=request.user,
            report=report,
            expected_version=expected_version,
            summary=values.get("summary"),
            outcomes=outcomes,
            achievements=values.get("achievements"),
            constraints=values.get("constraints"),
        )
        return self.with_etag(Response(self.get_serializer(self._fresh(report)).data))

    def etag_from_data(self, data):
        return f'"{data["version"]}"'

    def _expected_version(self, report, version):
        """The version the caller read: ``version`` in the body, else If-Match; neither is a 428."""
        if version is not None:
            return version
        if not permissions.can_start_report(self.request.user, report.directorate):
            return None  # the service refuses with 403
        tags = if_match_tags(self.request)
        if not tags:
            raise PreconditionRequired()
        numbers = [int(tag.strip('"')) for tag in tags if tag.strip('"').isdigit() and len(tag) < 20]
        if not numbers:
            raise PreconditionFailed()
        return numbers[0]

    def _transition(self, request, service, **kwargs):
        report = self.get_object()
        service(actor=request.user, report=report, **kwargs)
        return Response(self.get_serializer(self._fresh(report)).data)

    @extend_schema(request=CommentSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        data = CommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._transition(request, services.report_submit, comment=data.validated_data["comment"])

    @extend_schema(request=ReturnSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        """The DG's office returns the report with its comment and, optionally, flagged items."""
        data = ReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._transition(
            request,
            services.report_return,
            comment=data.validated_data["comment"],
            items=[dict(item) for item in data.validated_data["items"]],
        )

    @extend_schema(request=ItemCommentInputSerializer, responses={201: ReviewItemCommentSerializer})
    @action(detail=True, methods=["post"], url_path=r"review-items/(?P<flag>\d{1,18})/comments")
    def review_item_comments(self, request, pk=None, flag=None):
        """Answer a flagged item (the unit) or answer back (the DG's office)."""
        report = self.get_object()
        item = get_object_or_404(
            ReviewItem.objects.select_related("report__cycle", "report__directorate"), pk=flag, report=report
        )
        if not permissions.is_thread_party(request.user, report):  # who may, before what is sent
            raise NotAllowed(_("Only the unit's people and the DG's office may discuss this item."))
        data = ItemCommentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.review_item_comment(actor=request.user, item=item, text=data.validated_data["text"])
        return Response(ReviewItemCommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CommentSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        data = CommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._transition(request, services.report_accept, comment=data.validated_data["comment"])

    @extend_schema(request=ExtensionInputSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def extension(self, request, pk=None):
        """The DG's office gives the unit a later deadline, with the reason."""
        report = self.get_object()
        if not permissions.can_review(request.user):  # who may, before what is sent
            raise NotAllowed(_("Only the DG's office may extend a unit's deadline."))
        data = ExtensionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.report_extend_deadline(actor=request.user, report=report, **data.validated_data)
        return Response(self.get_serializer(self._fresh(report)).data)

    @extend_schema(request=AttachmentUpload, responses={201: AttachmentSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request, pk=None):
        report = self.get_object()
        data = AttachmentUpload(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = report.outcomes.filter(deliverable_id=data.validated_data["deliverable"]).first()
        if outcome is None:
            raise serializers.ValidationError({"deliverable": ["Not a deliverable of this report."]})
        attachment = services.attachment_add(
            actor=request.user, outcome=outcome, uploaded_file=data.validated_data["file"]
        )
        return Response(AttachmentSerializer(attachment, context={"request": request}).data, status=201)


class AttachmentViewSet(viewsets.GenericViewSet):
    """Download an evidence file; only people who may see the report get it (others: 404)."""

    serializer_class = AttachmentSerializer

    def get_queryset(self):
        return Attachment.objects.filter(visible_directorates_q(self.request.user, "outcome__report__directorate__"))

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def retrieve(self, request, pk=None):
        attachment = get_object_or_404(self.get_queryset(), pk=pk)
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
