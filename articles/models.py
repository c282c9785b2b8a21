import uuid
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from articles.grading import Certainty, Direction, Strength, grade_of
from articles.text import MultiLineValidator, SingleLineValidator


def field_error(field: str, message, *, code: str, params: dict | None = None) -> ValidationError:
    """A ValidationError on one field that keeps its code (a plain dict of messages drops it)."""
    return ValidationError({field: ValidationError(message, code=code, params=params)})


class ContentLockedError(ValidationError):
    """Raised when content is changed while the workflow holds it (in review, approved, withdrawn)."""


def _permission(transition_name: str):
    """Let django-fsm ask the workflow's permission policy (`Article.permission_policy`)."""

    def check(article: "Article", user) -> bool:
        return article.permission_policy(transition_name, user)

    return check


def _refuse_everything(action: str, user, article: "Article") -> bool:
    return False


def ensure_articles_editable(article_ids) -> None:
    """Refuse a content change unless every article involved is a draft or has changes requested.

    Call inside a transaction: the article rows stay locked until it ends, so a submission
    cannot slip in between this check and the write.
    """
    ids = {article_id for article_id in article_ids if article_id is not None}
    states = Article.objects.select_for_update().filter(pk__in=ids).values_list("state", flat=True)
    locked = [state for state in states if state not in Article.EDITABLE_STATES]
    if locked:
        raise content_locked_error(locked[0])


def content_locked_error(state: str) -> ContentLockedError:
    return ContentLockedError(
        _("This article is %(state)s, so its content is locked. Start a revision to change it."),
        code="content_locked",
        params={"state": Article.State(state).label.lower()},
    )


class ContentQuerySet(models.QuerySet):
    """Bulk updates and deletes obey the content lock as single saves do."""

    def update(self, **kwargs):
        with transaction.atomic():
            ensure_articles_editable(self.values_list(self.model.article_lookup, flat=True))
            return super().update(**kwargs)

    def delete(self):
        with transaction.atomic():
            ensure_articles_editable(self.values_list(self.model.article_lookup, flat=True))
            return super().delete()


class ArticleContent(models.Model):
    """A part of an article's content, frozen while the workflow holds the article."""

    article_lookup = "article"  # how a query reaches the owning article's id

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        with transaction.atomic():
            ensure_articles_editable(self._owning_article_ids())
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            ensure_articles_editable(self._owning_article_ids())
            return super().delete(*args, **kwargs)

    def current_article_id(self) -> int | None:
        return self.article_id

    def _owning_article_ids(self) -> set[int]:
        """The article it belongs to now and, when moved, the one it is leaving."""
        ids = {self.current_article_id()}
        if self.pk is not None:
            ids.update(type(self)._base_manager.filter(pk=self.pk).values_list(self.article_lookup, flat=True))
        return ids


MAX_SEARCH_INTERVAL_MONTHS = 120


