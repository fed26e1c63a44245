"""Turn django-simple-history rows into a readable timeline: who, when, what changed (old → new)."""

TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def timeline(*querysets, label=str):
    """Merge several historical querysets into one list of entries, newest first.

    Each queryset is fetched once (select_related history_user); diffs are computed in memory
    against the previous row of the same object, so the cost does not grow per row.
    """
    entries = []
    for qs in querysets:
        rows = list(qs.select_related("history_user").order_by("id", "history_date", "history_id"))
        previous = {}
        for row in rows:
            before = previous.get(row.id)
            changes = []
            if before is not None and row.history_type == "~":
                delta = row.diff_against(before)
                for change in delta.changes:
                    changes.append({"field": _field_label(row, change.field), "old": change.old,
                                    "new": change.new})
            elif row.history_type == "+":
                changes = [
                    {"field": _field_label(row, f.attname), "old": None, "new": getattr(row, f.attname)}
                    for f in row.instance_type._meta.concrete_fields
                    if f.attname not in ("id",) and getattr(row, f.attname, None) not in (None, "")
                    and f.editable
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


def _field_label(row, attname):
    for field in row.instance_type._meta.concrete_fields:
        if field.attname == attname or field.name == attname:
            return str(field.verbose_name)
    return attname

