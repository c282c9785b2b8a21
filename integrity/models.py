"""Evidence that stays trustworthy after approval: retraction notices on cited sources, and the
competing interests every reviewer and author declares.

Content-level records: they point at references, claims and articles and know nothing of the
workflow; `editorial.evidence` applies what they mean to it (notices, purges, refusals).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.text import MultiLineValidator
from editorial.records import AppendOnlyModel
from references.models import NormalizedIdentifierField
from references.validators import normalize_doi, normalize_pmid


class RetractionImport(models.Model):
    """One copy of the Retraction Watch database loaded by `manage.py import_retractions`."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    file_name = models.CharField(_("file"), max_length=300)
    rows = models.PositiveIntegerField(_("rows read"), default=0)
    inserted = models.PositiveIntegerField(_("new records"), default=0)
    updated = models.PositiveIntegerField(_("changed records"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged records"), default=0)
    missing = models.PositiveIntegerField(
        _("records missing from this file"),
        default=0,
        help_text=_("Imported before, absent from this file: kept, and marked missing since this import."),
    )
    bad_rows = models.PositiveIntegerField(_("malformed rows"), default=0)
    invalid_utf8_rows = models.PositiveIntegerField(_("rows with invalid UTF-8"), default=0)
    problems = models.TextField(_("problems"), blank=True, help_text=_("The first malformed rows, by line."))
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("retraction database import")
        verbose_name_plural = _("retraction database imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.started_at:%Y-%m-%d}, {self.rows} rows)"


class RetractionRecord(models.Model):
    """One Retraction Watch record: a notice about one paper, keyed by the database's Record ID.

    ``digest`` identifies the row's content, so a newer file changes only the rows that differ;
    ``changed_in`` is the import that last wrote it, which the scan uses as its watermark.
    """

    class Nature(models.TextChoices):
        RETRACTION = "retraction", _("Retraction")
        CORRECTION = "correction", _("Correction")
        EXPRESSION_OF_CONCERN = "expression_of_concern", _("Expression of concern")
        REINSTATEMENT = "reinstatement", _("Reinstatement")

    # Notices readers are told about and that void the marks on the claims citing the paper.
    UNDER_NOTICE = (Nature.RETRACTION, Nature.EXPRESSION_OF_CONCERN)

    record_id = models.PositiveIntegerField(_("Record ID"), primary_key=True)
    title = models.TextField(_("title"), blank=True)
    doi = NormalizedIdentifierField(_("original paper DOI"), max_length=255, normalizer=normalize_doi, db_index=True)
    pmid = NormalizedIdentifierField(_("original paper PMID"), max_length=20, normalizer=normalize_pmid, db_index=True)
    nature = models.CharField(_("nature"), max_length=32, choices=Nature.choices)
    notice_date = models.DateField(_("date of the notice"), null=True, blank=True)
    notice_doi = models.CharField(_("notice DOI"), max_length=255, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    digest = models.BigIntegerField(_("row digest"))
    changed_in = models.ForeignKey(
        RetractionImport, verbose_name=_("written by import"), on_delete=models.PROTECT, related_name="+"
    )
    missing_since = models.ForeignKey(
        RetractionImport,
        verbose_name=_("missing from the file since"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["record_id"]
        verbose_name = _("retraction record")
        verbose_name_plural = _("retraction records")

    def __str__(self) -> str:
        return f"{self.get_nature_display()} {self.record_id}: {self.title[:80]}"

    @property
    def notice_url(self) -> str:
        return f"https://doi.org/{self.notice_doi}" if self.notice_doi else ""

    @property
    def reasons(self) -> list[str]:
        """The database's reasons ("+Duplication of Image;+Concerns/Issues About Data;") as a list."""
        return [part.strip().lstrip("+").strip() for part in self.reason.split(";") if part.strip().lstrip("+")]


class RetractionNoticeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=RetractionNotice.Status.ACTIVE)

    def under_notice(self):
        """Active retractions and expressions of concern: shown to readers, voiding review marks."""
        return self.active().filter(record__nature__in=RetractionRecord.UNDER_NOTICE)

    def retractions(self):
        return self.active().filter(record__nature=RetractionRecord.Nature.RETRACTION)


class RetractionNotice(models.Model):
    """A retraction record matched to a reference in the library, by DOI or PMID: written once per match."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DISMISSED = "dismissed", _("Dismissed as a false match")

    record = models.ForeignKey(
        RetractionRecord, verbose_name=_("retraction record"), on_delete=models.PROTECT, related_name="notices"
    )
    reference = models.ForeignKey(
        "references.Reference", verbose_name=_("reference"), on_delete=models.CASCADE, related_name="notices"
    )
    matched_on = models.CharField(_("matched on"), max_length=8)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(_("found"), default=timezone.now, db_index=True)
    dismissed_at = models.DateTimeField(_("dismissed"), null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("dismissed by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    dismissal_reason = models.TextField(
        _("why it is a false match"), blank=True, validators=[MultiLineValidator(_("reason"))]
    )

    objects = RetractionNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["record", "reference"], name="notice_once_per_record_and_reference"),
            models.CheckConstraint(
                condition=Q(status="active") | ~Q(dismissal_reason=""),
                name="notice_dismissal_needs_reason",
                violation_error_message=_("Say why this is a false match."),
            ),
        ]
        verbose_name = _("retraction notice")
        verbose_name_plural = _("retraction notices")

    def __str__(self) -> str:
        return f"{self.record.get_nature_display()} of “{self.reference.title[:80]}”"

    @property
    def is_under_notice(self) -> bool:
        return self.status == self.Status.ACTIVE and self.record.nature in RetractionRecord.UNDER_NOTICE


class RetractionScan(AppendOnlyModel):
    """One matching scan: the watermark the next one starts from, so its cost grows with what is new."""

    through_import = models.ForeignKey(
        RetractionImport,
        verbose_name=_("records through import"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    references_since = models.DateTimeField(_("references changed since"), null=True)
    references_through = models.DateTimeField(_("references changed through"))
    records_checked = models.PositiveIntegerField(_("records checked"), default=0)
    references_checked = models.PositiveIntegerField(_("references checked"), default=0)
    notices_found = models.PositiveIntegerField(_("new notices"), default=0)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("retraction scan")
        verbose_name_plural = _("retraction scans")

    def __str__(self) -> str:
        return f"Scan {self.created_at:%Y-%m-%d %H:%M}: {self.notices_found} new"


class CitingReason(AppendOnlyModel):
    """Why a claim still cites a retracted source (an article may discuss a retraction); the newest counts."""

    claim = models.ForeignKey(
        "articles.Claim", verbose_name=_("claim"), on_delete=models.CASCADE, related_name="citing_reasons"
    )
    reference = models.ForeignKey(
        "references.Reference", verbose_name=_("reference"), on_delete=models.CASCADE, related_name="+"
    )
    reason = models.TextField(_("reason"), validators=[MultiLineValidator(_("reason"))])
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("reason for citing a retracted source")
        verbose_name_plural = _("reasons for citing retracted sources")

    def __str__(self) -> str:
        return self.reason[:80]


class Declaration(AppendOnlyModel):
    """One person's competing interests for one review round of one article, in the ICMJE categories.

    Append-only: a newer declaration for the same article, round, person and role supersedes the
    older, which stays on record. ``relationships`` maps a category to what the person declared.
    """

    class Role(models.TextChoices):
        AUTHOR = "author", _("Author")
        REVIEWER = "reviewer", _("Reviewer")

    class Category(models.TextChoices):
        EMPLOYMENT = "employment", _("Employment")
        CONSULTANCY = "consultancy", _("Consultancy")
        GRANTS = "grants", _("Grants or research funding")
        HONORARIA = "honoraria", _("Honoraria or speaker fees")
        STOCK = "stock", _("Stock or stock options")
        PATENTS = "patents", _("Patents or royalties")
        ADVISORY_BOARDS = "advisory_boards", _("Advisory boards")
        OTHER = "other", _("Other relationships or activities")

    article = models.ForeignKey(
        "articles.Article", verbose_name=_("article"), on_delete=models.PROTECT, related_name="declarations"
    )
    round = models.PositiveIntegerField(_("review round"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    person_name = models.CharField(_("name"), max_length=200, help_text=_("Kept as text so the record survives."))
    relationships = models.JSONField(_("relationships"), default=dict, blank=True)
    created_at = models.DateTimeField(_("declared at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["article", "round", "role"], name="declaration_round_idx")]
        verbose_name = _("competing interests declaration")
        verbose_name_plural = _("competing interests declarations")

    def __str__(self) -> str:
        return f"{self.person_name} ({self.get_role_display().lower()}, round {self.round}): {self.sentence}"

    @property
    def declares_interests(self) -> bool:
        return bool(self.relationships)

    @property
    def summary(self) -> str:
        """What is declared: "no competing interests", or each relationship under its category."""
        if not self.relationships:
            return "no competing interests"
        labels = dict(self.Category.choices)
        return "; ".join(f"{labels.get(code, code).lower()}: {text}" for code, text in self.relationships.items())

    @property
    def sentence(self) -> str:
        """The declaration as readers read it: "declares no competing interests" or the relationships."""
        return f"declares {self.summary}"


class DeclarationDecision(AppendOnlyModel):
    """An editor's decision on a reviewer who declared an interest: may they continue, and why."""

    declaration = models.ForeignKey(
        Declaration, verbose_name=_("declaration"), on_delete=models.PROTECT, related_name="decisions"
    )
    allowed = models.BooleanField(_("may continue"))
    reason = models.TextField(_("reason"), validators=[MultiLineValidator(_("reason"))])
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("decision on a declared interest")
        verbose_name_plural = _("decisions on declared interests")

    def __str__(self) -> str:
        return f"{'Allowed' if self.allowed else 'Refused'}: {self.reason[:60]}"
