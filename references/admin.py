from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from references.models import Citation, Reference


@admin.register(Reference)
class ReferenceAdmin(SimpleHistoryAdmin):
    list_display = ("title", "kind", "source", "year", "doi", "pmid")
    list_filter = ("kind", "year")
    search_fields = ("title", "authors", "source", "doi", "pmid")
    readonly_fields = ("uuid", "created_at", "updated_at")


@admin.register(Citation)
class CitationAdmin(SimpleHistoryAdmin):
    list_display = ("claim", "reference", "position")
    list_select_related = ("claim", "reference")
    autocomplete_fields = ("reference",)
    raw_id_fields = ("claim",)
