"""The admin site: Vetted's titles, board members landing on their review queue, and the
"view on site" redirect asking the same admin rules as every other admin view."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse


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

    def get_urls(self):
        urls = super().get_urls()
        guarded = path(
            "r/<int:content_type_id>/<path:object_id>/", self.admin_view(self.view_on_site), name="view_on_site"
        )
        return [guarded if getattr(pattern, "name", None) == "view_on_site" else pattern for pattern in urls]

    def view_on_site(self, request, content_type_id: int, object_id: str):
        """Django's shortcut redirect, only for an object the viewer's admin shows them.

        Django's own view redirects any staff user to any object's public URL, which for a
        draft would name its unapproved address; here an object outside the model admin's
        queryset, or of a model with no admin, is a 404 like one that does not exist.
        """
        # Imported here, like the permissions above: the site exists before the models load.
        from django.contrib.contenttypes.models import ContentType
        from django.contrib.contenttypes.views import shortcut

        content_type = ContentType.objects.filter(pk=content_type_id).first()
        model_admin = self._registry.get(content_type.model_class()) if content_type else None
        if model_admin is None or not model_admin.has_view_permission(request):
            raise Http404
        try:
            obj = model_admin.get_queryset(request).filter(pk=object_id).first()
        except (ValueError, ValidationError) as error:
            raise Http404 from error
        if obj is None or not model_admin.has_view_permission(request, obj):
            raise Http404
        return shortcut(request, content_type_id, object_id)


class VettedAdminConfig(AdminConfig):
    default_site = "config.admin.VettedAdminSite"
