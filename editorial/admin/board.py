import nested_admin
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, F, OuterRef, Prefetch, Q, Subquery, Value
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from simple_history.admin import SimpleHistoryAdmin

from articles.history import content_history
from articles.models import Article, Claim, Section
from editorial import permissions, schedule
from editorial.admin.mixins import ContentAdminMixin
from editorial.admin.records import next_reminders
from editorial.exceptions import WorkflowError
from editorial.forms import AssignReviewerForm, AuthorsForm
from editorial.models import ArticleVersion, ReviewAssignment, TransitionLog
from editorial.review import available_actions, review_page
from editorial.services import (
    assign_reviewer,
    carry_over_verifications,
    change_authors,
    perform_transition,
    record_claim_review,
)
from integrity.models import RetractionNotice, RetractionRecord
from references.models import Citation


def _article_id(request) -> str | None:
    match = request.resolver_match
    return match.kwargs.get("object_id") if match else None


def _content_editable(request) -> bool:
    """Whether the viewer may change the content of the article this page shows.

    `ArticleAdmin.get_object` leaves the article on the request; the nested inlines (which get
    their parent section or claim as ``obj``) ask this instead, once per request. On the add
    form there is no article yet: the new draft will be the viewer's own.
    """
    if not hasattr(request, "_vetted_content_editable"):
        article = getattr(request, "vetted_article", None)
        request._vetted_content_editable = article is None or permissions.can_edit_content(request.user, article)
    return request._vetted_content_editable


class EditableWithArticle:
    """Nested content inlines are editable only where the article's content is (`permissions.can_edit_content`)."""

    def has_change_permission(self, request, obj=None):
        return _content_editable(request) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return _content_editable(request) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _content_editable(request) and super().has_delete_permission(request, obj)


class CitationInline(EditableWithArticle, nested_admin.NestedTabularInline):
    model = Citation
    fields = ("reference", "position")
    autocomplete_fields = ("reference",)  # search the library by title, DOI or PMID
    sortable_field_name = "position"
    extra = 0
    verbose_name_plural = "citations"


class ArticleOfParentFormSet(nested_admin.formsets.NestedInlineFormSet):
    """Claims added inside a section belong to that section's article, before validation too."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.article_id = self.instance.article_id
        return form

    def save_new(self, form, commit=True):
        form.instance.article = self.instance.article
        return super().save_new(form, commit=commit)


COMPACT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 90})}}


class ParentOnThisArticle:
    """The "parent" choice lists only this article's sections or claims, not the whole library's."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            choices = self.model.objects.filter(article_id=_article_id(request))
            kwargs["queryset"] = choices.filter(section__isnull=False) if self.model is Claim else choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ClaimInline(ParentOnThisArticle, EditableWithArticle, nested_admin.NestedStackedInline):
    model = Claim
    formfield_overrides = COMPACT_TEXT
    fk_name = "section"
    formset = ArticleOfParentFormSet
    fields = (
        "text",
        "plain_language",
        ("certainty", "strength", "direction", "good_practice"),
        ("evidence_searched_on", "search_interval_months"),
        "parent",
        "position",
    )
    sortable_field_name = "position"
    inlines = [CitationInline]
    extra = 0


class SummaryInline(EditableWithArticle, nested_admin.NestedStackedInline):
    """The short answer: a claim with no section, cited like any other."""

    model = Claim
    formfield_overrides = COMPACT_TEXT
    fk_name = "article"
    fields = (
        "text",
        "plain_language",
        ("certainty", "strength", "direction", "good_practice"),
        ("evidence_searched_on", "search_interval_months"),
    )
    inlines = [CitationInline]
    max_num = 1
    extra = 1
    verbose_name = "short answer"
    verbose_name_plural = "short answer"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(section__isnull=True)


class SectionInline(ParentOnThisArticle, EditableWithArticle, nested_admin.NestedStackedInline):
    model = Section
    formfield_overrides = COMPACT_TEXT
    fields = ("heading", "intro", "search_interval_months", "parent", "position")
    sortable_field_name = "position"
    inlines = [ClaimInline]
    extra = 0


