"""What readers send: follow-up questions and error reports from a published article's page."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.text import MultiLineValidator, SingleLineValidator


class ReaderMessage(models.Model):
    """A follow-up question or an error report a reader sent from a published article's page.

    It names the approved version the reader was looking at. The client is kept only as a
    keyed hash of its address (for rate limiting and spotting floods), never the address itself.
    """

    class Kind(models.TextChoices):
        QUESTION = "question", _("Follow-up question")
        ERROR = "error", _("Error report")

    class Audience(models.TextChoices):
        PATIENT = "patient", _("Patient or carer")
        PROFESSIONAL = "professional", _("Healthcare professional")
        STUDENT = "student", _("Student")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("Being handled")
        ANSWERED = "answered", _("Answered / fixed")
        DISMISSED = "dismissed", _("Dismissed")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    article = models.ForeignKey(
        "articles.Article", verbose_name=_("article"), on_delete=models.PROTECT, related_name="reader_messages"
    )
    version_number = models.PositiveIntegerField(
        _("version read"), help_text=_("The approved version the reader was shown when writing.")
    )
    text = models.TextField(_("text"), validators=[MultiLineValidator(_("message"))])
    part = models.CharField(
        _("part reported"),
        max_length=200,
        blank=True,
        help_text=_("For an error report: which part is wrong."),
        validators=[SingleLineValidator(_("part reported"))],
    )
    email = models.EmailField(
        _("email"),
        blank=True,
        help_text=_("Given by the reader for a reply."),
        validators=[SingleLineValidator(_("email"))],
    )
    audience = models.CharField(
        _("audience"),
        max_length=16,
        choices=Audience.choices,
        blank=True,
        help_text=_("How the reader described themselves on the site, if they did."),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(_("received"), default=timezone.now)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    draft_article = models.ForeignKey(
        "articles.Article",
        verbose_name=_("draft started from it"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    client_key = models.CharField(
        _("client key"), max_length=64, help_text=_("A keyed hash of the sender's address; the address is not kept.")
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        db_table = "editorial_readermessage"  # created by the editorial app, which held the model before
        indexes = [models.Index(fields=["status", "created_at"], name="readermessage_status_idx")]
        verbose_name = _("reader message")
        verbose_name_plural = _("reader messages")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on “{self.article}” ({timezone.localtime(self.created_at):%Y-%m-%d %H:%M})"
