"""The one permission layer under every admin view of article content and its records.

Django's admin and its libraries generate views nobody here wrote: changelists, add, change and
delete forms, django-simple-history's history and revert views, autocomplete, raw-id lookups,
changelist filters, inlines. Each of them reaches rows through ``get_queryset``, objects through
``get_object``, choices through ``formfield_for_*`` and decisions through ``has_*_permission``;
these mixins answer all four from `editorial.permissions`, so every door asks the same rules:

- `ArticleRowsMixin`: rows about an article show only where the viewer may see the article
  (`permissions.visible_articles`); anything else is a 404, never a redirect that confirms it exists.
- `ContentAdminMixin`: content (articles, sections, claims, citations, references) changes only
  where the workflow allows it (`permissions.can_edit_content`, `permissions.reference_refusal`);
  foreign-key choices list only what the viewer may edit; history is read-only (revert would write
  content behind the workflow's back) and shown only where the subject is visible; bulk delete is off.

`tests/editorial/test_admin_doors.py` walks the admin registry and the URL resolver and fails on a
content admin that lacks these mixins, or on an admin URL the door matrix does not cover.
"""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed

from articles.models import Article, Claim, Section
from editorial import permissions
from references.models import Reference


def article_of(obj, path: str) -> Article | None:
    """Follow ``path`` ("", "article", "claim__article", …) from ``obj`` to its article."""
    try:
        for name in filter(None, path.split("__")):
            obj = getattr(obj, name)
    except ObjectDoesNotExist:  # a historical row whose parent is gone
        return None
    return obj


class ArticleRowsMixin:
    """Rows about articles, visible only where the viewer may see the article."""

    # How a query reaches the article from this admin's model: "" for Article itself, None for
    # rows that belong to no article and every role may read (the shared reference library).
    article_path: str | None = "article"

    def get_queryset(self, request):
        return self.visible_rows(request, super().get_queryset(request))

    def visible_rows(self, request, queryset):
        user = request.user
        if self.article_path is None or permissions.sees_every_article(user):
            return queryset
        if not self.article_path:
            return permissions.visible_articles(user, queryset)
        return queryset.filter(**{f"{self.article_path}__in": permissions.visible_articles(user).values("pk")})

    def article_visible(self, request, obj) -> bool:
        if self.article_path is None:
            return True
        article = article_of(obj, self.article_path)
        if article is None:
            return permissions.sees_every_article(request.user)
        return permissions.visible_articles(request.user).filter(pk=article.pk).exists()

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or self.article_visible(request, obj))

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django redirects to the index for a missing object; an invisible one must look the same
        # as one that does not exist, and neither may answer with a page.
        raise Http404


class ContentAdminMixin(ArticleRowsMixin):
    """Article content: visible, editable and chosen only as `editorial.permissions` allows."""

    # False for a door that only shows content (sections, claims, citations are edited on their
    # article's page, where the same rules apply to the nested inlines).
    edits_here = True

    def may_edit(self, request, obj) -> bool:
        if isinstance(obj, Reference):
            return permissions.reference_refusal(request.user, obj) is None
        article = article_of(obj, self.article_path)
        return article is not None and permissions.can_edit_content(request.user, article)

    def has_add_permission(self, request, *args):
        return self.edits_here and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        if not self.edits_here or not super().has_change_permission(request, obj):
            return False
        return obj is None or self.may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        if not self.edits_here or not super().has_delete_permission(request, obj):
            return False
        return obj is None or self.may_edit(request, obj)

    def get_actions(self, request):
        # "Delete selected" checks no object's rules; content is deleted one object at a time.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if related is Article:
            kwargs["queryset"] = permissions.editable_articles(request.user)
        elif related in (Section, Claim) and "queryset" not in kwargs:
            kwargs["queryset"] = related.objects.filter(article__in=permissions.editable_articles(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # History: django-simple-history's views, read-only and only where the subject is visible.

    def revert_disabled(self, request, obj=None):
        return True

    def has_change_history_permission(self, request, obj=None):
        return False

    def history_view(self, request, object_id, extra_context=None):
        self._history_subject(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            # Reverting writes content behind the workflow's back: lock, permission and log.
            return HttpResponseNotAllowed(["GET"])
        self._history_subject(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _history_subject(self, request, object_id):
        """The object (or, once deleted, its last historical state) if the viewer may see it; else 404."""
        if not super().has_view_permission(request):
            raise PermissionDenied
        try:
            pk = self.model._meta.pk.to_python(object_id)
        except (ValidationError, ValueError, TypeError) as error:  # a malformed id is a missing object
            raise Http404 from error
        obj = self.get_queryset(request).filter(pk=pk).first()
        if obj is None:
            last = self.model.history.filter(**{self.model._meta.pk.attname: pk}).order_by("-history_id").first()
            if last is None or not self.article_visible(request, last.instance):
                raise Http404
            obj = last.instance
        return obj