class RecordInline(nested_admin.NestedTabularInline):
    """Workflow records shown on the article: read-only, never added or removed here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TransitionLogInline(RecordInline):
    model = TransitionLog
    fields = ("created_at", "transition", "from_state", "to_state", "actor_name", "comment")
    readonly_fields = fields
    verbose_name_plural = "transition log (append-only)"


class VersionInline(RecordInline):
    model = ArticleVersion
    fields = ("number", "approved_at", "reviewer_names", "change_note", "content_hash")
    readonly_fields = fields
    show_change_link = True
    verbose_name_plural = "approved versions"


class AssignmentInline(RecordInline):
    model = ReviewAssignment
    fields = ("round", "reviewer", "status", "due_at", "next_reminder", "decline_reason", "decline")
    readonly_fields = fields
    verbose_name_plural = "review assignments"

    def get_queryset(self, request):
        # Who is looking travels with the rows: only the assigned reviewer is offered "Decline".
        return (
            super()
            .get_queryset(request)
            .select_related("reviewer")
            .with_reminder_state()
            .annotate(viewer_id=Value(request.user.pk))
        )

    @admin.display(description="next reminder")
    def next_reminder(self, assignment):
        return next_reminders(assignment)

    @admin.display(description="")
    def decline(self, assignment):
        if assignment.status != ReviewAssignment.Status.ACTIVE or assignment.reviewer_id != assignment.viewer_id:
            return ""
        url = reverse("admin:editorial_reviewassignment_decline", args=[assignment.pk])
        return format_html('<a href="{}">Decline…</a>', url)


class ReviewDueFilter(admin.SimpleListFilter):
    title = "re-review"
    parameter_name = "review_due"

    def lookups(self, request, model_admin):
        return [("yes", "Review due")]

    def queryset(self, request, queryset):
        return schedule.review_due(queryset) if self.value() == "yes" else queryset


class QueueFilter(admin.SimpleListFilter):
    """A board member's queue: what they were asked to review, and what nobody has taken yet."""

    title = "review queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("mine", "Assigned to me"),
            ("returned", "Resubmitted after my review"),
            ("waiting", "Waiting for a reviewer"),
            ("board", "Assigned to me or waiting"),
        ]

    def queryset(self, request, queryset):
        mine = Q(pk__in=ReviewAssignment.objects.active().filter(reviewer=request.user).values("article"))
        assigned = ReviewAssignment.objects.active().filter(article=OuterRef("pk"), round=OuterRef("review_round"))
        waiting = Q(state=Article.State.SUBMITTED) & ~Q(Exists(assigned))
        # A resubmission goes back first to whoever asked for the changes (the previous round's reviewer).
        asked_by_me = ReviewAssignment.objects.returned_by(request.user).filter(
            article=OuterRef("pk"), round=OuterRef("review_round") - 1
        )
        returned = waiting & Q(Exists(asked_by_me))
        choices = {"mine": mine | returned, "returned": returned, "waiting": waiting, "board": mine | waiting}
        return queryset.filter(choices[self.value()]) if self.value() in choices else queryset


class OverdueArticleFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Review overdue")]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        return queryset.filter(pk__in=ReviewAssignment.objects.overdue().values("article"))


def notices_on_article():
    """Active notices on the references an article cites, for annotations (no query per row)."""
    return RetractionNotice.objects.active().filter(reference__citations__claim__article=OuterRef("pk"))


class EvidenceNoticeFilter(admin.SimpleListFilter):
    """The board's flag: articles citing a source under a retraction notice (or a correction)."""

    title = "evidence"
    parameter_name = "evidence"

    def lookups(self, request, model_admin):
        return [("notice", "Cites a retracted source or one under concern"), ("correction", "Cites a corrected source")]

    def queryset(self, request, queryset):
        if self.value() == "notice":
            return queryset.filter(
                Exists(notices_on_article().filter(record__nature__in=RetractionRecord.UNDER_NOTICE))
            )
        if self.value() == "correction":
            return queryset.filter(
                Exists(notices_on_article().filter(record__nature=RetractionRecord.Nature.CORRECTION))
            )
        return queryset


