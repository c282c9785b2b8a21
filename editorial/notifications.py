"""Notifications: written to the outbox inside the event's transaction, delivered by Celery after it.

`queue_for_event` is called by the workflow services; `deliver` and `requeue_unsent` are what the
Celery tasks run, and can be called directly (tests, shell) without a broker.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from editorial.models import Notification, ReviewAssignment, TransitionLog


class DeliveryError(Exception):
    """Sending failed; ``final`` when no attempt is left."""

    def __init__(self, message: str, *, final: bool):
        super().__init__(message)
        self.final = final


@dataclass(frozen=True)
class Message:
    kind: str
    subject: str
    lines: list[str]
    action: str
    url: str


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _admin_url(article: Article) -> str:
    return _absolute(reverse("admin:articles_article_change", args=[article.pk]))


def _editors():
    return get_user_model().objects.with_perm("articles.manage_workflow").exclude(email="")


def queue_for_event(article: Article, entry: TransitionLog, *, assignment: ReviewAssignment | None = None) -> None:
    """Write the outbox rows an event calls for and deliver them once the transaction commits."""
    title = article.title
    if entry.transition == "submit":
        message = Message(
            Notification.Kind.SUBMITTED,
            f"Submitted for review: {title}",
            [
                f"{entry.actor_name} submitted “{title}” for review (round {article.review_round}).",
                "Assign a member of the Medical Advisory Board, or a board member can take it from the queue.",
            ],
            "Open the article",
            _admin_url(article),
        )
        recipients = list(_editors())
    elif entry.transition == "assign" and assignment is not None:
        due = timezone.localtime(assignment.due_at)
        message = Message(
            Notification.Kind.ASSIGNED,
            f"Review assigned, due {due:%b %d}: {title}",
            [
                f"{entry.actor_name} asked you to review “{title}”.",
                f"Due: {due:%A %B %d, %Y, %H:%M %Z}.",
                "Check each claim against its cited sources, then approve or request changes.",
            ],
            "Start the review",
            _admin_url(article),
        )
        recipients = [assignment.reviewer]
    elif entry.transition == "request_changes":
        message = Message(
            Notification.Kind.CHANGES_REQUESTED,
            f"Changes requested: {title}",
            [
                f"{entry.actor_name} asked for changes to “{title}”:",
                entry.comment,
                "Answer the reviewer's comments, then submit the article again.",
            ],
            "Open the article",
            _admin_url(article),
        )
        recipients = list(article.authors.all())
    elif entry.transition == "approve" and article.state == Article.State.APPROVED:
        message = Message(
            Notification.Kind.APPROVED,
            f"Approved and published: {title}",
            [f"{entry.actor_name} approved “{title}”. Version {article.live_version.number} is now live for readers."],
            "Read the published article",
            _absolute(article.get_absolute_url()),
        )
        recipients = list(article.authors.all())
    elif entry.transition == "withdraw":
        message = Message(
            Notification.Kind.WITHDRAWN,
            f"Withdrawn: {title}",
            [f"{entry.actor_name} withdrew “{title}” from readers.", f"Reason: {entry.comment}"],
            "Open the article",
            _admin_url(article),
        )
        recipients = list(article.authors.all())
    else:
        return
    rows = [_render(message, article, entry, person) for person in recipients if person.email and person.is_active]
    created = Notification.objects.bulk_create(rows, ignore_conflicts=True)
    keys = [row.key for row in created]
    transaction.on_commit(lambda: _enqueue(keys), robust=True)


def _render(message: Message, article: Article, entry: TransitionLog, person) -> Notification:
    context = {"message": message, "recipient": person}
    return Notification(
        key=f"{message.kind}:{entry.pk}:{person.pk}",
        kind=message.kind,
        article=article,
        recipient=person,
        email=person.email,
        subject=message.subject,
        body_text=render_to_string("emails/notification.txt", context),
        body_html=render_to_string("emails/notification.html", context),
    )


def _enqueue(keys: list[str]) -> None:
    from editorial.tasks import deliver_notification

    for pk in Notification.objects.filter(key__in=keys).values_list("pk", flat=True):
        deliver_notification.delay(pk)


def deliver(notification_id: int) -> str:
    """Send one notification unless it is sent, failed, or being sent by someone else.

    Safe to run twice: only the run that moves the row from pending (or from an abandoned
    "sending" whose lease ran out) to "sending" sends it.
    """
    now = timezone.now()
    abandoned = now - timedelta(seconds=settings.VETTED_NOTIFICATION_LEASE_SECONDS)
    claimed = (
        Notification.objects.filter(pk=notification_id)
        .filter(Q(status=Notification.Status.PENDING) | Q(status=Notification.Status.SENDING, claimed_at__lt=abandoned))
        .update(status=Notification.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return "skipped"
    notification = Notification.objects.get(pk=notification_id)
    email = EmailMultiAlternatives(notification.subject, notification.body_text, to=[notification.email])
    email.attach_alternative(notification.body_html, "text/html")
    try:
        email.send()
    except Exception as error:  # noqa: BLE001 - any failure of the mail backend is recorded and retried
        final = notification.attempts >= settings.VETTED_NOTIFICATION_MAX_ATTEMPTS
        Notification.objects.filter(pk=notification_id, status=Notification.Status.SENDING).update(
            status=Notification.Status.FAILED if final else Notification.Status.PENDING,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            claimed_at=None,
        )
        raise DeliveryError(str(error), final=final) from error
    Notification.objects.filter(pk=notification_id).update(
        status=Notification.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return "sent"


def requeue_unsent(*, older_than: timedelta = timedelta(minutes=2)) -> int:
    """Queue again what a lost broker message or a dead worker left behind."""
    now = timezone.now()
    abandoned = now - timedelta(seconds=settings.VETTED_NOTIFICATION_LEASE_SECONDS)
    stuck = Notification.objects.filter(
        Q(status=Notification.Status.PENDING, created_at__lt=now - older_than)
        | Q(status=Notification.Status.SENDING, claimed_at__lt=abandoned)
    ).values_list("key", flat=True)
    keys = list(stuck[:500])
    _enqueue(keys)
    return len(keys)
