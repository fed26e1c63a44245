"""Who may do what with the meeting, the priorities and the roadmap. One place for services, selectors and UI.

- the DG's office (reviewer) builds the meeting, compiles and edits the roadmap, proposes it;
- the DG (approver) approves it or sends it back; the DG or the office records the priorities;
- a unit's head records progress on their own unit's milestones only;
- a unit's people see their unit's objectives once the roadmap has been approved, and of the roadmap
  itself only what was approved: no draft, no state change, no comment, no diff (docs/roadmap.md).
"""

from directorates import permissions as unit_permissions
from roadmap.models import ROADMAP_TRANSITIONS, RoadmapState


def can_prepare(user):
    """Build the meeting, compile and edit the roadmap, propose it: the DG's office."""
    return bool(user.is_authenticated and user.is_active and user.is_reviewer)


def can_approve(user):
    return bool(user.is_authenticated and user.is_active and user.is_approver)


def can_read_drafts(user):
    """Drafts, proposals, the events and comments of a roadmap and the diffs between versions: the DG's
    office, the DG and administrators. Everyone else reads approved versions only."""
    return bool(user.is_authenticated and user.is_active and user.sees_everything)


def can_record_priorities(user):
    return bool(user.is_authenticated and user.is_active and (user.is_approver or user.is_reviewer))


def can_record_progress(user, objective):
    return unit_permissions.is_unit_head(user, objective.owner)


def may_move(user, roadmap, to_state):
    if to_state not in ROADMAP_TRANSITIONS[RoadmapState(roadmap.state)]:
        return False
    if roadmap.state == RoadmapState.DRAFT and to_state == RoadmapState.PROPOSED:
        return can_prepare(user)
    if roadmap.state == RoadmapState.PROPOSED:
        return can_approve(user)  # approve, or send back with comments
    if roadmap.state == RoadmapState.APPROVED and to_state == RoadmapState.DRAFT:
        return can_prepare(user)  # start a new version
    return False


def available_actions(user, roadmap):
    """The buttons to show, by action name."""
    if roadmap is None:
        return ["compile"] if can_prepare(user) else []
    actions = []
    state = RoadmapState(roadmap.state)
    if state == RoadmapState.DRAFT and can_prepare(user):
        actions += ["compile", "propose"]
    if state == RoadmapState.PROPOSED and can_approve(user):
        actions += ["approve", "return"]
    if state == RoadmapState.APPROVED and can_prepare(user):
        actions += ["new_version"]
    return actions
