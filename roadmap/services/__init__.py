"""Writes and rules for the meeting, the priorities and the roadmap, one module per sub-domain.

Every write goes through here, whether from the web pages, the API, the admin or the demo; state
changes go through core.transitions. Callers import this package: ``from roadmap import services``.
"""

from roadmap.services.common import (  # noqa: F401
    REVIEWED_STATES,
    CONSTRAINT_CATEGORY,
    roadmap_state_changed,
)
from roadmap.services.meeting import (  # noqa: F401
    meeting_build,
    meeting_invite,
    agenda_move,
    attendance_record,
)
from roadmap.services.priorities import (  # noqa: F401
    priority_create,
    priority_update,
    PRIORITY_FIELDS,
)
from roadmap.services.compile import (  # noqa: F401
    roadmap_compile,
)
from roadmap.services.objectives import (  # noqa: F401
    objective_create,
    objective_update,
    objective_drop,
    objective_restore,
    objective_merge,
    objective_split,
    milestones_set,
    OBJECTIVE_FIELDS,
)
from roadmap.services.versions import (  # noqa: F401
    roadmap_propose,
    roadmap_return,
    roadmap_approve,
    roadmap_new_version,
    snapshot,
    snapshot_diff,
    ROADMAP_MACHINE,
    DRAFTED_FIELDS,
    MILESTONE_FIELDS,
    DIFF_FIELDS,
)
from roadmap.services.handover import (  # noqa: F401
    handover_to_cahier_des_charges,
)
from roadmap.services.tracking import (  # noqa: F401
    progress_record,
    milestones_keep_latest_progress,
)
