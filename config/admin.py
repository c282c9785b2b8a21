"""The admin site: Vetted's titles, and board members landing on their review queue."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect
from django.urls import reverse


class VettedAdminSite(admin.AdminSite):
    site_header = "Vetted editorial"
    site_title = "Vetted editorial"
    index_title = "Articles, reviews and records"

    def index(self, request, extra_context=None):
        # A board member's work is the queue; the app index is one click away in the sidebar.
        # Imported here: the admin site is created before the apps' models are loaded.
        from editorial.permissions import is_editor, is_reviewer

        if is_reviewer(request.user) and not is_editor(request.user):
            return redirect(f"{reverse('admin:articles_article_changelist')}?queue=board")
        return super().index(request, extra_context)


class VettedAdminConfig(AdminConfig):
    default_site = "config.admin.VettedAdminSite"
