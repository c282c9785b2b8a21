from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from articles.models import Article
from editorial.exports import transition_log_csv
from editorial.models import ArticleVersion, ClaimReview, Notification, ReviewAssignment, TransitionLog


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by the workflow: visible, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TransitionLog)
class TransitionLogAdmin(ReadOnlyAdmin):
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
        article = get_object_or_404(Article, pk=article_id)
        entries = article.transition_logs.select_related("article", "version")
        return transition_log_csv(entries, filename=f"{article.slug}-transition-log.csv")


@admin.register(ArticleVersion)
class ArticleVersionAdmin(ReadOnlyAdmin):
    list_display = ("article", "number", "approved_at", "reviewer_names", "content_hash")
    list_select_related = ("article",)
    search_fields = ("article__title",)
    fields = ("article", "number", "approved_at", "approved_by", "reviewers", "content_hash", "reader_link", "document")

    @admin.display(description="reader page")
    def reader_link(self, version):
        return format_html('<a href="{}">{}</a>', reverse("articles:detail", args=[version.document["slug"]]), "Open")


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("article", "reviewer", "round", "status", "due_at", "assigned_by", "created_at")
    list_filter = ("status",)
    list_select_related = ("article", "reviewer", "assigned_by")
    search_fields = ("article__title", "reviewer__username", "reviewer__last_name")


@admin.register(ClaimReview)
class ClaimReviewAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "assignment", "claim", "verified", "comment")
    list_filter = ("verified",)
    list_select_related = ("assignment__article", "assignment__reviewer", "claim")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "email", "article", "status", "attempts", "sent_at")
    list_filter = ("status", "kind", "recipient")
    list_select_related = ("article",)
    search_fields = ("email", "subject", "article__title")
    readonly_fields = ("last_error",)