@admin.register(Article)
class ArticleAdmin(ContentAdminMixin, nested_admin.NestedModelAdminMixin, SimpleHistoryAdmin):
    article_path = ""

    list_display = (
        "title",
        "state",
        "author_names",
        "reviewer_names",
        "due",
        "waiting",
        "next_review",
        "evidence",
    )
    list_filter = ("state", QueueFilter, OverdueArticleFilter, ReviewDueFilter, EvidenceNoticeFilter, "topic")
    list_select_related = ("topic", "live_version")
    search_fields = ("title", "headline", "slug", "claims__text", "sections__heading")
    exclude = ("authors", "gathered_references")  # authorship changes only through an editor's logged decision
    readonly_fields = (
        "author_list",
        "state",
        "live_version",
        "next_review",
        "review_round",
        "submitted_at",
        "reviewers",
        "created_at",
        "updated_at",
        "transition_log_csv",
    )
    inlines = [SummaryInline, SectionInline, AssignmentInline, TransitionLogInline, VersionInline]
    history_list_display = ["state"]

    def get_queryset(self, request):
        open_assignments = Prefetch(
            "assignments",
            queryset=ReviewAssignment.objects.active().select_related("reviewer").order_by("due_at"),
            to_attr="open_assignments",
        )
        # The most serious notice on a cited source: retraction, then expression of concern, then correction.
        notice = notices_on_article().order_by("-record__nature").values("record__nature")[:1]
        return (
            super()
            .get_queryset(request)
            .prefetch_related("authors", open_assignments)
            .annotate(evidence_notice=Subquery(notice))
        )

    def changelist_view(self, request, extra_context=None):
        # Board members land on their own queue; a link back to "All" keeps the rest one click away.
        user = request.user
        if not request.GET and permissions.is_reviewer(user) and not permissions.is_editor(user):
            return redirect(f"{request.path}?queue=board")
        return super().changelist_view(request, extra_context)

    @admin.display(description="authors")
    def author_names(self, article):
        return ", ".join(author.display_name for author in article.authors.all()) or "—"

    @admin.display(description="reviewer")
    def reviewer_names(self, article):
        return ", ".join(str(a.reviewer) for a in getattr(article, "open_assignments", [])) or "—"

    @admin.display(description="due")
    def due(self, article):
        assignments = getattr(article, "open_assignments", [])
        if not assignments:
            return "—"
        due_at = assignments[0].due_at
        day = f"{timezone.localtime(due_at):%b %d}"
        if due_at < timezone.now():
            return format_html('<strong class="overdue">Overdue</strong> since {}', day)
        return day

    @admin.display(description="waiting", ordering="submitted_at")
    def waiting(self, article):
        """How long a submission has been with the board."""
        if article.state not in (Article.State.SUBMITTED, Article.State.UNDER_REVIEW) or not article.submitted_at:
            return "—"
        days = (timezone.now() - article.submitted_at).days
        return "today" if days == 0 else f"{days} day{'s' if days != 1 else ''}"

    @admin.display(description="evidence")
    def evidence(self, article):
        nature = getattr(article, "evidence_notice", None)
        if not nature:
            return "—"
        label = RetractionRecord.Nature(nature).label
        if nature in RetractionRecord.UNDER_NOTICE:
            return format_html('<strong class="review-due">{}</strong> of a cited source: re-review', label)
        return f"{label} of a cited source"

    @admin.display(description="next review")
    def next_review(self, article):
        """When the live version is due for re-review, flagged once that date has passed."""
        if article.live_version is None or article.state == Article.State.WITHDRAWN:
            return "—"
        due = schedule.rereview_due_on(article.live_version.approved_at)
        day = f"{timezone.localtime(due):%b %d, %Y}"
        if due <= timezone.now():
            return format_html('<strong class="review-due">Review due</strong> since {}', day)
        return day

    def view_on_site(self, article):
        """Readers' page, only while readers can open it (never for a draft that was not approved)."""
        if article.live_version_id is None or article.state == Article.State.WITHDRAWN:
            return None
        return article.get_absolute_url()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            # Whoever starts an article is its author, as at /write/new/; editors change authorship later.
            form.instance.authors.add(request.user)
        # An author's open editor tab must notice an edit made here (see writing.editing).
        Article.objects.filter(pk=form.instance.pk).update(edit_version=F("edit_version") + 1)

    def get_object(self, request, object_id, from_field=None):
        article = super().get_object(request, object_id, from_field)
        if article is not None:
            article.viewer = request.user  # the "reviewers" field offers the assign link to editors only
            request.vetted_article = article  # the nested inlines ask whether its content is editable
        return article

    @admin.display(description="authors")
    def author_list(self, article):
        names = self.author_names(article) if article.pk else "You, once the article is saved."
        if article.pk is None or permissions.refusal("change_authors", article.viewer, article):
            return names
        url = reverse("admin:articles_article_authors", args=[article.pk])
        return format_html('{} · <a href="{}">Change authors…</a>', names, url)

    @admin.display(description="reviewers")
    def reviewers(self, article):
        if article.pk is None or article.state not in (Article.State.SUBMITTED, Article.State.UNDER_REVIEW):
            return "Reviewers are assigned once the article is submitted."
        if permissions.refusal("assign", article.viewer, article):
            return "An editor assigns reviewers."
        return format_html(
            '<a href="{}">Assign a reviewer…</a>', reverse("admin:articles_article_assign", args=[article.pk])
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/assign/", view(self.assign_view), name="articles_article_assign"),
            path("<int:object_id>/authors/", view(self.authors_view), name="articles_article_authors"),
            path("<int:object_id>/review/", view(self.review_view), name="articles_article_review"),
            path(
                "<int:object_id>/content-history/",
                view(self.content_history_view),
                name="articles_article_content_history",
            ),
            path(
                "<int:object_id>/review/claims/<uuid:claim_uuid>/",
                view(self.mark_claim_view),
                name="articles_article_mark_claim",
            ),
            path("<int:object_id>/review/carry-over/", view(self.carry_over_view), name="articles_article_carry_over"),
            path(
                "<int:object_id>/transition/<str:name>/", view(self.transition_view), name="articles_article_transition"
            ),
            *super().get_urls(),
        ]

    def _visible_article(self, request, object_id: int) -> Article:
        if not self.has_view_permission(request):
            raise PermissionDenied
        articles = self.visible_rows(
            request, Article.objects.select_related("live_version", "topic").prefetch_related("authors")
        )
        return get_object_or_404(articles, pk=object_id)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self._visible_article(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "workflow_actions": available_actions(article, request.user),
            "review_url": reverse("admin:articles_article_review", args=[article.pk]),
            "content_history_url": reverse("admin:articles_article_content_history", args=[article.pk]),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def review_view(self, request, object_id: int):
        """The article as readers will see it, claim by claim, with sources, marks and actions."""
        article = self._visible_article(request, object_id)
        page = review_page(article, request.user)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Review: {article}",
            "page": page,
            "article": article,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/articles/review.html", context)

    def content_history_view(self, request, object_id: int):
        """Every change to the article's sections, claims and citations: before, after, who, when."""
        article = self._visible_article(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Content history: {article}",
            "article": article,
            "changes": content_history(article),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/articles/content_history.html", context)

    def mark_claim_view(self, request, object_id: int, claim_uuid):
        article = self._visible_article(request, object_id)
        if request.method != "POST":
            return redirect("admin:articles_article_review", article.pk)
        claim = get_object_or_404(Claim, article=article, uuid=claim_uuid)
        verified = request.POST.get("verdict") == "verified"
        try:
            record_claim_review(claim, by=request.user, verified=verified, comment=request.POST.get("comment", ""))
        except WorkflowError as error:
            messages.error(request, error.message)
        anchor = f"#claim-{claim.uuid}"
        return redirect(reverse("admin:articles_article_review", args=[article.pk]) + anchor)

    def carry_over_view(self, request, object_id: int):
        article = self._visible_article(request, object_id)
        if request.method == "POST":
            try:
                carried = carry_over_verifications(article, by=request.user)
            except WorkflowError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, f"{carried} unchanged claim{'s' if carried != 1 else ''} carried over.")
        return redirect("admin:articles_article_review", article.pk)

    def transition_view(self, request, object_id: int, name: str):
        """Every workflow button posts here, and this only calls the workflow's single entry point."""
        article = self._visible_article(request, object_id)
        back = request.POST.get("next") or reverse("admin:articles_article_change", args=[article.pk])
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("admin:articles_article_change", args=[article.pk])
        if request.method != "POST":
            return redirect(back)
        try:
            perform_transition(
                article,
                name,
                by=request.user,
                comment=request.POST.get("comment", ""),
                change_note=request.POST.get("change_note", "") if name == "approve" else "",
            )
        except WorkflowError as error:
            messages.error(request, error.message)
            for problem in error.problems[:10]:
                messages.error(request, problem)
            return redirect(back)
        article.refresh_from_db()
        messages.success(request, f"“{article}” is now {article.get_state_display().lower()}.")
        if name == "start_review":
            return redirect("admin:articles_article_review", article.pk)
        return redirect(back)

    def assign_view(self, request, object_id: int):
        article = get_object_or_404(
            self.visible_rows(request, Article.objects.prefetch_related("authors")), pk=object_id
        )
        if permissions.refusal("assign", request.user, article):
            raise PermissionDenied
        form = AssignReviewerForm(request.POST or None, article=article)
        if request.method == "POST" and form.is_valid():
            try:
                assignment = assign_reviewer(
                    article, reviewer=form.cleaned_data["reviewer"], by=request.user, due_at=form.cleaned_data["due_at"]
                )
            except WorkflowError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"{assignment.reviewer} is assigned and has been told.")
                return redirect("admin:articles_article_change", article.pk)
        this_round = ReviewAssignment.objects.current_round(article).select_related("reviewer")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Assign a reviewer to “{article}”",
            "article": article,
            "form": form,
            "open_assignments": [a for a in this_round if a.status == ReviewAssignment.Status.ACTIVE],
            "declined": [a for a in this_round if a.status == ReviewAssignment.Status.DECLINED],
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/articles/assign.html", context)

    def authors_view(self, request, object_id: int):
        """Editors change who the authors are; the change is logged. Nobody else can."""
        article = self._visible_article(request, object_id)
        if permissions.refusal("change_authors", request.user, article):
            raise PermissionDenied
        form = AuthorsForm(request.POST or None, article=article)
        if request.method == "POST" and form.is_valid():
            try:
                change_authors(article, authors=form.cleaned_data["authors"], by=request.user)
            except WorkflowError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "The authors are changed; the transition log records it.")
                return redirect("admin:articles_article_change", article.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Authors of “{article}”",
            "article": article,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/articles/authors.html", context)

    @admin.display(description="transition log")
    def transition_log_csv(self, article):
        if article.pk is None:
            return "—"
        url = reverse("admin:editorial_transitionlog_export", args=[article.pk])
        return format_html('<a href="{}">Download as CSV</a>', url)


class ContentPartAdmin(ContentAdminMixin, SimpleHistoryAdmin):
    """Sections, claims and citations are edited on their article's page, where the nested inlines
    follow the workflow; their own admin only lists them, with their read-only history."""

    edits_here = False


@admin.register(Section)
class SectionAdmin(ContentPartAdmin):
    list_display = ("heading", "article", "parent", "position")
    list_select_related = ("article", "parent")
    search_fields = ("heading", "article__title")


@admin.register(Claim)
class ClaimAdmin(ContentPartAdmin):
    list_display = ("__str__", "article", "section", "position")
    list_select_related = ("article", "section")
    search_fields = ("text", "article__title")


@admin.register(Citation)
class CitationAdmin(ContentPartAdmin):
    article_path = "claim__article"

    list_display = ("claim", "reference", "position")
    list_select_related = ("claim", "reference")
