from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from editorial import permissions, schedule
from editorial.admin.mixins import ArticleRowsMixin
from editorial.exceptions import WorkflowError
from editorial.exports import transition_log_csv
from editorial.forms import DeclineForm
from editorial.models import (
    ArticleVersion,
    ClaimReview,
    Notification,
    ReviewAssignment,
    TransitionLog,
)
from editorial.services import decline_assignment, start_draft_from_question
from reader.models import ReaderMessage
from reader.presentation import version_context


def next_reminders(assignment) -> str:
    """The reminders an open assignment will still cause, one line each, for admin columns.

    Needs the annotations of `ReviewAssignmentQuerySet.with_reminder_state`.
    """
    upcoming = schedule.upcoming_for_assignment(
        assignment, now=timezone.now(), last_sent=assignment.last_reminder, escalated=assignment.escalated
    )
    if not upcoming:
        return "—" if assignment.status != ReviewAssignment.Status.ACTIVE else "No more reminders"
    scan = f"within {settings.VETTED_REMINDER_SCAN_MINUTES} min"
    return format_html_join(
        mark_safe("<br>"),
        "{} → {} ({})",
        ((f"{timezone.localtime(item.at):%b %d, %H:%M}" if item.at else scan, item.to, item.what) for item in upcoming),
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by the workflow: visible, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TransitionLog)
class TransitionLogAdmin(ArticleRowsMixin, ReadOnlyAdmin):
    list_display = ("created_at", "article", "transition", "from_state", "to_state", "actor_name", "comment")
    list_filter = ("transition", "to_state")
    list_select_related = ("article", "version")
    search_fields = ("article__title", "actor_name", "comment")
    date_hierarchy = "created_at"
    actions = ["export_csv"]

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_article_view)
        return [
            path("article/<int:article_id>/export.csv", export, name="editorial_transitionlog_export"),
            *super().get_urls(),
        ]

    @admin.action(description="Export selected entries as CSV")
    def export_csv(self, request, queryset):
        return transition_log_csv(queryset.select_related("article", "version"), filename="transition-log.csv")

    def export_article_view(self, request, article_id: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        article = get_object_or_404(permissions.visible_articles(request.user), pk=article_id)
        entries = article.transition_logs.select_related("article", "version")
        return transition_log_csv(entries, filename=f"{article.slug}-transition-log.csv")


@admin.register(ArticleVersion)
class ArticleVersionAdmin(ArticleRowsMixin, ReadOnlyAdmin):
    list_display = ("article", "number", "approved_at", "reviewer_names", "content_hash")
    list_select_related = ("article",)
    search_fields = ("article__title",)
    fields = (
        "article",
        "number",
        "slug",
        "topic",
        "approved_at",
        "approved_by",
        "reviewers",
        "change_note",
        "evidence_search_due",
        "content_hash",
        "view",
        "document",
    )

    @admin.display(description="as readers saw it")
    def view(self, version):
        url = reverse("admin:editorial_articleversion_view", args=[version.pk])
        return format_html('<a href="{}">View version {}</a>', url, version.number)

    def get_urls(self):
        view = self.admin_site.admin_view(self.version_view)
        return [path("<int:object_id>/view/", view, name="editorial_articleversion_view"), *super().get_urls()]

    def version_view(self, request, object_id: int):
        """Render a frozen version exactly as the reader page did, marked as an archived copy."""
        version = get_object_or_404(self.get_queryset(request).select_related("article"), pk=object_id)
        if not self.has_view_permission(request, version):
            raise PermissionDenied
        live = version.article.live_version_id == version.pk
        context = {
            **version_context(version),
            "article": version.article,
            "preview_notice": (
                f"Version {version.number}, approved {timezone.localtime(version.approved_at):%B %d, %Y}"
                f"{' (live now)' if live else ' (no longer live)'}. Shown from the admin."
            ),
        }
        return TemplateResponse(request, "articles/article_detail.html", context)


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Overdue")]

    def queryset(self, request, queryset):
        return queryset.overdue() if self.value() == "yes" else queryset


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ArticleRowsMixin, ReadOnlyAdmin):
    list_display = ("article", "reviewer", "status", "due_at", "next_reminder")
    list_filter = ("status", OverdueFilter)
    list_select_related = ("article", "reviewer", "assigned_by")
    search_fields = ("article__title", "reviewer__username", "reviewer__last_name")
    readonly_fields = ("next_reminder",)

    def get_queryset(self, request):
        return super().get_queryset(request).with_reminder_state()

    @admin.display(description="next reminder")
    def next_reminder(self, assignment):
        return next_reminders(assignment)

    def get_list_display(self, request):
        # The decline link depends on who is looking, so the column is made per request.
        @admin.display(description="")
        def decline(assignment):
            if assignment.status == ReviewAssignment.Status.DECLINED:
                return format_html("Declined: {}", assignment.decline_reason)
            if (
                permissions.decline_refusal(request.user, assignment)
                or assignment.status != ReviewAssignment.Status.ACTIVE
            ):
                return ""
            url = reverse("admin:editorial_reviewassignment_decline", args=[assignment.pk])
            return format_html('<a href="{}">Decline…</a>', url)

        return [*super().get_list_display(request), decline]

    def get_urls(self):
        decline = self.admin_site.admin_view(self.decline_view)
        return [
            path("<int:object_id>/decline/", decline, name="editorial_reviewassignment_decline"),
            *super().get_urls(),
        ]

    def decline_view(self, request, object_id: int):
        assignment = get_object_or_404(ReviewAssignment.objects.select_related("article", "reviewer"), pk=object_id)
        if permissions.decline_refusal(request.user, assignment):
            raise PermissionDenied
        form = DeclineForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                decline_assignment(assignment, by=request.user, reason=form.cleaned_data["reason"])
            except WorkflowError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"You declined “{assignment.article}”. The editors have been told.")
                return redirect("admin:articles_article_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Decline the review of “{assignment.article}”",
            "assignment": assignment,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/editorial/decline.html", context)


@admin.register(ClaimReview)
class ClaimReviewAdmin(ArticleRowsMixin, ReadOnlyAdmin):
    article_path = "assignment__article"

    list_display = ("created_at", "assignment", "claim", "verified", "comment")
    list_filter = ("verified",)
    list_select_related = ("assignment__article", "assignment__reviewer", "claim")


@admin.register(Notification)
class NotificationAdmin(ArticleRowsMixin, ReadOnlyAdmin):
    list_display = ("created_at", "kind", "email", "article", "status", "attempts", "sent_at", "outcome")
    list_filter = ("status", "kind", "recipient")
    list_select_related = ("article",)
    search_fields = ("email", "subject", "article__title")
    date_hierarchy = "created_at"

    @admin.display(description="error or reason")
    def outcome(self, notification):
        return notification.last_error or notification.cancelled_because


@admin.register(ReaderMessage)
class ReaderMessageAdmin(ArticleRowsMixin, admin.ModelAdmin):
    """The editors' queue of readers' questions and error reports: read, triage, start a draft."""

    list_display = ("created_at", "kind", "article", "status", "short_text", "email")
    list_filter = ("kind", "status", ("article", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("article",)
    search_fields = ("text", "email", "article__title")
    date_hierarchy = "created_at"
    actions = ["start_draft"]
    fields = (
        "kind",
        "source",
        "version_number",
        "created_at",
        "text",
        "part",
        "email",
        "audience",
        "status",
        "handled_by",
        "draft",
    )
    readonly_fields = tuple(name for name in fields if name != "status")

    def has_add_permission(self, request):
        return False  # messages come from readers

    def has_start_draft_permission(self, request) -> bool:
        return self.has_change_permission(request) and request.user.has_perm("articles.add_article")

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data:
            obj.handled_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="message")
    def short_text(self, message) -> str:
        return Truncator(message.text).chars(80)

    @admin.display(description="article")
    def source(self, message) -> str:
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">reader page</a>',
            reverse("admin:articles_article_change", args=[message.article_id]),
            message.article,
            message.article.get_absolute_url(),
        )

    @admin.display(description="draft started from it")
    def draft(self, message) -> str:
        if message.draft_article is None:
            return "—"
        url = reverse("admin:articles_article_change", args=[message.draft_article_id])
        return format_html('<a href="{}">{}</a>', url, message.draft_article)

    @admin.action(description="Start a draft article from this question", permissions=["start_draft"])
    def start_draft(self, request, queryset):
        for message in queryset.select_related("article"):
            try:
                draft = start_draft_from_question(message, by=request.user)
            except WorkflowError as error:
                self.message_user(request, f"{message}: {error.message} Nothing was changed.", messages.WARNING)
            else:
                url = reverse("admin:articles_article_change", args=[draft.pk])
                self.message_user(
                    request,
                    format_html('Started the draft <a href="{}">{}</a>, with you as its author.', url, draft.title),
                    messages.SUCCESS,
                )
