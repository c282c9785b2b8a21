from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from editorial.admin.mixins import ContentAdminMixin
from editorial.selectors import citing_articles
from references.duplicates import likely_duplicates
from references.models import Citation, NormalizedIdentifierField, Reference
from references.selectors import with_cited_by


def library_duplicates(request) -> dict[int, list[int]]:
    """The whole library's likely duplicates, computed once per request (filter and column share it)."""
    if not hasattr(request, "_reference_duplicates"):
        request._reference_duplicates = likely_duplicates()
    return request._reference_duplicates


def duplicate_links(ids: list[int]) -> str | None:
    """“Possible duplicate of #12, #15”, each number linking to that reference."""
    if not ids:
        return None
    links = format_html_join(
        ", ", '<a href="{}">#{}</a>', ((reverse("admin:references_reference_change", args=[pk]), pk) for pk in ids)
    )
    return format_html("Possible duplicate of {}", links)


class LikelyDuplicateFilter(admin.SimpleListFilter):
    title = "likely duplicates"
    parameter_name = "duplicate"

    def lookups(self, request, model_admin):
        return [("yes", "Likely duplicates")]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        return queryset.filter(pk__in=list(library_duplicates(request)))


class CitedFilter(admin.SimpleListFilter):
    title = "citations"
    parameter_name = "cited"

    def lookups(self, request, model_admin):
        return [("yes", "Cited"), ("no", "Not cited")]

    def queryset(self, request, queryset):
        cited = Exists(Citation.objects.filter(reference=OuterRef("pk")))
        choices = {"yes": cited, "no": ~cited}
        return queryset.filter(choices[self.value()]) if self.value() in choices else queryset


@admin.register(Reference)
class ReferenceAdmin(ContentAdminMixin, SimpleHistoryAdmin):
    """The shared library: everyone reads it; corrections follow `permissions.reference_refusal`."""

    article_path = None  # references belong to no single article
    list_display = ("kind", "title", "source", "year", "doi_link", "pmid_link", "cited_by")
    list_display_links = ("title",)
    list_filter = ("kind", "year", LikelyDuplicateFilter, CitedFilter)
    search_fields = ("title", "authors", "source", "doi", "pmid")
    readonly_fields = ("uuid", "created_at", "updated_at")
    empty_value_display = "—"
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 90})},
    }

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in ("title", "source"):
            kwargs["widget"] = forms.TextInput(attrs={"size": 90})  # titles run long; show them whole
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        return with_cited_by(super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        """Also match DOIs and PMIDs however they are written (“https://doi.org/…”, “PMID: …”)."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        identifiers = Q()
        for field in self.model._meta.concrete_fields:
            if isinstance(field, NormalizedIdentifierField) and (value := field.to_python(search_term)):
                identifiers |= Q(**{f"{field.name}__icontains": value})
        if identifiers:
            results |= queryset.filter(identifiers)
        return results, may_have_duplicates

    def get_list_display(self, request):
        # The duplicates are found once for the whole list, so the column is made per request.
        duplicates = library_duplicates(request)

        @admin.display(description="likely duplicate")
        def likely_duplicate(reference):
            return duplicate_links(duplicates.get(reference.pk, []))

        title = self.list_display.index("title")
        return [*self.list_display[: title + 1], likely_duplicate, *self.list_display[title + 1 :]]

    @admin.display(description="DOI", ordering="doi")
    def doi_link(self, reference):
        return format_html('<a href="{}">{}</a>', reference.doi_url, reference.doi) if reference.doi else None

    @admin.display(description="PMID", ordering="pmid")
    def pmid_link(self, reference):
        return format_html('<a href="{}">{}</a>', reference.pubmed_url, reference.pmid) if reference.pmid else None

    @admin.display(description="cited by", ordering="cited_by")
    def cited_by(self, reference):
        return reference.cited_by

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            duplicate_ids = likely_duplicates(of={obj.pk}).get(obj.pk, [])
            citing = citing_articles(obj, viewer=request.user)
            context = {
                **context,
                "duplicates": Reference.objects.filter(pk__in=duplicate_ids).order_by("pk"),
                "citing_articles": [article for article in citing if article.visible],
                "hidden_citing_count": sum(1 for article in citing if not article.visible),
            }
        return super().render_change_form(request, context, add, change, form_url, obj)
