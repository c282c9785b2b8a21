"""Topics are edited here; the article content's admin is the board's workspace in `editorial.admin`,
where one permission layer guards every view of it."""

from django.contrib import admin

from articles.models import Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)
