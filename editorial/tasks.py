"""Celery tasks: thin wrappers that call `editorial.notifications` and `editorial.purges`, safe to run twice."""

from celery import shared_task

from editorial import evidence, notifications, purges, reminders


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


@shared_task(bind=True, acks_late=True, max_retries=3)
def send_purges(self, purge_id: int) -> str:
    try:
        return purges.send(purge_id)
    except purges.PurgeError as error:
        if self.request.retries >= self.max_retries:
            return "unsent"  # still unsent in the outbox: the sweep queues it again
        # Backoff 5 s, 10 s, 20 s; all shorter than the sweep's cutoff, so the sweep never doubles them.
        raise self.retry(exc=error, countdown=5 * 2**self.request.retries) from error


@shared_task
def requeue_unsent_purges() -> int:
    return purges.requeue_unsent()


@shared_task
def scan_retractions() -> int:
    """Match new retraction records and changed references; apply each new notice once."""
    return len(evidence.scan())
