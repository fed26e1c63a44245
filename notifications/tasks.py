"""Celery tasks: thin. They take ids, call a service, and are safe to run twice."""

from celery import shared_task

from notifications import services


@shared_task(name="notifications.dispatch_due", ignore_result=True, acks_late=True)
def dispatch_due():
    """The periodic due-check (django-celery-beat): claim what is due today, queue the sending."""
    return services.reminders_dispatch()


@shared_task(name="notifications.send_deliveries", ignore_result=True, acks_late=True)
def send_deliveries(ids):
    """Send a batch of delivery rows.

    One retry path: a row that fails stays ``failed`` with its back-off recorded on it
    (``next_attempt_at``), and the periodic due-check sends it again once that time has come, until
    it goes through; nothing is retried by Celery, so a message is never lost with a task.
    """
    return services.deliveries_send(ids=ids)


@shared_task(name="notifications.notify_report_event", ignore_result=True, acks_late=True)
def notify_report_event(event_id):
    """The immediate notices of a report event (returned, submitted)."""
    return services.event_notify(source="report", event_id=event_id)


@shared_task(name="notifications.notify_deadline_extension", ignore_result=True, acks_late=True)
def notify_deadline_extension(extension_id):
    """The immediate notice of a deadline extension to the unit."""
    return services.deadline_extension_notify(extension_id=extension_id)


@shared_task(name="notifications.notify_roadmap_event", ignore_result=True, acks_late=True)
def notify_roadmap_event(event_id):
    """The immediate notices of a roadmap event (proposed, approved, sent back)."""
    return services.event_notify(source="roadmap", event_id=event_id)


@shared_task(name="notifications.notify_item_comment", ignore_result=True, acks_late=True)
def notify_item_comment(comment_id):
    """The immediate notice of a comment on a flagged item to the other side of its thread."""
    return services.item_comment_notify(comment_id=comment_id)