class Topic(models.Model):
    """A clinical specialty or subject that groups articles, e.g. Neurology."""

    name = models.CharField(_("name"), max_length=100, unique=True, validators=[SingleLineValidator(_("name"))])
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True, validators=[MultiLineValidator(_("description"))])

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Articles readers may see: approved at least once and not withdrawn."""
        return self.filter(live_version__isnull=False).exclude(state=Article.State.WITHDRAWN)

    def approved_before(self, cutoff):
        """Published articles whose live version was approved at or before ``cutoff``."""
        return self.published().filter(live_version__approved_at__lte=cutoff)


class Article(ConcurrentTransitionMixin, models.Model):
    """An answer to one clinical question: a short answer, then sections of cited claims.

    The short answer is the article's *summary claim* (a claim with no section), so it carries
    citations, plain-language text and review marks exactly like every other claim.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    title = models.CharField(
        _("question"),
        max_length=300,
        help_text=_("The clinical question the article answers, as a reader asks it."),
        validators=[SingleLineValidator(_("question"))],
    )
    slug = models.SlugField(_("slug"), max_length=120, unique=True, blank=True)
    headline = models.CharField(
        _("headline"),
        max_length=200,
        blank=True,
        help_text=_("Optional heading above the short answer."),
        validators=[SingleLineValidator(_("headline"))],
    )
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.PROTECT, null=True, blank=True, related_name="articles"
    )
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("authors"), related_name="authored_articles", blank=True
    )
    state = FSMField(_("state"), max_length=32, choices=State.choices, default=State.DRAFT, protected=True)
    live_version = models.OneToOneField(
        "editorial.ArticleVersion",
        verbose_name=_("live version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text=_("The approved version readers see; changed only by approval."),
    )
    review_round = models.PositiveIntegerField(
        _("review round"), default=0, editable=False, help_text=_("Counts submissions; each starts a new round.")
    )
    edit_version = models.PositiveIntegerField(
        _("edit version"),
        default=0,
        editable=False,
        help_text=_("Goes up with every saved change in the author's editor; a save from an older copy is refused."),
    )
    gathered_references = models.ManyToManyField(
        "references.Reference",
        verbose_name=_("gathered references"),
        blank=True,
        related_name="gathered_by",
        help_text=_("References collected for this article, cited or not yet."),
    )
    submitted_at = models.DateTimeField(
        _("submitted"), null=True, blank=True, editable=False, help_text=_("When the current round was submitted.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[authors])
    objects = ArticleQuerySet.as_manager()

    # Who may perform which transition is the workflow's rule, not content's: the editorial app
    # installs its policy here when it loads (see editorial.apps). Until then nothing is allowed.
    _permission_policy = staticmethod(_refuse_everything)

    EDITABLE_STATES = frozenset({State.DRAFT, State.CHANGES_REQUESTED})
    CONTENT_FIELDS = ("title", "slug", "headline", "topic_id")
    # Written only when a save names them (the workflow service does) or by an UPDATE (the edit
    # version), so a stale copy saved elsewhere can never put back an old state or version.
    WORKFLOW_FIELDS = ("state", "live_version", "review_round", "submitted_at", "edit_version")

    class Meta:
        ordering = ["-updated_at", "id"]
        indexes = [
            models.Index(fields=["state", "-updated_at"], name="article_state_updated_idx"),
            # The scan for submissions still waiting for a reviewer.
            models.Index(fields=["state", "submitted_at"], name="article_state_submitted_idx"),
        ]
        permissions = [
            ("submit_article", _("Can write articles and submit them for review")),
            ("review_article", _("Can review articles for the Medical Advisory Board")),
            ("manage_workflow", _("Can assign reviewers, withdraw and reinstate articles")),
        ]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self._unique_slug()
        loaded = getattr(self, "_loaded_content", None)
        if loaded is not None and loaded != self._content() and not self.is_editable:
            raise content_locked_error(self.state)
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.WORKFLOW_FIELDS
            ]
        super().save(*args, **kwargs)
        self._loaded_content = self._content()

    def get_absolute_url(self) -> str:
        """Where readers find the article: its live version's slug, which only an approval changes.

        A slug changed in a draft is not an address until approved. Before the first approval
        this is the article's own slug, which answers 404 until then.
        """
        slug = self.live_version.slug if self.live_version_id else self.slug
        return reverse("reader:detail", kwargs={"slug": slug})

    @classmethod
    def from_db(cls, db, field_names, values):
        article = super().from_db(db, field_names, values)
        article._loaded_content = article._content()
        return article

    def clean_fields(self, exclude=None):
        # The workflow owns the state; cleaning must not re-assign the protected field.
        super().clean_fields(exclude={*(exclude or ()), "state"})

    def permission_policy(self, action: str, user) -> bool:
        return type(self)._permission_policy(action, user, self)

    @classmethod
    def install_permission_policy(cls, policy) -> None:
        """Make ``policy(action, user, article) -> bool`` the rule every transition asks."""
        cls._permission_policy = staticmethod(policy)

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE_STATES

    # Transitions only check and set the state; editorial.services.perform_transition locks the
    # row, checks conditions, saves, logs and snapshots around them.

    @transition(
        field=state,
        source=[State.DRAFT, State.CHANGES_REQUESTED],
        target=State.SUBMITTED,
        permission=_permission("submit"),
    )
    def submit(self) -> None:
        """Send the article to the board."""

    @transition(field=state, source=State.SUBMITTED, target=State.UNDER_REVIEW, permission=_permission("start_review"))
    def start_review(self) -> None:
        """An assigned (or self-assigned) reviewer starts checking claims."""

    @transition(
        field=state,
        source=State.UNDER_REVIEW,
        target=State.CHANGES_REQUESTED,
        permission=_permission("request_changes"),
    )
    def request_changes(self) -> None:
        """Return the article to its authors with the reviewer's comment."""

    @transition(field=state, source=State.UNDER_REVIEW, target=State.APPROVED, permission=_permission("approve"))
    def approve(self) -> None:
        """Publish: the service freezes the verified content as the live version."""

    @transition(field=state, source=State.APPROVED, target=State.DRAFT, permission=_permission("revise"))
    def revise(self) -> None:
        """Reopen an approved article for editing; readers keep the live version."""

    @transition(field=state, source=State.APPROVED, target=State.WITHDRAWN, permission=_permission("withdraw"))
    def withdraw(self) -> None:
        """Take the article away from readers."""

    @transition(field=state, source=State.WITHDRAWN, target=State.APPROVED, permission=_permission("reinstate"))
    def reinstate(self) -> None:
        """Show the live version to readers again."""

    def _content(self) -> tuple:
        return tuple(getattr(self, name) for name in self.CONTENT_FIELDS)

    def _unique_slug(self) -> str:
        base = slugify(self.title)[:100].strip("-") or "article"
        slug, suffix = base, 2
        while Article.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            slug, suffix = f"{base}-{suffix}", suffix + 1
        return slug


class Section(ArticleContent):
    """A heading with optional intro text; sections nest (a sub-section has a parent)."""

    MAX_DEPTH = 3

    uuid = models.UUIDField(_("stable ID"), default=uuid.uuid4, unique=True, editable=False)
    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent section"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    heading = models.CharField(_("heading"), max_length=200, validators=[SingleLineValidator(_("heading"))])
    intro = models.TextField(_("intro"), blank=True, validators=[MultiLineValidator(_("intro"))])
    search_interval_months = models.PositiveSmallIntegerField(
        _("evidence search every (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SEARCH_INTERVAL_MONTHS)],
        help_text=_("How often the evidence for this section's claims is searched again; empty: the article's."),
    )

    history = HistoricalRecords()
    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(search_interval_months__isnull=True)
                | models.Q(search_interval_months__gte=1, search_interval_months__lte=MAX_SEARCH_INTERVAL_MONTHS),
                name="section_search_interval_range",
                violation_error_message=_("Search the evidence again every 1 to 120 months."),
            ),
        ]
        indexes = [models.Index(fields=["article", "position"], name="section_article_position_idx")]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.heading

    def clean(self) -> None:
        if self.parent_id is None:
            return
        if self.parent.article_id != self.article_id:
            raise field_error(
                "parent", _("A sub-section must belong to the same article as its parent."), code="other_article"
            )
        depth, ancestor = 1, self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk:
                raise field_error("parent", _("A section cannot sit inside itself."), code="cycle")
            depth, ancestor = depth + 1, ancestor.parent
        if depth > self.MAX_DEPTH:
            raise field_error(
                "parent",
                _("Sections nest at most %(max)d levels deep."),
                code="too_deep",
                params={"max": self.MAX_DEPTH},
            )


class ClaimQuerySet(ContentQuerySet):
    def summaries(self):
        return self.filter(section__isnull=True)

    def in_sections(self):
        return self.filter(section__isnull=False)


class Claim(ArticleContent):
    """One statement a reviewer can check against its citations.

    A claim either sits in a section (optionally nested under another claim of that section)
    or, with no section, is the article's short answer.
    """

    MAX_DEPTH = 3

    # GRADE's scales; their meanings for readers are in articles.grading.
    Certainty = Certainty
    Strength = Strength
    Direction = Direction

    uuid = models.UUIDField(_("stable ID"), default=uuid.uuid4, unique=True, editable=False)
    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="claims")
    section = models.ForeignKey(
        Section,
        verbose_name=_("section"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="claims",
        help_text=_("Empty for the article's short answer."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent claim"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    text = models.TextField(_("text"), validators=[MultiLineValidator(_("claim"))])
    plain_language = models.TextField(
        _("plain-language text"),
        blank=True,
        help_text=_("The same statement in everyday words, for patients."),
        validators=[MultiLineValidator(_("plain-language text"))],
    )
    certainty = models.CharField(
        _("certainty of evidence"),
        max_length=16,
        choices=Certainty.choices,
        blank=True,
        help_text=_("GRADE: how confident we are in the evidence behind the claim."),
    )
    strength = models.CharField(
        _("strength of recommendation"),
        max_length=16,
        choices=Strength.choices,
        blank=True,
        help_text=_("Only for a recommendation; set with a direction."),
    )
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, blank=True, help_text=_("For or against.")
    )
    good_practice = models.BooleanField(
        _("good-practice statement"),
        default=False,
        help_text=_("Ungraded by design: the benefit is so clear that grading the evidence would add nothing."),
    )
    evidence_searched_on = models.DateField(
        _("evidence last searched"),
        null=True,
        blank=True,
        help_text=_("When the literature for this claim was last searched for new evidence."),
    )
    search_interval_months = models.PositiveSmallIntegerField(
        _("evidence search every (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SEARCH_INTERVAL_MONTHS)],
        help_text=_("Empty: the section's interval, else the article's re-review interval."),
    )

    history = HistoricalRecords()
    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["article"],
                condition=models.Q(section__isnull=True),
                name="claim_one_summary_per_article",
                violation_error_message=_("An article has exactly one short answer."),
            ),
            models.CheckConstraint(
                condition=models.Q(section__isnull=False) | models.Q(parent__isnull=True),
                name="claim_summary_has_no_parent",
                violation_error_message=_("The short answer cannot be nested under another claim."),
            ),
            models.CheckConstraint(
                condition=models.Q(good_practice=False) | models.Q(certainty="", strength="", direction=""),
                name="claim_good_practice_is_ungraded",
                violation_error_message=_("A good-practice statement carries no grade: clear the grade or the flag."),
            ),
            models.CheckConstraint(
                condition=models.Q(strength="", direction="") | (~models.Q(strength="") & ~models.Q(direction="")),
                name="claim_strength_with_direction",
                violation_error_message=_("A recommendation has both a strength and a direction (for or against)."),
            ),
            models.CheckConstraint(
                condition=models.Q(search_interval_months__isnull=True)
                | models.Q(search_interval_months__gte=1, search_interval_months__lte=MAX_SEARCH_INTERVAL_MONTHS),
                name="claim_search_interval_range",
                violation_error_message=_("Search the evidence again every 1 to 120 months."),
            ),
        ]
        indexes = [models.Index(fields=["article", "position"], name="claim_article_position_idx")]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")

    def __str__(self) -> str:
        return self.text if len(self.text) <= 80 else f"{self.text[:79]}…"

    @property
    def is_summary(self) -> bool:
        return self.section_id is None

    @property
    def grade(self) -> dict | None:
        """The grade as documents freeze it (see `articles.grading.grade_of`), None when ungraded."""
        return grade_of(
            certainty=self.certainty, strength=self.strength, direction=self.direction, good_practice=self.good_practice
        )

    def clean(self) -> None:
        if self.section_id is not None and self.section.article_id != self.article_id:
            raise field_error("section", _("The section belongs to another article."), code="other_article")
        if self.parent_id is None:
            return
        if self.parent.section_id != self.section_id:
            raise field_error(
                "parent",
                _("A nested claim must sit in the same section as the claim it belongs to."),
                code="other_section",
            )
        depth, ancestor = 1, self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk:
                raise field_error("parent", _("A claim cannot be nested under itself."), code="cycle")
            depth, ancestor = depth + 1, ancestor.parent
        if depth > self.MAX_DEPTH:
            raise field_error(
                "parent", _("Claims nest at most %(max)d levels deep."), code="too_deep", params={"max": self.MAX_DEPTH}
            )


class DailyReads(models.Model):
    """How many times readers opened an article's page on one day: the home page's "most read".

    Page views are counted in the cache and added here in batches (``reader.reads``), so reading
    an article writes nothing to the database.
    """

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="reads")
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("reads"), default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "day"], name="daily_reads_one_row_per_day")]
        indexes = [models.Index(fields=["day", "article"], name="daily_reads_day_idx")]
        verbose_name = _("daily reads")
        verbose_name_plural = _("daily reads")

    def __str__(self) -> str:
        return f"{self.article_id} on {self.day}: {self.count}"

    @classmethod
    def add_reads(cls, article_id: int, day: date, reads: int) -> None:
        """Add ``reads`` to the day's count: one UPDATE, or an INSERT for the day's first reads."""
        if cls.objects.filter(article_id=article_id, day=day).update(count=models.F("count") + reads):
            return
        try:
            with transaction.atomic():
                cls.objects.create(article_id=article_id, day=day, count=reads)
        except IntegrityError:  # another fold created the day's row first
            cls.objects.filter(article_id=article_id, day=day).update(count=models.F("count") + reads)
