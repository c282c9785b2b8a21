"""Retraction watch and competing interests in the admin: imports, records, notices (editors dismiss
false matches) and declarations (editors decide on a reviewer's declared interest).

All read-only records; the two decisions go through `editorial.evidence`, and
`editorial.permissions.notice_refusal` says who may take them.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from editorial import evidence, permissions
from editorial.admin.mixins import ArticleRowsMixin
from editorial.admin.records import ReadOnlyAdmin
from editorial.exceptions import WorkflowError
from editorial.forms import DecisionForm, DeclarationForm, DismissNoticeForm
from integrity.models import (
    CitingReason,
    Declaration,
    DeclarationDecision,
    RetractionImport,
    RetractionNotice,
    RetractionRecord,
    RetractionScan,
)
from integrity.selectors import latest_decision


@admin.register(RetractionImport)
class RetractionImportAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "file_name", "rows", "inserted", "updated", "unchanged", "missing", "bad_rows")
    fields = (
        "file_name",
        "sha256",
        "started_at",
        "finished_at",
        "rows",
        "inserted",
        "updated",
        "unchanged",
        "missing",
        "bad_rows",
        "invalid_utf8_rows",
        "problems",
    )


@admin.register(RetractionScan)
class RetractionScanAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "records_checked", "references_checked", "notices_found")


@admin.register(RetractionRecord)
class RetractionRecordAdmin(ReadOnlyAdmin):
    list_display = ("record_id", "nature", "notice_date", "doi", "pmid", "title")
    list_filter = ("nature",)
    search_fields = ("=record_id", "=doi", "=pmid", "title")
    show_full_result_count = False  # hundreds of thousands of rows: no second count


@admin.register(RetractionNotice)
class RetractionNoticeAdmin(ArticleRowsMixin, ReadOnlyAdmin):
    # References are the shared library, which every role reads; so are the notices on them.
    article_path = None
    list_display = ("created_at", "nature", "notice_date", "reference", "matched_on", "status", "dismiss")
    list_filter = ("status", "record__nature")
    list_select_related = ("record", "reference")
    search_fields = ("reference__title", "=reference__doi", "=reference__pmid")
    readonly_fields = ("reasons", "notice_link")
    fields = (
        "record",
        "reference",
        "matched_on",
        "reasons",
        "notice_link",
        "status",
        "created_at",
        "dismissed_at",
        "dismissed_by",
        "dismissal_reason",
    )

    @admin.display(description="nature", ordering="record__nature")
    def nature(self, notice):
        return notice.record.get_nature_display()

    @admin.display(description="date of the notice", ordering="record__notice_date")
    def notice_date(self, notice):
        return notice.record.notice_date or "—"

    @admin.display(description="reasons")
    def reasons(self, notice):
        return "; ".join(notice.record.reasons) or "—"

    @admin.display(description="notice")
    def notice_link(self, notice):
        url = notice.record.notice_url
        return format_html('<a href="{}" rel="noopener">{}</a>', url, url) if url else "—"

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return shown if permissions.notice_refusal(request.user) is None else [c for c in shown if c != "dismiss"]

    @admin.display(description="")
    def dismiss(self, notice):
        if notice.status != RetractionNotice.Status.ACTIVE:
            return notice.dismissal_reason
        url = reverse("admin:integrity_retractionnotice_dismiss", args=[notice.pk])
        return format_html('<a href="{}">Dismiss as a false match…</a>', url)

    def get_urls(self):
        dismiss = self.admin_site.admin_view(self.dismiss_view)
        return [
            path("<int:object_id>/dismiss/", dismiss, name="integrity_retractionnotice_dismiss"),
            *super().get_urls(),
        ]

    def dismiss_view(self, request, object_id: int):
        notice = get_object_or_404(self.get_queryset(request).select_related("record", "reference"), pk=object_id)
        if not self.has_view_permission(request, notice) or permissions.notice_refusal(request.user):
            raise PermissionDenied
        form = DismissNoticeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                evidence.dismiss_notice(notice, by=request.user, reason=form.cleaned_data["reason"])
            except WorkflowError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "The notice is dismissed; readers no longer see it.")
                return redirect("admin:integrity_retractionnotice_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Dismiss: {notice}",
            "notice": notice,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/integrity/dismiss.html", context)


@admin.register(CitingReason)
class CitingReasonAdmin(ArticleRowsMixin, ReadOnlyAdmin):
    article_path = "claim__article"
    list_display = ("created_at", "claim", "reference", "reason", "by")
    list_select_related = ("claim", "reference", "by")


class DecisionInline(admin.TabularInline):
    model = DeclarationDecision
    fields = ("created_at", "allowed", "reason", "decided_by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Declaration)
class DeclarationAdmin(ArticleRowsMixin, ReadOnlyAdmin):
    list_display = ("created_at", "article", "round", "role", "person_name", "sentence", "decide")
    list_filter = ("role",)
    list_select_related = ("article",)
    search_fields = ("article__title", "person_name")
    fields = ("article", "round", "role", "person_name", "sentence", "created_at", "decide")
    readonly_fields = ("sentence", "decide")
    inlines = [DecisionInline]

    @admin.display(description="declaration")
    def sentence(self, declaration):
        return declaration.sentence

    @admin.display(description="")
    def decide(self, declaration):
        if declaration.role != Declaration.Role.REVIEWER or not declaration.declares_interests:
            return "—"
        decision = latest_decision(declaration)
        if decision is not None:
            return f"{'Allowed' if decision.allowed else 'Refused'}: {decision.reason}"
        url = reverse("admin:integrity_declaration_decide", args=[declaration.pk])
        return format_html('<a href="{}">Decide…</a>', url)

    def get_urls(self):
        decide = self.admin_site.admin_view(self.decide_view)
        declare = self.admin_site.admin_view(self.declare_view)
        return [
            path("<int:object_id>/decide/", decide, name="integrity_declaration_decide"),
            path("declare/<int:article_id>/", declare, name="integrity_declaration_declare"),
            *super().get_urls(),
        ]

    def declare_view(self, request, article_id: int):
        """The assigned reviewer declares competing interests for this round, before reviewing."""
        article = get_object_or_404(
            permissions.visible_articles(request.user).prefetch_related("authors"), pk=article_id
        )
        if permissions.active_assignment(request.user, article) is None:
            raise PermissionDenied
        form = DeclarationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                declaration = evidence.declare_interests(
                    article,
                    by=request.user,
                    role=Declaration.Role.REVIEWER,
                    relationships=form.relationships(),
                    none=form.cleaned_data["none"],
                )
            except WorkflowError as error:
                form.add_error(None, error.message)
            else:
                if declaration.declares_interests:
                    messages.warning(request, "Declared. An editor decides whether you may continue; you are told.")
                else:
                    messages.success(request, "Declared: no competing interests. You can review now.")
                return redirect("admin:articles_article_review", article.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Competing interests: {article}",
            "article": article,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/integrity/declare.html", context)

    def decide_view(self, request, object_id: int):
        declaration = get_object_or_404(self.get_queryset(request).select_related("article"), pk=object_id)
        if permissions.notice_refusal(request.user):
            raise PermissionDenied
        form = DecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                evidence.decide_declaration(
                    declaration,
                    by=request.user,
                    allowed=form.cleaned_data["allowed"],
                    reason=form.cleaned_data["reason"],
                )
            except WorkflowError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "Decided; the transition log records it.")
                return redirect("admin:articles_article_change", declaration.article_id)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Decide on the interest {declaration.person_name} declared",
            "declaration": declaration,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/integrity/decide.html", context)
