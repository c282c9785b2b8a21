from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from articles.text import SingleLineValidator


class User(AbstractUser):
    """A person who writes, reviews, edits or administers articles.

    Credentials are shown to readers beside a reviewer's name ("Medically reviewed by …").
    """

    # Django's own name and address fields, with the one-line rule: they appear in notices,
    # bylines and the To: header.
    first_name = models.CharField(
        _("first name"), max_length=150, blank=True, validators=[SingleLineValidator(_("first name"))]
    )
    last_name = models.CharField(
        _("last name"), max_length=150, blank=True, validators=[SingleLineValidator(_("last name"))]
    )
    email = models.EmailField(_("email address"), blank=True, validators=[SingleLineValidator(_("email address"))])
    credentials = models.CharField(
        _("credentials"),
        max_length=100,
        blank=True,
        help_text=_("Degrees and titles shown after the name, e.g. “MD, FRCP”."),
        validators=[SingleLineValidator(_("credentials"))],
    )
    receives_digest = models.BooleanField(
        _("daily digest"),
        default=True,
        help_text=_(
            "A morning email listing this person's open review assignments. "
            "Assignment notices and reminders are sent either way."
        ),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """Full name with credentials when known, else the username."""
        name = self.get_full_name() or self.username
        return f"{name}, {self.credentials}" if self.credentials else name
