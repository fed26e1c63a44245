"""Turn django-simple-history rows into a readable timeline: who, when, what changed (old → new)."""

import datetime
import re

from django.db.models import OuterRef, Subquery
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

TYPES = {"+": "created", "~": "changed", "-": "deleted"}
HISTORY_PAGE_SIZE = 100

# Bookkeeping fields nobody reads in a history: concurrency counters, timestamps the entry already shows,
# storage paths and derived tree paths.
HIDDEN_FIELDS = {"version", "updated_at", "created_at", "stored_name", "file", "path"}

# Change reasons written by the services as stable codes (imports look their rows up by them),
# shown in the reader's language.
REASONS = {
    "closed": gettext_lazy("cycle closed"),
    "locked: cycle closed": gettext_lazy("locked when the cycle was closed"),
    "figures entered": gettext_lazy("figures entered"),
    "figures changed": gettext_lazy("figures changed"),
    "figure cleared": gettext_lazy("figure cleared"),
    "agenda built from accepted reports": gettext_lazy("agenda built from the accepted reports"),
    "invited": gettext_lazy("invited to the meeting"),
    "agenda reordered": gettext_lazy("agenda reordered"),
    "attendance recorded": gettext_lazy("attendance recorded"),
    "compiled": gettext_lazy("compiled into the roadmap"),
}
IMPORT_REASON = re.compile(r"^import #(\d+)$")
TRANSITION_REASON = re.compile(r"^(\w+) → (\w+)(?: \(v(\d+)\))?$")
HANDOVER_REASON = re.compile(r"^roadmap (\d+) v(\d+) approved$")


def _entry(row, before, label):
    """One timeline entry, or None when only bookkeeping fields changed (nothing for a reader)."""
    fields = _fields(row)
    changes = []
    if before is not None and row.history_type == "~":
        for change in row.diff_against(before).changes:
            field = fields.get(change.field)
            if change.field in HIDDEN_FIELDS or (field is not None and field.name in HIDDEN_FIELDS):
                continue
            changes.append(
                {
                    "field": _label(field, change.field),
                    "old": _display(field, change.old),
                    "new": _display(field, change.new),
                }
            )
    elif row.history_type == "+":
        changes = [
            {"field": _label(f, f.attname), "old": None, "new": _display(f, getattr(row, f.attname))}
            for f in row.instance_type._meta.concrete_fields
            # Links to the parent object repeat what the entry's title says: left out.
            if f.editable
            and not f.is_relation
            and f.attname != "id"
            and f.name not in HIDDEN_FIELDS
            and getattr(row, f.attname, None) not in (None, "")
        ]
    reason = reason_display(row.history_change_reason or "", fields.get("state"))
    if row.history_type == "~" and not changes and not reason:
        return None
    return {
        "date": row.history_date,
        "user": row.history_user,
        "type": TYPES.get(row.history_type, row.history_type),
        "object": label(row),
        "model": row.instance_type._meta.verbose_name,
        "reason": reason,
        "changes": changes,
    }


def timeline(*querysets, label=str):
    """Merge several historical querysets into one list of entries, newest first.

    Each queryset is fetched once (select_related history_user); diffs are computed in memory
    against the previous row of the same object, so the cost does not grow per row.
    Values are shown as a reader expects them: choice labels, yes/no, local dates.
    For pages that may hold thousands of rows, use ``Timeline`` with a Paginator.
    """
    entries = []
    for qs in querysets:
        rows = list(qs.select_related("history_user").order_by("id", "history_id"))  # write order
        previous = {}
        for row in rows:
            entry = _entry(row, previous.get(row.id), label)
            previous[row.id] = row
            if entry is not None:
                entries.append(entry)
    entries.sort(key=lambda e: e["date"], reverse=True)
    return entries


class Timeline:
    """Several historical querysets merged newest first, sliced by a Paginator one page at a time.

    A page costs a constant number of queries whatever the history's size (a unit's history after a
    50,000-row import): per queryset a count, the newest rows down to the page's end, and for the
    changed rows of the page the previous version of each (to show the diff).
    """

    def __init__(self, *querysets, label=str):
        self.querysets = [qs.select_related("history_user") for qs in querysets]
        self.label = label

    def count(self):
        return sum(qs.count() for qs in self.querysets)

    def __len__(self):
        return self.count()

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self[key : key + 1][0]
        start, stop = key.start or 0, key.stop
        rows = []
        for qs in self.querysets:
            rows += list(qs.order_by("-history_date", "-history_id")[:stop])
        rows.sort(key=lambda r: (r.history_date, r.history_id), reverse=True)
        rows = rows[start:stop]
        previous = {}
        for model in {type(row) for row in rows}:
            changed = [row.history_id for row in rows if type(row) is model and row.history_type == "~"]
            if not changed:
                continue
            manager = model._default_manager
            before = manager.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id")).order_by("-history_id")
            pairs = dict(
                manager.filter(history_id__in=changed)
                .annotate(previous_id=Subquery(before.values("history_id")[:1]))
                .values_list("history_id", "previous_id")
            )
            olders = {row.history_id: row for row in manager.filter(history_id__in=[p for p in pairs.values() if p])}
            for history_id, previous_id in pairs.items():
                previous[(model, history_id)] = olders.get(previous_id)
        entries = [_entry(row, previous.get((type(row), row.history_id)), self.label) for row in rows]
        return [entry for entry in entries if entry is not None]  # a page may hold fewer: bookkeeping rows


def reason_display(reason, state_field=None):
    """A stored change reason in the reader's language: codes translated, people's own words kept."""
    if reason in REASONS:
        return str(REASONS[reason])
    match = IMPORT_REASON.match(reason)
    if match:
        return _("spreadsheet import no. %(n)s") % {"n": match[1]}
    match = HANDOVER_REASON.match(reason)
    if match:
        return _("handed over from the approved roadmap %(year)s (version %(v)s)") % {"year": match[1], "v": match[2]}
    match = TRANSITION_REASON.match(reason)
    if match and state_field is not None and state_field.choices:
        labels = dict(state_field.flatchoices)
        if match[1] in labels and match[2] in labels:
            text = f"{labels[match[1]]} → {labels[match[2]]}"
            if match[3]:
                text += " " + _("(version %(v)s)") % {"v": match[3]}
            return text
    return reason


def _fields(row):
    fields = {}
    for field in row.instance_type._meta.concrete_fields:
        fields[field.name] = fields[field.attname] = field
    return fields


def _label(field, name):
    return str(field.verbose_name) if field is not None else name


def _display(field, value):
    if value is None or value == "":
        return value
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return formats.date_format(
            timezone.localtime(value) if timezone.is_aware(value) else value, "SHORT_DATETIME_FORMAT"
        )
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return value
