"""Who may do what with the meeting, the priorities and the roadmap. One place for services, selectors and UI.

Rights granted per person (Django permissions, one group each, see directorates.permissions):

- "prepare the roadmap": build the meeting, compile and edit the roadmap, propose it, start a new version;
- "approve the roadmap": approve the proposed roadmap or send it back with comments (the DG's office's
  members given the right, and the DG);
- either of them: record the DG's priorities;
- a unit's head records progress on their own unit's milestones only;
- a unit's people see their unit's objectives once the roadmap has been approved, and of the roadmap
  itself only what was approved: no draft, no state change, no comment, no diff (docs/roadmap.md).

Four eyes (``settings.ROADMAP_FOUR_EYES``, off by default): the person who proposed a version may not
approve it; someone else holding the approval right must.
"""

from django.conf import settings
from django.db.models import F, Q
from django.utils.translation import gettext as _

from directorates import permissions as unit_permissions
from roadmap.models import ROADMAP_TRANSITIONS, RoadmapEvent, RoadmapState

PREPARE_ROADMAP = "roadmap.prepare_roadmap"
APPROVE_ROADMAP = "roadmap.approve_roadmap"
GROUPS = {PREPARE_ROADMAP: "Prepare the roadmap", APPROVE_ROADMAP: "Approve the roadmap"}


def can_prepare(user):
    """Build the meeting, compile and edit the roadmap, propose it, start a new version."""
    return unit_permissions.has_right(user, PREPARE_ROADMAP)


def can_approve(user):
    """Approve the proposed roadmap, or send it back with comments."""
    return unit_permissions.has_right(user, APPROVE_ROADMAP)


def can_read_drafts(user):
    """Drafts, proposals, the events and comments of a roadmap and the diffs between versions: the DG's
    office, the DG and administrators. Everyone else reads approved versions only."""
    return bool(user.is_authenticated and user.is_active and user.sees_everything)


def readable_objectives_q(user, prefix="", roadmap_prefix=None):
    """The one rule for which objective rows ``user`` reads (``prefix`` leads from the queried model to the
    objective; ``roadmap_prefix`` to its roadmap, by default through the objective).

    - The DG's office, the DG and administrators read the version being worked on: the draft copies while a
      next version is drafted after an approval, otherwise the rows themselves.
    - Everyone else reads the last approved version only, and of it only their units' objectives: the
      approved rows (never a draft copy: title, milestones, owner, state as approved), once approved.
    """
    roadmap_prefix = f"{prefix}roadmap__" if roadmap_prefix is None else roadmap_prefix
    if can_read_drafts(user):
        return (
            Q(**{f"{prefix}is_draft": True})
            | Q(**{f"{roadmap_prefix}approved_version__isnull": True})
            | Q(**{f"{roadmap_prefix}approved_version": F(f"{roadmap_prefix}version")})
        )
    return Q(
        **{f"{prefix}is_draft": False, f"{roadmap_prefix}approved_version__isnull": False}
    ) & unit_permissions.visible_directorates_q(user, f"{prefix}owner__")


def can_record_priorities(user):
    return can_prepare(user) or can_approve(user)


def can_record_progress(user, objective):
    return unit_permissions.is_unit_head(user, objective.owner)


def approvers():
    """The people to ask for an approval: active holders of the right (administrators not included)."""
    return unit_permissions.holders_of(APPROVE_ROADMAP)


def proposal_event(roadmap):
    """The event that proposed the roadmap's current version (the latest one), or None. One query."""
    return (
        RoadmapEvent.objects.filter(roadmap=roadmap, version=roadmap.version, new_state=RoadmapState.PROPOSED)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )


def approval_problem(user, roadmap):
    """Why ``user`` may not approve ``roadmap`` now (None if they may). Rights and four eyes, not state."""
    if not can_approve(user):
        return _("Approving the roadmap needs the right to approve it.")
    if getattr(settings, "ROADMAP_FOUR_EYES", False) and roadmap.state == RoadmapState.PROPOSED:
        proposal = proposal_event(roadmap)
        if proposal is not None and proposal.actor_id == user.pk:
            return _(
                "Four-eyes rule: you proposed version %(version)s, so another person holding the approval "
                "right must approve it."
            ) % {"version": roadmap.version}
    return None


def may_move(user, roadmap, to_state):
    if to_state not in ROADMAP_TRANSITIONS[RoadmapState(roadmap.state)]:
        return False
    if roadmap.state == RoadmapState.DRAFT and to_state == RoadmapState.PROPOSED:
        return can_prepare(user)
    if roadmap.state == RoadmapState.PROPOSED and to_state == RoadmapState.APPROVED:
        return approval_problem(user, roadmap) is None
    if roadmap.state == RoadmapState.PROPOSED:
        return can_approve(user)  # send back with comments
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
        if approval_problem(user, roadmap) is None:
            actions += ["approve"]
        actions += ["return"]
    if state == RoadmapState.APPROVED and can_prepare(user):
        actions += ["new_version"]
    return actions
