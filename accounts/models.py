from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who writes, reviews, edits or administers articles.

    Credentials are shown to readers beside a reviewer's name ("Medically reviewed by …").
    """

    credentials = models.CharField(
        _("credentials"),
        max_length=100,
        blank=True,
        help_text=_("Degrees and titles shown after the name, e.g. “MD, FRCP”."),
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
