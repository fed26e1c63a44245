"""The items of a report that the DG's office may flag when it returns it, kind by kind.

Each kind reads its items as ``{id: (label, values)}``: the id as the report's detail names the item
(the deliverable for an outcome), a label to show, and the values the unit may change, kept as the
flag's "before" (at the return) and "after" (at resubmission). The figures app registers the
``figure`` kind from its AppConfig.ready(): reviews does not import figures.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reviews.models import Achievement, Outcome, ReportConstraint, ReviewItem

Kind = ReviewItem.Kind


class ItemKind:
    def __init__(self, kind, *, read, fields, choices=None):
        self.kind = kind
        self.read = read  # read(report, ids=None) -> {id: (label, {field: json value})}
        self.fields = fields  # {field: label}, in display order
        self.choices = choices or {}  # {field: {value: label}} for coded values

    def display(self, field, value):
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        labels = self.choices.get(field)
        if labels is not None:
            return str(labels.get(value, value))
        return str(value)


ITEM_KINDS = {}


def register_item_kind(item_kind):
    ITEM_KINDS[item_kind.kind] = item_kind


def kind_of(kind):
    return ITEM_KINDS[kind]


def read(report, kind, ids=None):
    """The report's items of ``kind`` (only ``ids`` when given): {id: (label, values)}."""
    return ITEM_KINDS[kind].read(report, ids)


def compare(item):
    """Per field of a flagged item: (label, before, after, changed) for the review page."""
    item_kind = ITEM_KINDS.get(item.kind)
    if item_kind is None or item.after is None:
        return []
    before, after = item.before or {}, item.after or {}
    if after.get("_removed"):
        return [(_("Item"), _("in the report"), _("removed"), True)]
    rows = []
    for field, label in item_kind.fields.items():
        old, new = before.get(field), after.get(field)
        rows.append((str(label), item_kind.display(field, old), item_kind.display(field, new), old != new))
    return rows


def _outcomes(report, ids=None):
    rows = Outcome.objects.filter(report=report).select_related("deliverable")
    if ids is not None:
        rows = rows.filter(deliverable_id__in=ids)
    return {
        o.deliverable_id: (
            o.deliverable.title,
            {"status": o.status, "percent_done": o.percent_done, "comment": o.comment, "evidence": o.evidence},
        )
        for o in rows
    }


def _achievements(report, ids=None):
    rows = Achievement.objects.filter(report=report)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return {a.pk: (a.title, {"title": a.title, "description": a.description}) for a in rows}


def _constraints(report, ids=None):
    rows = ReportConstraint.objects.filter(report=report)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return {
        c.pk: (
            f"{c.get_category_display()}: {c.description[:120]}",
            {"category": c.category, "description": c.description, "remedy": c.remedy, "needs_action": c.needs_action},
        )
        for c in rows
    }


register_item_kind(
    ItemKind(
        Kind.OUTCOME,
        read=_outcomes,
        fields={
            "status": gettext_lazy("Outcome"),
            "percent_done": gettext_lazy("Percentage done"),
            "comment": gettext_lazy("Comment"),
            "evidence": gettext_lazy("Evidence"),
        },
        choices={"status": dict(Outcome.Status.choices)},
    )
)
register_item_kind(
    ItemKind(
        Kind.ACHIEVEMENT,
        read=_achievements,
        fields={"title": gettext_lazy("Achievement"), "description": gettext_lazy("Description")},
    )
)
register_item_kind(
    ItemKind(
        Kind.CONSTRAINT,
        read=_constraints,
        fields={
            "category": gettext_lazy("Category"),
            "description": gettext_lazy("Challenge or constraint"),
            "remedy": gettext_lazy("What would lift it"),
            "needs_action": gettext_lazy("Needs action next year"),
        },
        choices={"category": dict(ReportConstraint.Category.choices)},
    )
)
