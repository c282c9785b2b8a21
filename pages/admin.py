from django import forms
from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from pages.models import BoardMember, EditorialPolicy
from pages.selectors import current_policy


@admin.register(EditorialPolicy)
class EditorialPolicyAdmin(SimpleHistoryAdmin):
    list_display = ("title", "summary", "updated_at")
    search_fields = ("title", "summary", "body")
    readonly_fields = ("updated_at",)
    fields = ("title", "summary", "body", "updated_at")
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 30, "cols": 100})}}

    def get_list_display(self, request):
        # Readers see only the latest policy; the list says which one that is (one query per list).
        shown_pk = current_policy().pk

        @admin.display(description="shown to readers", boolean=True)
        def is_shown(policy):
            return policy.pk == shown_pk

        return [*self.list_display, is_shown]


@admin.register(BoardMember)
class BoardMemberAdmin(SimpleHistoryAdmin):
    list_display = ("name", "credentials", "specialty", "affiliation", "user", "position", "is_active")
    list_display_links = ("name",)
    list_editable = ("position", "is_active")
    list_filter = ("is_active", "specialty")
    list_select_related = ("user",)
    search_fields = ("name", "credentials", "specialty", "affiliation", "bio", "disclosures", "user__username")
    fields = ("name", "credentials", "specialty", "affiliation", "bio", "disclosures", "user", "position", "is_active")
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 4, "cols": 90})}}
