"""The author's workspace at /write/: server-rendered pages that work without JavaScript.

Every change is a small POST to the editor with an ``action`` and the ``version`` the page
showed; `writing.editing` applies it atomically or refuses it. After a change the browser is
sent back to the place it changed (PRG), so a reload never repeats it.
"""

import re
from types import SimpleNamespace

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from articles.markdown_import import import_markdown
from articles.models import Article, Claim, Topic
from editorial import evidence, permissions
from editorial.exceptions import WorkflowError
from editorial.services import perform_transition
from editorial.transitions import TRANSITIONS
from integrity.models import Declaration
from reader.presentation import AUDIENCES, version_context
from references.importers import import_references
from references.models import Reference
from writing import editing
from writing.forms import MarkdownForm, NewArticleForm, PasteReferencesForm, ReferenceForm
from writing.models import Deletion, describe
from writing.workspace import my_articles, next_step, search_library, workspace

ANCHOR = re.compile(r"#[\w-]{1,80}")  # where to land after a change: an element id, nothing else


def _writer_or_editor(user) -> bool:
    return permissions.is_writer(user) or permissions.is_editor(user)


def _article_for(request, pk: int) -> Article:
    """An article the user may work on: their own, or any for an editor.

    Anything else answers 404 exactly as a missing id does, so the workspace does not tell
    whether an article someone may not open exists.
    """
    if not _writer_or_editor(request.user):
        raise Http404
    article = get_object_or_404(
        Article.objects.select_related("live_version", "topic").prefetch_related("authors"), pk=pk
    )
    if not (permissions.is_editor(request.user) or permissions.is_author_of(request.user, article)):
        raise Http404
    return article


