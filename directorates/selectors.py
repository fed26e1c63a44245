"""Reads of the organisation and the cahier des charges, scoped to what the user may see."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet

from directorates.models import Deliverable, Directorate, User
from directorates.permissions import visible_directorates_q


def directorate_list(*, user: User | AnonymousUser) -> QuerySet[Directorate]:
    return Directorate.objects.filter(visible_directorates_q(user)).select_related("parent")


def regions() -> QuerySet[Directorate]:
    """The security prefectures (wilayas): the regional grouping used by dashboards."""
    return Directorate.objects.filter(kind=Directorate.Kind.SECURITY_PREFECTURE).order_by("code")


def deliverable_list(
    *, user: User | AnonymousUser, year: int | None = None, directorate_code: str | None = None
) -> QuerySet[Deliverable]:
    qs = Deliverable.objects.filter(visible_directorates_q(user, "directorate__")).select_related("directorate")
    if year:
        qs = qs.filter(year=year)
    if directorate_code:
        qs = qs.filter(directorate__code=directorate_code)
    return qs


def deliverable_years(*, user: User | AnonymousUser, code: str) -> list[int]:
    """The years a visible unit has deliverables for, latest first (one query)."""
    return list(
        Deliverable.objects.filter(visible_directorates_q(user, "directorate__"), directorate__code=code)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def directorate_with_deliverables(*, user: User | AnonymousUser, code: str, year: int) -> Directorate | None:
    return (
        Directorate.objects.filter(visible_directorates_q(user), code=code)
        .prefetch_related(Prefetch("deliverables", queryset=Deliverable.objects.filter(year=year)))
        .first()
    )
