"""The shared cache's purge outbox, for editors to see what was purged, when, and what is still waiting."""

from django.contrib import admin

from editorial.admin.records import ReadOnlyAdmin
from editorial.models import PurgeRequest


@admin.register(PurgeRequest)
class PurgeRequestAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "keys", "reason", "sent_at", "attempts", "outcome")
    list_filter = (("sent_at", admin.EmptyFieldListFilter),)
    search_fields = ("keys", "reason")
    date_hierarchy = "created_at"

    @admin.display(description="outcome or last error")
    def outcome(self, purge):
        return purge.last_error or purge.note