@login_required
def article_list(request):
    if not _writer_or_editor(request.user):
        raise PermissionDenied
    articles = list(my_articles(request.user))
    rows = [{"article": article, "next_step": next_step(article)} for article in articles]
    return render(request, "writing/list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def new_article(request):
    if not permissions.is_writer(request.user):
        raise PermissionDenied
    form = NewArticleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        article = form.save(commit=False)
        article._history_user = request.user
        article.save()
        article.authors.add(request.user)
        messages.success(request, "Draft created. Start with the short answer.")
        return redirect("writing:edit", article.pk)
    return render(request, "writing/new.html", {"form": form})


def _topic(posted: dict) -> int | None:
    """The article form's topic: its id, None for "no topic", or KEEP when the form had no topic field."""
    if "topic" not in posted:
        return editing.KEEP
    return int(posted["topic"]) if posted["topic"] else None


ACTIONS = {
    "article": lambda a, by, v, p: editing.update_article(
        a, by=by, version=v, title=p.get("title", ""), headline=p.get("headline", ""), topic=_topic(p)
    ),
    "answer": lambda a, by, v, p: editing.set_answer(
        a, by=by, version=v, text=p.get("text", ""), plain_language=p.get("plain_language", "")
    ),
    "add_section": lambda a, by, v, p: editing.add_section(
        a, by=by, version=v, heading=p.get("heading", ""), parent=p.get("parent", "")
    ),
    "update_section": lambda a, by, v, p: editing.update_section(
        a,
        by=by,
        version=v,
        section=p["section"],
        heading=p.get("heading", ""),
        intro=p.get("intro", ""),
        search_interval_months=p.get("search_interval_months"),
    ),
    "delete_section": lambda a, by, v, p: editing.delete_section(a, by=by, version=v, section=p["section"]),
    "add_claim": lambda a, by, v, p: editing.add_claim(
        a,
        by=by,
        version=v,
        section=p["section"],
        parent=p.get("parent", ""),
        text=p.get("text", ""),
        plain_language=p.get("plain_language", ""),
    ),
    "update_claim": lambda a, by, v, p: editing.update_claim(
        a, by=by, version=v, claim=p["claim"], text=p.get("text", ""), plain_language=p.get("plain_language", "")
    ),
    "grade_claim": lambda a, by, v, p: editing.grade_claim(
        a,
        by=by,
        version=v,
        claim=p["claim"],
        certainty=p.get("certainty", ""),
        recommendation=p.get("recommendation", ""),
        good_practice=p.get("good_practice") == "on",
        evidence_searched_on=p.get("evidence_searched_on", ""),
        search_interval_months=p.get("search_interval_months", ""),
    ),
    "delete_claim": lambda a, by, v, p: editing.delete_claim(a, by=by, version=v, claim=p["claim"]),
    "move": lambda a, by, v, p: editing.move(
        a, by=by, version=v, kind=p.get("kind", ""), uuid=p["uuid"], direction=p.get("direction", "")
    ),
    "cite": lambda a, by, v, p: editing.cite(a, by=by, version=v, claim=p["claim"], reference=int(p["reference"])),
    "uncite": lambda a, by, v, p: editing.uncite(a, by=by, version=v, citation=int(p["citation"])),
    "answer_comment": lambda a, by, v, p: editing.answer_comment(
        a, by=by, review=int(p["review"]), text=p.get("text", "")
    ),
    "declare_interests": lambda a, by, v, p: evidence.declare_interests(
        a,
        by=by,
        role=Declaration.Role.AUTHOR,
        none=p.get("none") == "on",
        relationships={code: p.get(code, "") for code in Declaration.Category.values},
    ),
    "state_citing_reason": lambda a, by, v, p: evidence.state_citing_reason(
        Claim.objects.get(article=a, uuid=p["claim"]),
        reference=Reference.objects.get(uuid=p["reference"]),
        by=by,
        reason=p.get("reason", ""),
    ),
    # The restore must find the edit version the deletion left, whatever the page showed.
    "undo": lambda a, by, v, p: editing.undo_deletion(a, by=by, deletion=int(p["deletion"])),
}

SUCCESS = {
    "article": "Saved.",
    "answer": "Short answer saved.",
    "add_section": "Section added.",
    "update_section": "Section saved.",
    "delete_section": "Section deleted.",
    "add_claim": "Claim added.",
    "update_claim": "Claim saved.",
    "grade_claim": "Grade and evidence search saved.",
    "delete_claim": "Claim deleted.",
    "move": "Moved.",
    "cite": "Reference cited.",
    "uncite": "Citation removed.",
    "answer_comment": "Answer sent; the reviewer will see it with the claim.",
    "declare_interests": "Declared: the board and, once approved, readers see your declaration.",
    "state_citing_reason": "Reason saved: the reviewers see it with the claim.",
    "undo": lambda deletion: f"Undone: {deletion.description} is back.",
}


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    article = _article_for(request, pk)
    if request.method == "POST":
        return _apply(request, article)
    return _render_editor(request, article)


def _render_editor(request, article, *, status=200, conflict=None, forms=None):
    page = workspace(article)
    for reference in page.gathered:
        bound = (forms or {}).get(f"ref{reference.pk}")
        reference.form = bound or ReferenceForm(instance=reference, prefix=f"ref{reference.pk}")
        reference.anchor = f"reference-{reference.pk}"
    cite_claim = request.GET.get("cite", "")
    query = request.GET.get("q", "")
    editable = article.is_editable and permissions.can_edit_content(request.user, article)
    context = {
        "page": page,
        "article": article,
        "editable": editable,
        "topics": list(Topic.objects.all()) if editable else [],
        "undo": Deletion.objects.offered(article, request.user).first() if editable else None,
        "can_submit": permissions.can_perform("submit", request.user, article),
        "my_declaration": page.declarations.get(request.user.pk),
        "is_author": permissions.is_author_of(request.user, article),
        "declaration_categories": Declaration.Category.choices,
        "can_revise": article.state == Article.State.APPROVED
        and permissions.can_perform("revise", request.user, article),
        "cite_claim": cite_claim,
        "query": query,
        "found": list(search_library(query)) if cite_claim and query else [],
        "conflict": conflict,
        "reference_form": (forms or {}).get("reference") or ReferenceForm(),
        "paste_form": (forms or {}).get("paste") or PasteReferencesForm(prefix="paste"),
        "markdown_form": (forms or {}).get("markdown") or MarkdownForm(prefix="markdown"),
        "certainties": Claim.Certainty.choices,
        "recommendations": [
            (f"{strength}_{direction}", f"{strength.label} recommendation {direction.label.lower()}")
            for strength in Claim.Strength
            for direction in Claim.Direction
        ],
        "rereview_months": settings.VETTED_REREVIEW_INTERVAL_MONTHS,
    }
    return render(request, "writing/edit.html", context, status=status)


def _version(request) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


def _posted_id(request, name: str) -> int | None:
    """A posted primary key, or None when it is missing or not a whole number."""
    value = request.POST.get(name, "")
    return int(value) if value.isascii() and value.isdigit() else None


def _apply(request, article):
    action = request.POST.get("action", "")
    anchor = request.POST.get("anchor", "")
    back = reverse("writing:edit", args=[article.pk]) + (anchor if ANCHOR.fullmatch(anchor) else "")
    if action in ("add_reference", "update_reference", "paste_references", "import_markdown"):
        return _import(request, article, action, back)
    if action not in ACTIONS:
        messages.error(request, "That is not something the editor can do.")
        return redirect(back)
    try:
        result = ACTIONS[action](article, request.user, _version(request), request.POST)
    except editing.EditConflictError as error:
        kept = {
            key: value
            for key, value in request.POST.items()
            if key in ("text", "plain_language", "heading", "intro", "title", "headline") and value
        }
        messages.error(request, str(error))
        return _render_editor(request, article, status=409, conflict=kept)
    except (WorkflowError, PermissionDenied) as error:
        messages.error(request, getattr(error, "message", None) or str(error))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except (ObjectDoesNotExist, KeyError, ValueError):
        messages.error(request, "That part of the article no longer exists; the page has been reloaded.")
    else:
        success = SUCCESS[action]
        messages.success(request, success(result) if callable(success) else success)
    return redirect(back)


def _import(request, article, action, back):
    """Adding a reference, pasting references in bulk and importing Markdown: forms with reports."""
    version = _version(request)
    if action == "update_reference":
        reference = Reference.objects.filter(pk=_posted_id(request, "reference")).first()
        if reference is None:
            messages.error(request, "That reference no longer exists; the page has been reloaded.")
            return redirect(back)
        form = ReferenceForm(request.POST, instance=reference, prefix=f"ref{reference.pk}")
        if not form.is_valid():
            messages.error(request, "The reference was not saved: see the errors in its form.")
            return _render_editor(request, article, status=400, forms={f"ref{reference.pk}": form})
        try:
            editing.update_reference(article, by=request.user, version=version, reference=form.instance)
        except editing.EditConflictError as error:
            messages.error(request, str(error))
            return _render_editor(request, article, status=409, forms={f"ref{reference.pk}": form})
        except WorkflowError as error:
            messages.error(request, error.message)
            return redirect(back)
        messages.success(request, f"Saved “{reference.title}”.")
        return redirect(back)
    if action == "add_reference":
        form = ReferenceForm(request.POST)
        if not form.is_valid():
            messages.error(request, "The reference was not added: see the errors in its form.")
            return _render_editor(request, article, status=400, forms={"reference": form})
        try:
            editing.add_reference(article, by=request.user, version=version, reference=form.instance)
        except editing.EditConflictError as error:
            messages.error(request, str(error))
            return _render_editor(request, article, status=409, forms={"reference": form})
        messages.success(request, f"Added “{form.instance.title}” to this article's references.")
        return redirect(back)
    form_class, key = (PasteReferencesForm, "paste") if action == "paste_references" else (MarkdownForm, "markdown")
    form = form_class(request.POST, prefix=key)
    if not form.is_valid():
        return _render_editor(request, article, status=400, forms={key: form})
    try:
        with editing.editing(article, by=request.user, version=version) as locked:
            if action == "paste_references":
                report = import_references(form.cleaned_data["text"], form.cleaned_data["fmt"], by=request.user)
                locked.gathered_references.add(*report.created, *report.matched)
                summary = f"{len(report.created)} added, {len(report.matched)} already in the library"
            else:
                report = import_markdown(locked, form.cleaned_data["text"], by=request.user)
                locked.gathered_references.add(*report.created_references, *report.matched_references)
                summary = (
                    f"{report.created_sections} sections, {report.created_claims} claims and "
                    f"{report.created_citations} citations imported"
                )
    except editing.EditConflictError as error:
        messages.error(request, str(error))
        return _render_editor(request, article, status=409, forms={key: form})
    except (WorkflowError, ValidationError) as error:
        messages.error(request, getattr(error, "message", None) or "; ".join(error.messages))
        return redirect(back)
    messages.success(request, f"{summary}.")
    for problem in report.problems:
        messages.warning(request, problem.message)
    return redirect(back)


@login_required
@require_http_methods(["GET"])
def confirm_delete(request, pk: int):
    """Ask before deleting a section (``?section=``) or claim (``?claim=``), naming everything that goes with it.

    The page's form posts the deletion to the editor with the current edit version; Cancel is a
    link back to the part. The list is read as the deletion would take it, so it is what an undo restores.
    """
    article = _article_for(request, pk)
    back = reverse("writing:edit", args=[article.pk])
    if not (article.is_editable and permissions.can_edit_content(request.user, article)):
        messages.error(request, "This article is read-only now, so nothing in it can be deleted.")
        return redirect(back)
    kind = Deletion.Kind.SECTION if "section" in request.GET else Deletion.Kind.CLAIM
    uuid = request.GET.get(kind, "")
    try:
        snapshot = editing.deletion_preview(article, kind=kind, uuid=uuid)
    except (ObjectDoesNotExist, ValidationError):
        messages.error(request, "That part of the article no longer exists; the page has been reloaded.")
        return redirect(back)
    context = {
        "article": article,
        "kind": kind,
        "uuid": uuid,
        "description": describe(kind, snapshot),
        "sections": snapshot["sections"][1:],
        "claims": snapshot["claims"] if kind == Deletion.Kind.SECTION else snapshot["claims"][1:],
        "minutes": int(Deletion.UNDO_WINDOW.total_seconds() // 60),
    }
    return render(request, "writing/confirm_delete.html", context)


@login_required
@require_http_methods(["POST"])
def transition(request, pk: int, name: str):
    """Submit (when the checklist is clean) or start a revision, through the workflow's entry point."""
    article = _article_for(request, pk)
    if name not in TRANSITIONS or not TRANSITIONS[name].in_workspace:
        raise PermissionDenied
    if name == "submit":
        problems = workspace(article).checklist
        if problems:
            messages.error(
                request, f"Fix the {len(problems)} item{'s' if len(problems) != 1 else ''} on the checklist first."
            )
            return redirect("writing:edit", article.pk)
    try:
        perform_transition(article, name, by=request.user)
    except WorkflowError as error:
        messages.error(request, error.message)
        for problem in error.problems[:10]:
            messages.error(request, problem)
    else:
        messages.success(
            request,
            "Submitted: the Medical Advisory Board has been told."
            if name == "submit"
            else "Revision started: readers keep the approved version meanwhile.",
        )
    return redirect("writing:edit", article.pk)


@login_required
def preview(request, pk: int):
    """The draft exactly as the reader page would show it, marked as a preview."""
    article = _article_for(request, pk)
    page = workspace(article)
    draft = SimpleNamespace(
        pk=None,
        document={**page.document},
        reviewer_names="(not reviewed yet)",
        reviewers=[],
        approved_at=timezone.now(),
        timeline={},
    )
    audience = request.GET.get("audience", "")
    context = {
        **version_context(draft, audience=audience if audience in AUDIENCES else ""),
        "timeline": [],
        "preview": True,
        "document": page.document,
        "article": article,
        "preview_notice": "Preview of your draft: readers see nothing until the Medical Advisory Board approves it.",
    }
    return render(request, "articles/article_detail.html", context)
