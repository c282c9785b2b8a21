import uuid
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from articles.models import ArticleContent, ContentQuerySet
from articles.text import SingleLineValidator
from references.validators import normalize_doi, normalize_pmid, validate_doi, validate_pmid


class _NormalizingAttribute(DeferredAttribute):
    """Normalise on assignment, so uniqueness checks and queries see the stored form."""

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = self.field.to_python(value)


class NormalizedIdentifierField(models.CharField):
    """A nullable CharField that normalises its value and stores blanks as NULL.

    Storing blanks as NULL lets a unique identifier be optional: NULLs never collide.
    """

    descriptor_class = _NormalizingAttribute

    def __init__(self, *args, normalizer: Callable[[str | None], str | None] | None = None, **kwargs):
        self.normalizer = normalizer
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("normalizer", None)
        return name, path, args, kwargs

    def to_python(self, value):
        value = super().to_python(value)
        return self.normalizer(value) if self.normalizer else (value or None)

    def get_prep_value(self, value):
        # Lookups match however the identifier was written: filter(doi="https://doi.org/10.1/X").
        value = super().get_prep_value(value)
        return self.to_python(value) if value else value


def max_publication_year(value: int) -> None:
    MaxValueValidator(timezone.now().year + 1)(value)


class ReferenceInUseError(ValidationError):
    """Raised when deleting a reference that claims still cite."""


class Reference(models.Model):
    """A source that claims cite: a guideline, a study, a review, a textbook chapter."""

    class Kind(models.TextChoices):
        GUIDELINE = "guideline", _("Guideline")
        SYSTEMATIC_REVIEW = "systematic_review", _("Systematic review")
        META_ANALYSIS = "meta_analysis", _("Meta-analysis")
        CLINICAL_TRIAL = "clinical_trial", _("Clinical trial")
        RESEARCH = "research", _("Research")
        REVIEW = "review", _("Review article")
        TEXTBOOK = "textbook", _("Textbook")
        DRUG_LABEL = "drug_label", _("Drug label")
        OTHER = "other", _("Other")

    uuid = models.UUIDField(_("stable ID"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.RESEARCH)
    title = models.CharField(_("title"), max_length=500, validators=[SingleLineValidator(_("title"))])
    authors = models.TextField(
        _("authors"),
        blank=True,
        help_text=_("As they should be cited, e.g. “Zesiewicz TA, Elble RJ, Louis ED”."),
        validators=[SingleLineValidator(_("authors"))],
    )
    source = models.CharField(
        _("source"),
        max_length=300,
        blank=True,
        help_text=_("Journal, publisher or body."),
        validators=[SingleLineValidator(_("source"))],
    )
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, validators=[MinValueValidator(1800), max_publication_year]
    )
    volume = models.CharField(_("volume"), max_length=20, blank=True, validators=[SingleLineValidator(_("volume"))])
    issue = models.CharField(_("issue"), max_length=20, blank=True, validators=[SingleLineValidator(_("issue"))])
    pages = models.CharField(_("pages"), max_length=30, blank=True, validators=[SingleLineValidator(_("pages"))])
    doi = NormalizedIdentifierField(
        _("DOI"),
        max_length=255,
        unique=True,
        normalizer=normalize_doi,
        validators=[SingleLineValidator(_("DOI")), validate_doi],
    )
    pmid = NormalizedIdentifierField(
        _("PMID"), max_length=9, unique=True, normalizer=normalize_pmid, validators=[validate_pmid]
    )
    url = models.URLField(_("URL"), max_length=500, blank=True, validators=[SingleLineValidator(_("URL"))])
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    REQUIRED_FOR_CITING = ("title", "source", "year")

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("reference")
        verbose_name_plural = _("references")

    def __str__(self) -> str:
        return f"{self.title} ({self.source}, {self.year})" if self.year else self.title

    def delete(self, *args, **kwargs):
        cited_by = self.citations.count()
        if cited_by:
            raise ReferenceInUseError(
                _("“%(title)s” is cited by %(count)d claim(s); remove those citations before deleting it."),
                code="reference_in_use",
                params={"title": self.title, "count": cited_by},
            )
        return super().delete(*args, **kwargs)

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def pubmed_url(self) -> str:
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""

    def missing_fields(self) -> list[str]:
        """Name the fields a reader needs to find this source that are still empty."""
        return [
            str(self._meta.get_field(name).verbose_name) for name in self.REQUIRED_FOR_CITING if not getattr(self, name)
        ]

    @property
    def is_complete(self) -> bool:
        return not self.missing_fields()


class Citation(ArticleContent):
    """One claim citing one reference; a claim's citations are ordered."""

    claim = models.ForeignKey(
        "articles.Claim", verbose_name=_("claim"), on_delete=models.CASCADE, related_name="citations"
    )
    reference = models.ForeignKey(
        Reference, verbose_name=_("reference"), on_delete=models.PROTECT, related_name="citations"
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    history = HistoricalRecords()
    objects = ContentQuerySet.as_manager()

    article_lookup = "claim__article"

    class Meta:
        ordering = ["claim", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "reference"],
                name="citation_unique_per_claim",
                violation_error_message=_("This claim already cites that reference."),
            )
        ]
        verbose_name = _("citation")
        verbose_name_plural = _("citations")

    def __str__(self) -> str:
        return f"{self.claim} → {self.reference}"

    def current_article_id(self) -> int | None:
        return self.claim.article_id if self.claim_id else None
