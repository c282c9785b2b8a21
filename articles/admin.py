from django.contrib import admin

from articles.models import Article, Claim, Section, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


class SectionInline(admin.TabularInline):
    model = Section
    fields = ("heading", "parent", "position")
    extra = 0
    show_change_link = True


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "state", "topic", "updated_at")
    list_filter = ("state", "topic")
    search_fields = ("title", "slug")
    readonly_fields = ("state", "created_at", "updated_at")
    filter_horizontal = ("authors",)
    inlines = [SectionInline]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ("heading", "article", "parent", "position")
    list_select_related = ("article", "parent")
    search_fields = ("heading", "article__title")
    raw_id_fields = ("article", "parent")


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ("__str__", "article", "section", "position")
    list_select_related = ("article", "section")
    search_fields = ("text", "article__title")
    raw_id_fields = ("article", "section", "parent")
