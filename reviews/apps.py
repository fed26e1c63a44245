from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Annual review")

    def ready(self):
        from directorates.services import DELIVERABLE_ADDED_HOOKS, DELIVERABLE_CHANGE_GUARDS
        from reviews.services import guard_deliverable_changes, outcomes_add_for_deliverables

        if guard_deliverable_changes not in DELIVERABLE_CHANGE_GUARDS:
            DELIVERABLE_CHANGE_GUARDS.append(guard_deliverable_changes)
        if outcomes_add_for_deliverables not in DELIVERABLE_ADDED_HOOKS:
            DELIVERABLE_ADDED_HOOKS.append(outcomes_add_for_deliverables)
