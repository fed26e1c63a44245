"""Writes and rules for the meeting, the priorities and the roadmap, one module per sub-domain.

Every write goes through here, whether from the web pages, the API, the admin or the demo; state
changes go through core.transitions. Callers import this package: ``from roadmap import services``.
"""

from roadmap.services.common import (  # noqa: F401
    CONSTRAINT_CATEGORY,
    REVIEWED_STATES,
    roadmap_state_changed,
)
from roadmap.services.compile import (  # noqa: F401
    roadmap_compile,
)
from roadmap.services.handover import (  # noqa: F401
    handover_to_cahier_des_charges,
)
from roadmap.services.meeting import (  # noqa: F401
    agenda_move,
    attendance_record,
    meeting_build,
    meeting_invite,
)
from roadmap.services.objectives import (  # noqa: F401
    OBJECTIVE_FIELDS,
    milestones_set,
    objective_create,
    objective_drop,
    objective_merge,
    objective_restore,
    objective_split,
    objective_update,
)
from roadmap.services.priorities import (  # noqa: F401
    PRIORITY_FIELDS,
    priority_create,
    priority_update,
)
from roadmap.services.tracking import (  # noqa: F401
    milestones_keep_latest_progress,
    progress_record,
)
from roadmap.services.versions import (  # noqa: F401
    DIFF_FIELDS,
    DRAFTED_FIELDS,
    MILESTONE_FIELDS,
    ROADMAP_MACHINE,
    roadmap_approve,
    roadmap_new_version,
    roadmap_propose,
    roadmap_return,
    snapshot,
    snapshot_diff,
)
