"""Celery tasks: thin. They take ids, call a service, and are safe to run twice."""

from celery import shared_task

from notifications import services


@shared_task(name="notifications.dispatch_due", ignore_result=True, acks_late=True)
def dispatch_due():
    """The periodic due-check (django-celery-beat): claim what is due today, queue the sending."""
    return services.reminders_dispatch()


@shared_task(bind=True, name="notifications.send_deliveries", ignore_result=True, acks_late=True, max_retries=5)
def send_deliveries(self, ids):
    """Send a batch of delivery rows. Rows that fail are retried with exponential back-off.

    After the last retry they stay ``failed`` and the due-check keeps retrying them (their back-off
    is recorded on the row), so a message is never lost.
    """
    result = services.deliveries_send(ids=ids)
    if result["failed"] and not self.request.is_eager and self.request.retries < self.max_retries:
        raise self.retry(args=[result["failed"]], countdown=60 * 2 ** self.request.retries)
    return result


@shared_task(name="notifications.notify_report_event", ignore_result=True, acks_late=True)
def notify_report_event(event_id):
    """The immediate notices of a report event (returned, submitted)."""
    return services.report_event_notify(event_id=event_id)


@shared_task(name="notifications.notify_deadline_extension", ignore_result=True, acks_late=True)
def notify_deadline_extension(extension_id):
    """The immediate notice of a deadline extension to the unit."""
    return services.deadline_extension_notify(extension_id=extension_id)
