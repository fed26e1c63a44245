"""Turn django-simple-history rows into a readable timeline: who, when, what changed (old → new)."""

import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _

TYPES = {"+": "created", "~": "changed", "-": "deleted"}


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
                    changes.append({"field": _label(field, change.field), "old": _display(field, change.old),
                                    "new": _display(field, change.new)})
            elif row.history_type == "+":
                changes = [
                    {"field": _label(f, f.attname), "old": None, "new": _display(f, getattr(row, f.attname))}
                    for f in row.instance_type._meta.concrete_fields
                    # Links to the parent object repeat what the entry's title says: left out.
                    if f.editable and not f.is_relation and f.attname != "id"
                    and getattr(row, f.attname, None) not in (None, "")
                ]
            entries.append({
                "date": row.history_date,
                "user": row.history_user,
                "type": TYPES.get(row.history_type, row.history_type),
                "object": label(row),
                "model": row.instance_type._meta.verbose_name,
                "reason": row.history_change_reason or "",
                "changes": changes,
            })
            previous[row.id] = row
    entries.sort(key=lambda e: e["date"], reverse=True)
    return entries


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
