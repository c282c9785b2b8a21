from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Value
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from articles.models import Article, Claim, Section, Topic
from editorial import permissions, schedule
from editorial.admin import next_reminders
from editorial.exceptions import WorkflowError
from editorial.forms import AssignReviewerForm
from editorial.models import ArticleVersion, ReviewAssignment, TransitionLog
from editorial.services import assign_reviewer


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


class LockedContentMixin:
    """Content is read-only in the admin while the workflow holds it (review, approved, withdrawn)."""

    def article_of(self, obj):
        return obj

    def has_change_permission(self, request, obj=None):
        if obj is not None and not self.article_of(obj).is_editable:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not self.article_of(obj).is_editable:
            return False
        return super().has_delete_permission(request, obj)


class SectionInline(admin.TabularInline):
    model = Section
    fields = ("heading", "parent", "position")
    extra = 0
    show_change_link = True

    def has_change_permission(self, request, obj=None):
        return (obj is None or obj.is_editable) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return (obj is None or obj.is_editable) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.is_editable) and super().has_delete_permission(request, obj)


class RecordInline(admin.TabularInline):
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
    fields = ("number", "approved_at", "reviewer_names", "content_hash")
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
        return queryset.review_due() if self.value() == "yes" else queryset


@admin.register(Article)
class ArticleAdmin(LockedContentMixin, SimpleHistoryAdmin):
    list_display = ("title", "state", "topic", "live_version", "next_review", "updated_at")
    list_filter = ("state", ReviewDueFilter, "topic")
    list_select_related = ("topic", "live_version")
    search_fields = ("title", "slug")
    readonly_fields = (
        "state",
        "live_version",
        "next_review",
        "review_round",
        "submitted_at",
        "created_at",
        "updated_at",
        "transition_log_csv",
    )
    filter_horizontal = ("authors",)
    inlines = [SectionInline, AssignmentInline, TransitionLogInline, VersionInline]
    history_list_display = ["state"]

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

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, self.reviewers_field(request)]

    @staticmethod
    def reviewers_field(request):
        # Only editors are offered the assign link, so the field is made per request.
        @admin.display(description="reviewers")
        def reviewers(article):
            if article.pk is None or article.state not in (Article.State.SUBMITTED, Article.State.UNDER_REVIEW):
                return "Reviewers are assigned once the article is submitted."
            if permissions.refusal("assign", request.user, article):
                return "An editor assigns reviewers."
            return format_html(
                '<a href="{}">Assign a reviewer…</a>', reverse("admin:articles_article_assign", args=[article.pk])
            )

        return reviewers

    def get_urls(self):
        assign = self.admin_site.admin_view(self.assign_view)
        return [path("<int:object_id>/assign/", assign, name="articles_article_assign"), *super().get_urls()]

    def assign_view(self, request, object_id: int):
        article = get_object_or_404(Article.objects.prefetch_related("authors"), pk=object_id)
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

    @admin.display(description="transition log")
    def transition_log_csv(self, article):
        if article.pk is None:
            return "—"
        url = reverse("admin:editorial_transitionlog_export", args=[article.pk])
        return format_html('<a href="{}">Download as CSV</a>', url)


@admin.register(Section)
class SectionAdmin(LockedContentMixin, SimpleHistoryAdmin):
    list_display = ("heading", "article", "parent", "position")
    list_select_related = ("article", "parent")
    search_fields = ("heading", "article__title")
    raw_id_fields = ("article", "parent")

    def article_of(self, section):
        return section.article


@admin.register(Claim)
class ClaimAdmin(LockedContentMixin, SimpleHistoryAdmin):
    list_display = ("__str__", "article", "section", "position")
    list_select_related = ("article", "section")
    search_fields = ("text", "article__title")
    raw_id_fields = ("article", "section", "parent")

    def article_of(self, claim):
        return claim.article
