"""What the roadmap's services share: the state-change signal, the reviewed states, small rules."""

from django.dispatch import Signal
from django.utils.translation import gettext as _

from core.errors import NotAllowed
from directorates.models import Deliverable, User
from reviews.models import ReportConstraint, ReportState
from roadmap import permissions

# Sent after the transaction commits, once per roadmap state change: notifications hook in here.
roadmap_state_changed = Signal()  # kwargs: event_id

# Reports whose content feeds the meeting and the roadmap: the ones the DG's office accepted.
REVIEWED_STATES = (ReportState.ACCEPTED, ReportState.LOCKED)

CONSTRAINT_CATEGORY: dict[str, str] = {
    ReportConstraint.Category.HUMAN_RESOURCES: Deliverable.Category.HUMAN_RESOURCES,
    ReportConstraint.Category.BUDGET: Deliverable.Category.GOVERNANCE,
    ReportConstraint.Category.EQUIPMENT: Deliverable.Category.EQUIPMENT,
    ReportConstraint.Category.INFRASTRUCTURE: Deliverable.Category.INFRASTRUCTURE,
    ReportConstraint.Category.LEGAL: Deliverable.Category.GOVERNANCE,
    ReportConstraint.Category.COORDINATION: Deliverable.Category.COOPERATION,
    ReportConstraint.Category.OTHER: Deliverable.Category.GOVERNANCE,
}


def _shorten(text: str | None, limit: int = 300) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _require_preparer(actor: User, message: str | None = None) -> None:
    if not permissions.can_prepare(actor):
        raise NotAllowed(message or _("Only the DG's office may prepare the meeting and the roadmap."))
