"""Hook into the reviews and roadmap apps: their signals are sent after the state change has committed."""

from django.dispatch import receiver

from notifications import services, tasks
from reviews.services import deadline_extended, report_state_changed, review_item_commented
from roadmap.services import roadmap_state_changed


@receiver(report_state_changed, dispatch_uid="notifications.report_state_changed")
def queue_report_notices(sender, event_id, **kwargs):
    # Never raises: if the broker is down the submission still stands, and the next
    # due-check sends the notice (it looks at recent events in the database).
    services.enqueue(tasks.notify_report_event, event_id)


@receiver(roadmap_state_changed, dispatch_uid="notifications.roadmap_state_changed")
def queue_roadmap_notices(sender, event_id, **kwargs):
    # Same contract: never raises; the due-check catches up on recent roadmap events.
    services.enqueue(tasks.notify_roadmap_event, event_id)


@receiver(deadline_extended, dispatch_uid="notifications.deadline_extended")
def queue_extension_notice(sender, extension_id, **kwargs):
    services.enqueue(tasks.notify_deadline_extension, extension_id)


@receiver(review_item_commented, dispatch_uid="notifications.review_item_commented")
def queue_item_comment_notice(sender, comment_id, **kwargs):
    services.enqueue(tasks.notify_item_comment, comment_id)
