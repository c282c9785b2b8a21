from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from articles.text import MultiLineValidator, SingleLineValidator
from pages.text import Block, parse_blocks


class EditorialPolicy(models.Model):
    """The editorial policy readers see at /editorial-policy/: the most recently updated one."""

    title = models.CharField(_("title"), max_length=200, validators=[SingleLineValidator(_("title"))])
    summary = models.CharField(
        _("summary"),
        max_length=300,
        help_text=_("One or two sentences, shown under the title and in search results."),
        validators=[SingleLineValidator(_("summary"))],
    )
    body = models.TextField(
        _("body"),
        help_text=_("Plain text. Leave a blank line between paragraphs; start a line with “## ” to make it a heading."),
        validators=[MultiLineValidator(_("body"))],
    )
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-updated_at", "-id"]
        get_latest_by = ["updated_at", "id"]
        verbose_name = _("editorial policy")
        verbose_name_plural = _("editorial policies")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("pages:editorial_policy")

    def blocks(self) -> list[Block]:
        """The body as headings and paragraphs, for the template to render (and escape)."""
        return parse_blocks(self.body)


class BoardMember(models.Model):
    """A member of the Medical Advisory Board, as readers see them at /advisory-board/."""

    name = models.CharField(_("name"), max_length=150, validators=[SingleLineValidator(_("name"))])
    credentials = models.CharField(
        _("credentials"),
        max_length=100,
        blank=True,
        help_text=_("Degrees and titles, e.g. “MD, FRCP”."),
        validators=[SingleLineValidator(_("credentials"))],
    )
    specialty = models.CharField(_("specialty"), max_length=150, validators=[SingleLineValidator(_("specialty"))])
    affiliation = models.CharField(
        _("affiliation"),
        max_length=200,
        blank=True,
        help_text=_("Hospital, university or practice."),
        validators=[SingleLineValidator(_("affiliation"))],
    )
    bio = models.TextField(
        _("short bio"),
        blank=True,
        help_text=_("Two or three sentences for readers."),
        validators=[MultiLineValidator(_("short bio"))],
    )
    disclosures = models.TextField(
        _("disclosures"),
        default="None declared",
        help_text=_("Financial and professional interests that could bear on their reviews, or “None declared”."),
        validators=[MultiLineValidator(_("disclosures"))],
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="board_profile",
        help_text=_("Links the profile to the reviewer account whose name appears on articles."),
    )
    position = models.PositiveIntegerField(_("position"), default=0, help_text=_("Lower numbers are listed first."))
    is_active = models.BooleanField(_("shown on the site"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "name", "id"]
        verbose_name = _("board member")
        verbose_name_plural = _("board members")

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return f"{reverse('pages:advisory_board')}#member-{self.pk}"

    @property
    def display_name(self) -> str:
        """Name with credentials, as on articles: “Maya Okafor, MD”."""
        return f"{self.name}, {self.credentials}" if self.credentials else self.name
