"""Reads of imports, scoped to the user: a person sees their own imports; administrators see all."""

from typing import Any

from django.db.models import QuerySet

from directorates.models import User
from transfers.models import ImportJob


def import_list(*, user: User) -> QuerySet[ImportJob]:
    qs = ImportJob.objects.select_related("created_by", "confirmed_by")
    if not user.is_superuser:
        qs = qs.filter(created_by=user)
    return qs


def import_detail(*, user: User, pk: int) -> ImportJob | None:
    return import_list(user=user).filter(pk=pk).first()


def import_changes(*, job: ImportJob, limit: int = 200) -> list[dict[str, Any]]:
    """The history rows this import wrote (created or changed objects), newest first."""
    from transfers import kinds

    kind = kinds.get(job.kind)
    if job.state != ImportJob.State.APPLIED or kind is None or kind.import_resource is None:
        return []
    model = kind.import_resource._meta.model
    rows = model.history.filter(history_change_reason=job.history_reason).order_by("-history_id")[:limit]
    # Labels from the row's own columns (no related lookups: one query whatever the number of rows).
    return [
        {"created": row.history_type == "+", "label": getattr(row, "title", None) or getattr(row, "code", "")}
        for row in rows
    ]
