"""An objective's status, computed from its milestones and dates — never typed by hand.

The rule (also in docs/roadmap.md), for one objective on the date ``as_of``:

- a milestone is *reached* when its latest progress value recorded on or before ``as_of`` is ≥ its target
  (so the status "as of" a past date ignores progress recorded later);
- **done**: it has milestones and every one is reached;
- **late**: a milestone whose due date is before ``as_of`` is not reached;
- **at risk**: a milestone due within the next 30 days (0 ≤ due date − ``as_of`` ≤ 30 days) has progress
  recorded whose latest value is below half its target, or a milestone due within the next 14 days has
  no progress recorded at all;
- **no plan yet**: it has no milestone at all — nothing to be on track against;
- **on track**: otherwise.

Everything is computed in Python from prefetched milestones and progress, so a list of objectives
costs the same few queries whatever its length.
"""

import datetime
from decimal import Decimal

from roadmap.models import ObjectiveStatus

AT_RISK_WINDOW = datetime.timedelta(days=30)
NO_PROGRESS_WINDOW = datetime.timedelta(days=14)
AT_RISK_SHARE = "0.5"


def latest_value(milestone, as_of=None):
    """The value of the latest progress update (prefetched ``progress``) dated on or before ``as_of``, or None."""
    updates = [u for u in milestone.progress.all() if as_of is None or u.recorded_on <= as_of]
    if not updates:
        return None
    latest = max(updates, key=lambda u: (u.recorded_on, u.created_at, u.pk or 0))
    return latest.value


def milestone_reached(milestone, as_of=None):
    value = latest_value(milestone, as_of)
    return value is not None and value >= milestone.target_value


def milestone_status(milestone, as_of):
    value = latest_value(milestone, as_of)
    if value is not None and value >= milestone.target_value:
        return ObjectiveStatus.DONE
    if milestone.due_date < as_of:
        return ObjectiveStatus.LATE
    if milestone.due_date - as_of <= NO_PROGRESS_WINDOW and value is None:
        return ObjectiveStatus.AT_RISK
    if (value is not None and milestone.due_date - as_of <= AT_RISK_WINDOW
            and value < milestone.target_value * Decimal(AT_RISK_SHARE)):
        return ObjectiveStatus.AT_RISK
    return ObjectiveStatus.ON_TRACK


def objective_status(objective, as_of):
    milestones = list(objective.milestones.all())
    if not milestones:
        return ObjectiveStatus.NO_PLAN
    statuses = {milestone_status(m, as_of) for m in milestones}
    if statuses == {ObjectiveStatus.DONE}:
        return ObjectiveStatus.DONE
    if ObjectiveStatus.LATE in statuses:
        return ObjectiveStatus.LATE
    if ObjectiveStatus.AT_RISK in statuses:
        return ObjectiveStatus.AT_RISK
    return ObjectiveStatus.ON_TRACK
