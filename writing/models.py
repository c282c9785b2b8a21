from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.template.defaultfilters import pluralize, truncatechars
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article


class DeletionQuerySet(models.QuerySet):
    def offered(self, article: Article, user, *, now=None):
        """The deletion ``user`` can still undo in ``article``: theirs, recent, and nothing saved since."""
        return self.filter(
            article=article,
            deleted_by=user,
            version_after=article.edit_version,
            created_at__gte=(now or timezone.now()) - Deletion.UNDO_WINDOW,
        )


class Deletion(models.Model):
    """A section or claim deleted in the workspace, kept so that the person who deleted it can undo it.

    ``snapshot`` holds the rows the deletion removed (the section or claim, everything under it
    and their citations) with their ids, stable ids and positions. Undo is offered once, for
    ``UNDO_WINDOW``, and only while the article is still at ``version_after`` (the edit version
    the deletion left): after any other change the snapshot could clash with what came since.
    Each new deletion replaces the article's older ones, which that change made stale anyway.
    """

    class Kind(models.TextChoices):
        SECTION = "section", _("section")
        CLAIM = "claim", _("claim")

    UNDO_WINDOW = timedelta(minutes=15)

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="+")
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("deleted by"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    snapshot = models.JSONField(_("snapshot"), encoder=DjangoJSONEncoder)
    version_after = models.PositiveIntegerField(_("edit version after the deletion"))
    created_at = models.DateTimeField(_("deleted at"), default=timezone.now)

    objects = DeletionQuerySet.as_manager()

    class Meta:
        verbose_name = _("deletion")
        verbose_name_plural = _("deletions")

    def __str__(self) -> str:
        return describe(self.kind, self.snapshot)

    @property
    def description(self) -> str:
        return describe(self.kind, self.snapshot)

    @property
    def expires_at(self):
        return self.created_at + self.UNDO_WINDOW

    @property
    def anchor(self) -> str:
        """The editor's element id of the restored part."""
        rows = self.snapshot["sections"] if self.kind == self.Kind.SECTION else self.snapshot["claims"]
        return f"{self.kind}-{rows[0]['uuid']}"


def describe(kind: str, snapshot: dict) -> str:
    """Name what a deletion removes: “the section “Dosing” with 2 sub-sections, 5 claims and 4 citations”."""
    if kind == Deletion.Kind.SECTION:
        root = snapshot["sections"][0]
        name = f"the section “{root['heading']}”"
        counts = [(len(snapshot["sections"]) - 1, "sub-section"), (len(snapshot["claims"]), "claim")]
    else:
        root = snapshot["claims"][0]
        name = f"the claim “{truncatechars(root['text'], 60)}”"
        counts = [(len(snapshot["claims"]) - 1, "nested claim")]
    counts.append((len(snapshot["citations"]), "citation"))
    parts = [f"{count} {noun}{pluralize(count)}" for count, noun in counts if count]
    if not parts:
        return name
    listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    return f"{name} with {listed}"
