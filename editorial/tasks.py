"""Celery tasks: thin wrappers that call `editorial.notifications` and are safe to run twice."""

from celery import shared_task

from editorial import notifications, reminders


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_notification(self, notification_id: int) -> str:
    try:
        return notifications.deliver(notification_id)
    except notifications.DeliveryError as error:
        if error.final:
            return "failed"
        # Exponential backoff: 30 s, 60 s, 120 s … capped at an hour.
        raise self.retry(exc=error, countdown=min(30 * 2**self.request.retries, 3600)) from error


@shared_task
def requeue_unsent_notifications() -> int:
    return notifications.requeue_unsent()


@shared_task
def scan_reminders() -> dict[str, int]:
    return reminders.scan()
