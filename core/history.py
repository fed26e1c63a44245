"""Turn django-simple-history rows into a readable timeline: who, when, what changed (old → new)."""

import datetime
import re

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

TYPES = {"+": "created", "~": "changed", "-": "deleted"}

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


def timeline(*querysets, label=str):
    """Merge several historical querysets into one list of entries, newest first.

    Each queryset is fetched once (select_related history_user); diffs are computed in memory
    against the previous row of the same object, so the cost does not grow per row.
    Values are shown as a reader expects them: choice labels, yes/no, local dates.
    """
    entries = []
    for qs in querysets:
        rows = list(qs.select_related("history_user").order_by("id", "history_id"))  # write order
        previous = {}
        for row in rows:
            fields = _fields(row)
            before = previous.get(row.id)
            changes = []
            if before is not None and row.history_type == "~":
                for change in row.diff_against(before).changes:
                    field = fields.get(change.field)
                    if change.field in HIDDEN_FIELDS or (field is not None and field.name in HIDDEN_FIELDS):
                        continue
                    changes.append({"field": _label(field, change.field), "old": _display(field, change.old),
                                    "new": _display(field, change.new)})
            elif row.history_type == "+":
                changes = [
                    {"field": _label(f, f.attname), "old": None, "new": _display(f, getattr(row, f.attname))}
                    for f in row.instance_type._meta.concrete_fields
                    # Links to the parent object repeat what the entry's title says: left out.
                    if f.editable and not f.is_relation and f.attname != "id" and f.name not in HIDDEN_FIELDS
                    and getattr(row, f.attname, None) not in (None, "")
                ]
            reason = reason_display(row.history_change_reason or "", fields.get("state"))
            previous[row.id] = row
            if row.history_type == "~" and not changes and not reason:
                continue  # only bookkeeping changed: nothing for a reader
            entries.append({
                "date": row.history_date,
                "user": row.history_user,
                "type": TYPES.get(row.history_type, row.history_type),
                "object": label(row),
                "model": row.instance_type._meta.verbose_name,
                "reason": reason,
                "changes": changes,
            })
    entries.sort(key=lambda e: e["date"], reverse=True)
    return entries


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
        return formats.date_format(timezone.localtime(value) if timezone.is_aware(value) else value,
                                   "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return value
