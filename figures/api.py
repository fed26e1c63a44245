"""API for the indicator catalogue, yearly figures and the bilan. Writes call figures.services."""

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from core.api import ConditionalWriteMixin, PreconditionFailed, PreconditionRequired, if_match_tags
from core.errors import NotAllowed
from core.i18n import language_codes
from figures import permissions, selectors, services
from figures.bilan import clean, load_bilan
from figures.filters import FigureFilter, IndicatorFilter
from figures.forms import BilanDocumentForm
from figures.models import Bilan, Figure, Indicator


class IndicatorSerializer(serializers.ModelSerializer):
    numerator: "serializers.SlugRelatedField[Indicator]" = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    denominator: "serializers.SlugRelatedField[Indicator]" = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    derived = serializers.BooleanField(source="is_derived", read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name_fr",
            "name_ar",
            "name_en",
            "domain",
            "unit",
            "higher_is_better",
            "rollup",
            "national_only",
            "unit_kinds",
            "derived",
            "numerator",
            "denominator",
            "multiplier",
        ]


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    """The indicator catalogue (kept by administrators in the admin)."""

    serializer_class = IndicatorSerializer
    lookup_field = "code"
    filterset_class = IndicatorFilter

    def get_queryset(self):
        return selectors.indicator_list()


class FigureSerializer(serializers.ModelSerializer):
    directorate = serializers.CharField(source="directorate.code")
    indicator = serializers.CharField(source="indicator.code")
    value = serializers.SerializerMethodField()
    entered_by = serializers.CharField(source="entered_by.username", read_only=True)

    class Meta:
        model = Figure
        fields = [
            "id",
            "directorate",
            "indicator",
            "year",
            "value",
            "source_note",
            "justification",
            "entered_by",
            "entered_at",
            "updated_at",
        ]

    def get_value(self, obj) -> str:
        return str(clean(obj.value))


class FigureInput(serializers.Serializer):
    directorate = serializers.CharField(help_text="unit code, e.g. DGSN or WS-FES")
    indicator = serializers.CharField(help_text="indicator code")
    year = serializers.IntegerField()
    value = serializers.CharField(allow_null=True, help_text="a number (string to keep it exact); null clears")
    source_note = serializers.CharField(required=False, allow_blank=True, default="")
    justification = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text="why the figure changed past its indicator's threshold from the year before; absent keeps it",
    )

    def to_internal_value(self, data):
        # Numbers arrive as JSON numbers or strings: keep their text, the service parses and checks them.
        if (
            isinstance(data, dict)
            and isinstance(data.get("value"), (int, float))
            and not isinstance(data.get("value"), bool)
        ):
            data = {**data, "value": str(data["value"])}
        return super().to_internal_value(data)


class FigureBulkInput(serializers.Serializer):
    rows = FigureInput(many=True, max_length=5000)  # type: ignore[call-arg]  # many=True hands max_length to ListSerializer; the stubs omit it


