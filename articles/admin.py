from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from articles.models import Article, Claim, Section, Topic
from editorial.models import ArticleVersion, TransitionLog


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


@admin.register(Article)
class ArticleAdmin(LockedContentMixin, SimpleHistoryAdmin):
    list_display = ("title", "state", "topic", "live_version", "updated_at")
    list_filter = ("state", "topic")
    list_select_related = ("topic", "live_version")
    search_fields = ("title", "slug")
    readonly_fields = ("state", "live_version", "review_round", "created_at", "updated_at", "transition_log_csv")
    filter_horizontal = ("authors",)
    inlines = [SectionInline, TransitionLogInline, VersionInline]
    history_list_display = ["state"]

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
