from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from articles.text import MultiLineValidator
from editorial.records import AppendOnlyModel, AppendOnlyQuerySet

CHANGE_NOTE_MAX_LENGTH = 1000


class ArticleVersionQuerySet(AppendOnlyQuerySet):
    def live(self):
        """Each article's live version, a withdrawn article's included: the addresses readers reach."""
        return self.filter(article__live_version=models.F("pk"))

    def published(self):
        """The live versions readers are shown: withdrawn articles' left out."""
        return self.live().exclude(article__state=Article.State.WITHDRAWN)


class ArticleVersion(AppendOnlyModel):
    """The content a reviewer approved, frozen: what readers are served.

    ``document`` is the article as `articles.document.build_document` made it at approval,
    references included as they were; ``content_hash`` identifies exactly that content.
    ``slug`` and ``topic`` are its address and topic as approved, so a draft that changes the
    article's own slug or topic moves nothing readers see until the next approval.
    """

    article = models.ForeignKey(
        "articles.Article", verbose_name=_("article"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        help_text=_("The address readers were given for this version; once superseded, it redirects to the live one."),
    )
    topic = models.ForeignKey(
        "articles.Topic",
        verbose_name=_("topic"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="versions",
    )
    document = models.JSONField(_("document"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    approved_at = models.DateTimeField(_("approved at"), default=timezone.now, db_index=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    reviewers = models.JSONField(
        _("reviewers"), default=list, help_text=_("Names and credentials of every approving reviewer, kept as text.")
    )
    timeline = models.JSONField(
        _("timeline"),
        default=dict,
        blank=True,
        help_text=_("When this version's round was submitted, taken into review and approved (ISO 8601)."),
    )
    search_text = models.TextField(
        _("search text"), blank=True, help_text=_("The document's sentences, one per line, for search.")
    )
    search_headings = models.TextField(
        _("search headings"), blank=True, help_text=_("The document's section headings, one per line, for search.")
    )
    change_note = models.TextField(
        _("change note"),
        blank=True,
        max_length=CHANGE_NOTE_MAX_LENGTH,
        validators=[MultiLineValidator(_("change note")), MaxLengthValidator(CHANGE_NOTE_MAX_LENGTH)],
        help_text=_("What changed for readers, shown on the article page and in its history and feeds."),
    )
    evidence_search_due = models.DateField(
        _("evidence search due"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("The earliest date a claim's evidence search falls due (articles.evidence); empty if none dated."),
    )

    objects = ArticleVersionQuerySet.as_manager()

    class Meta:
        ordering = ["article", "-number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="version_number_unique")]
        verbose_name = _("approved version")
        verbose_name_plural = _("approved versions")

    def __str__(self) -> str:
        return f"{self.document.get('title', '')} — v{self.number}"

    @property
    def reviewer_names(self) -> str:
        return "; ".join(reviewer["name"] for reviewer in self.reviewers)


class TransitionLog(AppendOnlyModel):
    """One workflow event: who moved which article from what state to what, when and why."""

    article = models.ForeignKey(
        "articles.Article", verbose_name=_("article"), on_delete=models.PROTECT, related_name="transition_logs"
    )
    transition = models.CharField(_("transition"), max_length=40)
    from_state = models.CharField(_("from"), max_length=32)
    to_state = models.CharField(_("to"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(
        _("actor name"), max_length=200, help_text=_("Kept as text so the log survives the account.")
    )
    comment = models.TextField(_("comment"), blank=True, validators=[MultiLineValidator(_("comment"))])
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)
    version = models.ForeignKey(
        ArticleVersion, verbose_name=_("version"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["article", "created_at", "id"]
        verbose_name = _("transition log entry")
        verbose_name_plural = _("transition log")

    def __str__(self) -> str:
        return f"{self.actor_name}: {self.transition} ({self.from_state} → {self.to_state})"


class ReviewAssignmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=ReviewAssignment.Status.ACTIVE)

    def current_round(self, article):
        return self.filter(article=article, round=article.review_round)

    def returned_by(self, reviewer=None):
        """Assignments that ended with the reviewer requesting changes: the natural reviewer of the resubmission."""
        returned = self.filter(status=ReviewAssignment.Status.CHANGES_REQUESTED)
        return returned if reviewer is None else returned.filter(reviewer=reviewer)

    def overdue(self, now=None):
        return self.active().filter(due_at__lt=now or timezone.now())

    def with_reminder_state(self):
        """Annotate what `editorial.schedule.upcoming_for_assignment` needs: the latest overdue
        reminder written (``last_reminder``) and whether the editors were told (``escalated``)."""
        reminders = Notification.objects.filter(assignment=OuterRef("pk"))
        return self.annotate(
            last_reminder=Subquery(
                reminders.filter(kind=Notification.Kind.OVERDUE).order_by("-period").values("period")[:1]
            ),
            escalated=Exists(reminders.filter(kind=Notification.Kind.OVERDUE_ESCALATED)),
        )


class ReviewAssignment(models.Model):
    """A board member's responsibility to review one round of one article by a due date."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        APPROVED = "approved", _("Approved")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        DECLINED = "declined", _("Declined")
        CLOSED = "closed", _("Closed without a decision")

    article = models.ForeignKey(
        "articles.Article", verbose_name=_("article"), on_delete=models.PROTECT, related_name="assignments"
    )
    round = models.PositiveIntegerField(_("review round"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.PROTECT, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(_("status"), max_length=32, choices=Status.choices, default=Status.ACTIVE)
    approved_content_hash = models.CharField(_("approved content hash"), max_length=64, blank=True)
    decline_reason = models.TextField(
        _("reason for declining"), blank=True, validators=[MultiLineValidator(_("reason for declining"))]
    )
    created_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ReviewAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            # One open assignment per reviewer and round; one who declined can be asked again.
            models.UniqueConstraint(
                fields=["article", "round", "reviewer"],
                condition=Q(status="active"),
                name="assignment_one_open_per_reviewer_and_round",
                violation_error_message=_("This reviewer is already assigned to this round."),
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="assignment_decline_needs_reason",
                violation_error_message=_("Say why you decline."),
            ),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="assignment_status_due_idx")]
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")

    def __str__(self) -> str:
        return f"{self.reviewer} — {self.article} (round {self.round})"


class ClaimReview(AppendOnlyModel):
    """A reviewer's mark on one claim: verified, or needs change with a comment.

    ``claim_fingerprint`` is the claim's content (text, plain-language text, cited references)
    when it was marked, so an edit afterwards voids the mark and an untouched claim keeps it.
    ``carried_from`` is set when the reviewer adopted an earlier round's verification of the
    unchanged claim instead of checking it again: it names the mark where it was checked.
    """

    assignment = models.ForeignKey(
        ReviewAssignment, verbose_name=_("assignment"), on_delete=models.PROTECT, related_name="claim_reviews"
    )
    claim = models.ForeignKey(
        "articles.Claim", verbose_name=_("claim"), on_delete=models.SET_NULL, null=True, related_name="reviews"
    )
    claim_uuid = models.UUIDField(_("claim stable ID"), db_index=True)
    claim_fingerprint = models.CharField(_("claim fingerprint"), max_length=64)
    verified = models.BooleanField(_("verified"))
    comment = models.TextField(_("comment"), blank=True, validators=[MultiLineValidator(_("comment"))])
    carried_from = models.ForeignKey(
        "self",
        verbose_name=_("carried over from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="carried_into",
        help_text=_("The earlier verification this mark adopts; empty when the reviewer checked the claim."),
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(carried_from__isnull=True) | Q(verified=True),
                name="claim_review_only_verifications_carried",
                violation_error_message=_("Only a verification can be carried over."),
            ),
            models.CheckConstraint(
                condition=Q(verified=True) | ~Q(comment=""),
                name="claim_review_change_needs_comment",
                violation_error_message=_("Say what needs to change."),
            ),
        ]
        verbose_name = _("claim review")
        verbose_name_plural = _("claim reviews")

    def __str__(self) -> str:
        return f"{'verified' if self.verified else 'needs change'}: {self.claim_uuid}"

    @property
    def checked_in(self) -> "ClaimReview":
        """The mark where the claim was actually checked: this one, or the one it was carried from."""
        return self.carried_from or self


class NotificationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Notification.Status.PENDING)


class Notification(models.Model):
    """One email to one person about one event: an outbox row, written with the event itself.

    Celery delivers it after the event's transaction commits; ``key`` makes a second write of
    the same notice (a retried scan, a second scheduler) a no-op, and the status changes make
    a second delivery of the same row a no-op.
    """

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Article submitted")
        ASSIGNED = "assigned", _("Review assigned")
        DECLINED = "declined", _("Assignment declined")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Article approved")
        WITHDRAWN = "withdrawn", _("Article withdrawn")
        OVERDUE = "overdue", _("Review overdue")
        OVERDUE_ESCALATED = "overdue_escalated", _("Overdue review escalated")
        UNASSIGNED = "unassigned", _("Submission waiting for a reviewer")
        REREVIEW_DUE = "rereview_due", _("Re-review due")
        EVIDENCE_DUE = "evidence_due", _("Evidence search due")
        SOURCE_UNDER_NOTICE = "source_under_notice", _("Cited source under notice")
        INTEREST_DECLARED = "interest_declared", _("Competing interest declared")
        DIGEST = "digest", _("Daily digest")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Not sent: no longer needed")

    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    article = models.ForeignKey(
        "articles.Article",
        verbose_name=_("article"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
        help_text=_("Empty for a digest, which covers several articles."),
    )
    assignment = models.ForeignKey(
        ReviewAssignment,
        verbose_name=_("assignment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
    )
    period = models.PositiveIntegerField(
        _("reminder number"), null=True, blank=True, help_text=_("Which repeat of a reminder this is, from 0.")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    email = models.EmailField(_("email"))
    subject = models.CharField(_("subject"), max_length=250)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    cancelled_because = models.CharField(_("not sent because"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"], name="notification_status_idx")]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.email}"


class ReviewReply(models.Model):
    """An author's answer to a reviewer's "needs change" comment on a claim."""

    review = models.ForeignKey(
        ClaimReview, verbose_name=_("claim review"), on_delete=models.PROTECT, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_name = models.CharField(_("author name"), max_length=200)
    text = models.TextField(_("answer"), validators=[MultiLineValidator(_("answer"))])
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("answer to a review comment")
        verbose_name_plural = _("answers to review comments")

    def __str__(self) -> str:
        return f"{self.author_name}: {self.text[:60]}"


class PurgeRequestQuerySet(models.QuerySet):
    def unsent(self):
        return self.filter(sent_at__isnull=True)


class PurgeRequest(models.Model):
    """Surrogate keys the shared cache (Varnish) must forget: an outbox row, written with the change.

    Written in the transaction that changes what readers see (an approval, a withdrawal, a
    corrected reference, an edited policy page), so a rolled-back change purges nothing and a
    committed one is never forgotten. Celery sends it after the commit; the sweep sends it again
    while ``sent_at`` is empty, so a cache that was down gets the purge when it is back.
    """

    keys = models.TextField(_("surrogate keys"), help_text=_("Space-separated, e.g. “article-12 listings”."))
    reason = models.CharField(_("reason"), max_length=200)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    note = models.CharField(_("outcome"), max_length=500, blank=True, help_text=_("What each cache answered."))

    objects = PurgeRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(sent_at__isnull=True), name="purgerequest_unsent_idx")
        ]
        verbose_name = _("cache purge")
        verbose_name_plural = _("cache purges")

    def __str__(self) -> str:
        return f"{self.keys} ({self.reason})"