class FigureViewSet(
    ConditionalWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Yearly figures of the units the caller may see; POST enters or changes one.

    Changing (or clearing) a figure that exists names the version read: ``If-Match`` with the ETag of its
    GET (several, comma-separated, for a bulk write), else 428; 412 when it changed meanwhile. Entering a
    figure that does not exist yet needs none.
    """

    serializer_class = FigureSerializer
    filterset_class = FigureFilter

    def get_queryset(self):
        return selectors.figure_list(user=self.request.user)

    def _require_versions(self, rows, *, single=False):
        """Within the write's transaction: the existing figures the rows address, locked, must be the ones
        the caller read (the mechanism of ``ConditionalWriteMixin``). Rows the service would refuse anyway
        (rights, catalogue, value) get its 400 first."""
        if services.figure_check_many(actor=self.request.user, rows=rows)[1]:
            return
        keys = {(row["directorate"], row["indicator"], int(row["year"])) for row in rows}
        addressed = [
            figure
            for figure in self.get_queryset()
            .select_for_update(of=("self",))
            .filter(
                directorate__code__in={k[0] for k in keys},
                indicator__code__in={k[1] for k in keys},
                year__in={k[2] for k in keys},
            )
            if (figure.directorate.code, figure.indicator.code, figure.year) in keys
        ]
        tags = if_match_tags(self.request)
        if not addressed:
            if single and tags and "*" not in tags:
                raise PreconditionFailed()  # the figure read was cleared meanwhile
            return
        if not tags:
            raise PreconditionRequired()
        if "*" not in tags and any(self.etag(figure) not in tags for figure in addressed):
            raise PreconditionFailed()

    @extend_schema(request=FigureInput, responses={201: FigureSerializer})
    def create(self, request, *args, **kwargs):
        data = FigureInput(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            self._require_versions([data.validated_data], single=True)
            figure = services.figure_set(actor=request.user, **data.validated_data)
        return self.with_etag(Response(FigureSerializer(figure).data, status=status.HTTP_201_CREATED))

    @extend_schema(
        request=FigureBulkInput,
        responses={
            200: inline_serializer(
                "FigureBulkResult",
                {
                    "created": serializers.IntegerField(),
                    "updated": serializers.IntegerField(),
                    "unchanged": serializers.IntegerField(),
                    "cleared": serializers.IntegerField(),
                },
            )
        },
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """Enter many figures at once, all or nothing (errors keyed by row index)."""
        data = FigureBulkInput(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            self._require_versions(data.validated_data["rows"])
            return Response(services.figure_set_many(actor=request.user, rows=data.validated_data["rows"]))


LANG = OpenApiParameter("lang", OpenApiTypes.STR, enum=language_codes(), description="language of `name`")
EDITION = OpenApiParameter(
    "edition",
    OpenApiTypes.STR,
    enum=["internal", "public"],
    description="`public`: only what is classified public, of a published bilan, for anyone (no login)",
)


class BilanViewSet(viewsets.GenericViewSet):
    """The bilan of a year: every indicator with value, previous, change and change_pct (exact decimals as strings).

    A published bilan is readable by every authenticated user; a draft only by the DG's office.
    """

    lookup_field = "year"
    lookup_value_regex = r"\d{4}"
    queryset = Bilan.objects.none()
    serializer_class = serializers.Serializer

    def _load(self, year):
        bilan, data = load_bilan(int(year))
        if not permissions.can_read_bilan(self.request.user, bilan):
            if bilan is None and not permissions.is_dg_office(self.request.user):
                raise Http404
            raise NotAllowed(_("The annual report is not published yet."))
        return bilan, data

    def get_permissions(self):
        # The public edition of a published bilan is for anyone, without an account.
        if self.action == "retrieve" and self.request.query_params.get("edition") == "public":
            return [AllowAny()]
        return super().get_permissions()

    @extend_schema(parameters=[LANG, EDITION], responses={200: OpenApiTypes.OBJECT})
    def retrieve(self, request, year=None):
        query = BilanDocumentForm(request.query_params)
        if not query.is_valid():
            raise serializers.ValidationError(query.errors)
        if query.chosen_edition() == "public":
            bilan, data = load_bilan(int(year))
            if bilan is None or not bilan.is_published:
                raise Http404
            data = data.public_edition()
        else:
            _bilan, data = self._load(year)
        return Response(data.as_json(query.cleaned_data["lang"] or None))

    def _transition(self, request, year, service):
        bilan = Bilan.objects.filter(year=year).first()
        if bilan is None:
            raise Http404
        service(actor=request.user, bilan=bilan)
        _bilan, data = load_bilan(int(year))
        return Response(data.as_json())

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def approve(self, request, year=None):
        return self._transition(request, year, services.bilan_approve)

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def publish(self, request, year=None):
        return self._transition(request, year, services.bilan_publish)

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def reopen(self, request, year=None):
        return self._transition(request, year, services.bilan_reopen)
