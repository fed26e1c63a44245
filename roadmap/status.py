"""An objective's status, computed from its milestones and dates — never typed by hand.

The rule (also in docs/roadmap.md), for one objective on the date ``as_of``:

- a milestone is *reached* when its latest progress value recorded on or before ``as_of`` is ≥ its target
  (so the status "as of" a past date ignores progress recorded later);
- **done**: it has milestones and every one is reached;
- **late**: a milestone whose due date is before ``as_of`` is not reached;
- **at risk**: a milestone due within the next 30 days (0 ≤ due date − ``as_of`` ≤ 30 days) has progress
  recorded whose latest value is below half its target, or a milestone due within the next 14 days has
  no progress recorded at all;
- **on track**: otherwise (including an objective with no milestone yet).

This module is the only place the rule is written, as SQL expressions (annotations): the database
computes every status, so lists filter, count and paginate by status in SQL, and page 1 costs the
same whatever the number of objectives. ``milestone_annotations`` gives a milestone its
``latest_value`` and ``status``; ``objective_status_expression`` gives an objective its ``status``.
"""

import datetime
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    DecimalField,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.lookups import Exact, IsNull

from roadmap.models import Milestone, Objective, ObjectiveStatus, ProgressUpdate

AT_RISK_WINDOW = datetime.timedelta(days=30)
NO_PROGRESS_WINDOW = datetime.timedelta(days=14)
AT_RISK_SHARE = Decimal("0.5")

# The status of an objective that has no milestone yet.
NO_MILESTONE_STATUS = ObjectiveStatus.ON_TRACK

# A milestone's status as a rank, so that an objective's status is the worst rank of its milestones.
_RANK = {ObjectiveStatus.DONE: 0, ObjectiveStatus.ON_TRACK: 1, ObjectiveStatus.AT_RISK: 2, ObjectiveStatus.LATE: 3}


def latest_value_expression(as_of=None, milestone="pk"):
    """The value of the milestone's latest progress update dated on or before ``as_of`` (None: any date)."""
    updates = ProgressUpdate.objects.filter(milestone=OuterRef(milestone))
    if as_of is not None:
        updates = updates.filter(recorded_on__lte=as_of)
    return Subquery(updates.order_by("-recorded_on", "-created_at", "-pk").values("value")[:1],
                    output_field=DecimalField(max_digits=14, decimal_places=2))


def _milestone_cases(as_of, latest):
    """(condition, status) pairs in the order they apply, for milestones whose latest value is ``latest``."""
    return [
        (Q(**{f"{latest}__gte": F("target_value")}), ObjectiveStatus.DONE),
        (Q(due_date__lt=as_of), ObjectiveStatus.LATE),
        (Q(due_date__lte=as_of + NO_PROGRESS_WINDOW, **{f"{latest}__isnull": True}), ObjectiveStatus.AT_RISK),
        (Q(due_date__lte=as_of + AT_RISK_WINDOW, **{f"{latest}__lt": F("target_value") * AT_RISK_SHARE}),
         ObjectiveStatus.AT_RISK),
    ]


def milestone_annotations(as_of):
    """``latest_value`` (as of ``as_of``) and ``status`` of each milestone, for ``Milestone.objects.annotate``."""
    return {
        "latest_value": latest_value_expression(as_of),
        "status": Case(*[When(condition, then=Value(status)) for condition, status in _milestone_cases(as_of, "latest_value")],
                       default=Value(ObjectiveStatus.ON_TRACK), output_field=CharField()),
    }


def milestones_with_status(as_of):
    return Milestone.objects.annotate(**milestone_annotations(as_of))


def objective_status_expression(as_of, objective="pk"):
    """The status of the objective ``OuterRef(objective)`` on ``as_of``: the worst of its milestones'."""
    ranked = (
        Milestone.objects.filter(objective=OuterRef(objective))
        .annotate(latest_value=latest_value_expression(as_of))
        .annotate(rank=Case(*[When(condition, then=Value(_RANK[status]))
                              for condition, status in _milestone_cases(as_of, "latest_value")],
                            default=Value(_RANK[ObjectiveStatus.ON_TRACK]), output_field=IntegerField()))
        .order_by()
        .values("objective")
        .annotate(worst=Max("rank"))
        .values("worst")
    )
    worst = Subquery(ranked, output_field=IntegerField())
    return Case(
        When(IsNull(worst, True), then=Value(NO_MILESTONE_STATUS)),  # no milestone yet: no row
        *[When(Exact(worst, rank), then=Value(status)) for status, rank in _RANK.items()],
        default=Value(ObjectiveStatus.ON_TRACK),
        output_field=CharField(),
    )


def objective_status(objective, as_of):
    """The status of one saved objective on ``as_of`` (one query), by the same rule as the lists."""
    return (
        Objective.objects.filter(pk=objective.pk)
        .annotate(status=objective_status_expression(as_of))
        .values_list("status", flat=True)
        .get()
    )
