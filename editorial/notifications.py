"""Notifications: written to the outbox inside the event's transaction, delivered by Celery after it.

`queue_for_event` is called by the workflow services; `deliver` and `requeue_unsent` are what the
Celery tasks run, and can be called directly (tests, shell) without a broker.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.text import one_line
from config.site import absolute
from editorial import permissions
from editorial.models import Notification, ReviewAssignment, TransitionLog
from editorial.transitions import TRANSITIONS, Audience


class DeliveryError(Exception):
    """Sending failed; ``final`` when no attempt is left."""

    def __init__(self, message: str, *, final: bool):
        super().__init__(message)
        self.final = final


@dataclass(frozen=True)
class Item:
    """One line of a list in a message (a digest's assignments), with its link."""

    text: str
    url: str


@dataclass(frozen=True)
class Message:
    kind: str
    subject: str
    lines: list[str]
    action: str
    url: str
    items: list[Item] = field(default_factory=list)
    footer: str = ""
    footer_url: str = ""


def subject_line(text: str) -> str:
    """Make ``text`` a subject any mail backend sends: one line, no control characters, cut to fit the outbox.

    Every subject goes through here, when the row is written and again when it is sent, so a
    title stored before the one-line rule (or any text a message puts in a subject) can never
    make delivery fail for good.
    """
    subject = one_line(text)
    limit = Notification._meta.get_field("subject").max_length
    return subject if len(subject) <= limit else f"{subject[: limit - 1].rstrip()}…"


def admin_url(article: Article) -> str:
    return absolute(reverse("admin:articles_article_change", args=[article.pk]))


def _people_with(permission: str):
    return permissions.holders(permission).exclude(email="").order_by("pk")


def editors():
    return _people_with("articles.manage_workflow")


def board_members():
    return _people_with("articles.review_article")


def write(
    message: Message,
    recipients,
    *,
    key: str,
    article: Article | None = None,
    assignment: ReviewAssignment | None = None,
    period: int | None = None,
) -> int:
    """Write one outbox row per recipient, keyed ``{key}:{recipient}``, and deliver them on commit.

    A row whose key exists already is left alone: writing the same notice twice is a no-op.
    Returns how many recipients the message was written for.
    """
    people = {person.pk: person for person in recipients if person.email and person.is_active}
    rows = [
        Notification(
            key=f"{key}:{person.pk}",
            kind=message.kind,
            article=article,
            assignment=assignment,
            period=period,
            recipient=person,
            email=person.email,
            subject=subject_line(message.subject),
            body_text=render_to_string("emails/notification.txt", {"message": message, "recipient": person}),
            body_html=render_to_string("emails/notification.html", {"message": message, "recipient": person}),
        )
        for person in people.values()
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    keys = [row.key for row in rows]
    transaction.on_commit(lambda: _enqueue(keys), robust=True)
    return len(rows)


def queue_for_event(article: Article, entry: TransitionLog, *, assignment: ReviewAssignment | None = None) -> None:
    """Write the outbox rows an event calls for and deliver them once the transaction commits.

    Whom a transition tells is the transition table's `notifies`; what the message says is here.
    """
    compose = _MESSAGES.get(entry.transition)
    message = compose(article, entry, assignment) if compose else None
    if message is None:
        return
    if entry.transition in TRANSITIONS:
        recipients = audience(article, TRANSITIONS[entry.transition].notifies)
    else:
        recipients = [assignment.reviewer] if entry.transition == "assign" else list(editors())
    write(message, recipients, key=f"{message.kind}:{entry.pk}", article=article, assignment=assignment)


def audience(article: Article, audiences) -> list:
    """The people of ``audiences`` for ``article``; the board never includes the article's own authors."""
    authors = list(article.authors.all())
    people = []
    for group in audiences:
        if group == Audience.AUTHORS:
            people += authors
        elif group == Audience.EDITORS:
            people += list(editors())
        elif group == Audience.BOARD:
            people += [person for person in board_members() if person.pk not in {author.pk for author in authors}]
    return people


def _submitted(article, entry, assignment) -> Message:
    asked = (
        ReviewAssignment.objects.returned_by()
        .filter(article=article, round=article.review_round - 1)
        .select_related("reviewer")
        .first()
    )
    back = (
        [f"It comes back after {asked.reviewer} asked for changes, who is asked to check them first."] if asked else []
    )
    return Message(
        Notification.Kind.SUBMITTED,
        f"Submitted for review: {article.title}",
        [
            f"{entry.actor_name} submitted “{article.title}” for review (round {article.review_round}).",
            *(back if asked else []),
            "No reviewer is assigned yet. Editors can assign a member of the Medical Advisory Board; "
            "board members can take it from the review queue.",
        ],
        "Open the article",
        admin_url(article),
    )


def _assigned(article, entry, assignment) -> Message | None:
    if assignment is None:
        return None
    due = timezone.localtime(assignment.due_at)
    return Message(
        Notification.Kind.ASSIGNED,
        f"Review assigned, due {due:%b %d}: {article.title}",
        [
            f"{entry.actor_name} asked you to review “{article.title}”.",
            f"Due: {due:%A %B %d, %Y, %H:%M %Z}.",
            "Check each claim against its cited sources, then approve or request changes. "
            "If you cannot review it, decline the assignment with a reason so an editor can reassign it.",
        ],
        "Start the review",
        admin_url(article),
    )


def _declined(article, entry, assignment) -> Message | None:
    if assignment is None:
        return None
    return Message(
        Notification.Kind.DECLINED,
        f"Review declined, reassign: {article.title}",
        [
            f"{entry.actor_name} declined to review “{article.title}”.",
            f"Reason: {entry.comment}",
            "Assign another member of the Medical Advisory Board.",
        ],
        "Assign a reviewer",
        absolute(reverse("admin:articles_article_assign", args=[article.pk])),
    )


def _changes_requested(article, entry, assignment) -> Message:
    return Message(
        Notification.Kind.CHANGES_REQUESTED,
        f"Changes requested: {article.title}",
        [
            f"{entry.actor_name} asked for changes to “{article.title}”:",
            entry.comment,
            "Answer the reviewer's comments, then submit the article again.",
        ],
        "Open the article",
        admin_url(article),
    )


def _approved(article, entry, assignment) -> Message | None:
    if article.state != Article.State.APPROVED:
        return None  # an approval recorded while more independent approvals are needed
    return Message(
        Notification.Kind.APPROVED,
        f"Approved and published: {article.title}",
        [
            f"{entry.actor_name} approved “{article.title}”. "
            f"Version {article.live_version.number} is now live for readers.",
            *(
                [f"What changed, as readers are told: {article.live_version.change_note}"]
                if article.live_version.change_note
                else []
            ),
        ],
        "Read the published article",
        absolute(article.get_absolute_url()),
    )


def _withdrawn(article, entry, assignment) -> Message:
    return Message(
        Notification.Kind.WITHDRAWN,
        f"Withdrawn: {article.title}",
        [f"{entry.actor_name} withdrew “{article.title}” from readers.", f"Reason: {entry.comment}"],
        "Open the article",
        admin_url(article),
    )


# What each event's message says. Transitions without one (start_review, revise, reinstate)
# tell nobody; `tests/editorial/test_transitions.py` checks this agrees with the table's `notifies`.
_MESSAGES = {
    "submit": _submitted,
    "assign": _assigned,
    "decline": _declined,
    "request_changes": _changes_requested,
    "approve": _approved,
    "withdraw": _withdrawn,
}


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
    notification = Notification.objects.select_related("article", "assignment", "recipient").get(pk=notification_id)
    reason = no_longer_needed(notification)
    if reason:
        Notification.objects.filter(pk=notification_id).update(
            status=Notification.Status.CANCELLED, cancelled_because=reason, claimed_at=None
        )
        return "cancelled"
    email = EmailMultiAlternatives(subject_line(notification.subject), notification.body_text, to=[notification.email])
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


def no_longer_needed(notification: Notification) -> str:
    """Why a reminder must not go out now (its work is done or closed); "" when it still should.

    Event notices always go: they report something that happened.
    """
    kind, article, assignment = notification.kind, notification.article, notification.assignment
    if kind in (Notification.Kind.OVERDUE, Notification.Kind.OVERDUE_ESCALATED):
        if assignment.status != ReviewAssignment.Status.ACTIVE:
            return f"The assignment is {assignment.get_status_display().lower()}."
    elif kind == Notification.Kind.UNASSIGNED:
        if article.state != Article.State.SUBMITTED:
            return f"The article is {article.get_state_display().lower()}."
        if ReviewAssignment.objects.current_round(article).active().exists():
            return "A reviewer has been assigned."
    elif kind == Notification.Kind.REREVIEW_DUE:
        if article.state != Article.State.APPROVED:
            return f"The article is {article.get_state_display().lower()}."
        if article.live_version.approved_at > notification.created_at:
            return "The article was approved again."
    elif kind == Notification.Kind.DIGEST and not getattr(notification.recipient, "receives_digest", False):
        return "The recipient turned daily digests off."
    return ""


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
