"""The reader site: only live approved versions, never a draft, a revision or a withdrawn article."""

import functools
import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from articles.document import with_citation_numbers
from articles.models import Article, DailyReads, Topic
from editorial.models import ArticleVersion
from editorial.schedule import rereview_due_on
from reader import search

AUDIENCES = {
    "patient": "Patient or carer",
    "professional": "Healthcare professional",
    "student": "Student",
}
AUDIENCE_COOKIE = "audience"
PAGE_CACHE_SECONDS = 60 * 60 * 24
IN_REVIEW = (Article.State.SUBMITTED, Article.State.UNDER_REVIEW)


def audience_of(request) -> str:
    """The reader's stated audience from their cookie, or "" when they have not said."""
    choice = request.COOKIES.get(AUDIENCE_COOKIE, "")
    return choice if choice in AUDIENCES else ""


def absolute(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def home(request):
    """Latest and most-read approved articles, topics and search; titles and topics as approved."""
    published = Article.objects.published().select_related("live_version")
    latest = [article.live_version for article in published.order_by("-live_version__approved_at")[:10]]
    since = timezone.localdate() - timedelta(days=30)
    most_read = [
        article.live_version
        for article in published.annotate(recent=Sum("reads__count", filter=Q(reads__day__gte=since)))
        .filter(recent__gt=0)
        .order_by("-recent", "live_version__document__title")[:5]
    ]
    topics = (
        Topic.objects.annotate(published=Count("versions", filter=Q(versions__in=ArticleVersion.objects.published())))
        .filter(published__gt=0)
        .order_by("name")
    )
    context = {"latest": latest, "most_read": most_read, "topics": topics, "canonical": absolute("/")}
    return render(request, "articles/home.html", context)


def topic_detail(request, slug: str):
    """The published articles whose live version is on this topic (a draft's new topic moves nothing)."""
    topic = get_object_or_404(Topic, slug=slug)
    articles = (
        Article.objects.published()
        .filter(live_version__topic=topic)
        .select_related("live_version")
        .order_by("-live_version__approved_at")
    )
    context = {
        "topic": topic,
        "versions": [article.live_version for article in articles],
        "canonical": absolute(reverse("reader:topic", args=[slug])),
    }
    return render(request, "articles/topic.html", context)


def search_view(request):
    """Search approved versions only; ranked full-text search on PostgreSQL, word matching elsewhere."""
    query = request.GET.get("q", "").strip()[:200]
    results = search.published_versions(query) if query else []
    return render(request, "articles/search.html", {"query": query, "results": results})


def article_detail(request, slug: str):
    """Serve the live approved version, rendered once per version and audience and then cached.

    ``slug`` is matched against live versions' slugs, never the article's own, which a draft may
    have changed; a slug an earlier version was live at redirects. Queries: the article with its
    live version, and the day's read count. The cache key holds the live version and whether a
    revision is in review, so a new approval, a withdrawal or a revision entering review can
    never be answered with a page rendered before it.
    """
    try:
        article = Article.objects.select_related("live_version").get(live_version__slug=slug)
    except Article.DoesNotExist:
        return _moved_permanently(slug)
    version = article.live_version
    if article.state == Article.State.WITHDRAWN:
        return render(request, "articles/withdrawn.html", {"title": version.document["title"]}, status=410)
    DailyReads.record(article.pk)
    audience = audience_of(request)
    in_review = article.state in IN_REVIEW
    # The hash and approval time guard against a version id reused by another database (a
    # development database rebuilt while Redis kept its cache).
    stamp = f"{version.pk}:{version.content_hash[:16]}:{int(version.approved_at.timestamp())}"
    key = f"article-page:{templates_version()}:{stamp}:{int(in_review)}:{audience or 'any'}"
    page = cache.get(key)
    if page is None:
        context = version_context(version, audience=audience, in_review=in_review)
        page = {
            "header": render_to_string("articles/_article_header.html", context),
            "content": render_to_string("articles/_article_content.html", context),
        }
        cache.set(key, page, PAGE_CACHE_SECONDS)
    url = absolute(article.get_absolute_url())
    context = {
        "article": article,
        "version": version,
        "document": version.document,
        # Rendered by our own templates above, with their escaping: safe to insert as is.
        "page": {part: mark_safe(html) for part, html in page.items()},  # noqa: S308
        "audience": audience,
        "audiences": AUDIENCES,
        "canonical": url,
        "json_ld": _json_ld(version, url),
    }
    return render(request, "articles/article_detail.html", context)


def _moved_permanently(slug: str):
    """301 from a slug an earlier version was approved at to the article's live slug; else 404.

    Queries: one, after the live slugs did not match. The newest version approved at ``slug``
    decides, and only while its article still has a live version (a withdrawn one's answers 410).
    """
    live_slug = (
        ArticleVersion.objects.filter(slug=slug, article__live_version__isnull=False)
        .order_by("-approved_at")
        .values_list("article__live_version__slug", flat=True)
        .first()
    )
    if live_slug is None:
        raise Http404("No article has been published at this address.")
    return redirect("reader:detail", slug=live_slug, permanent=True)


PAGE_TEMPLATES = (
    "articles/_article_header.html",
    "articles/_article_content.html",
    "articles/_section.html",
    "articles/_claims.html",
    "articles/_cite.html",
    "articles/_reference.html",
)


@functools.cache
def templates_version() -> str:
    """A digest of the article page's templates: a deployment that changes them starts a fresh cache."""
    sources = "".join(get_template(name).template.source for name in PAGE_TEMPLATES)
    return hashlib.sha256(sources.encode()).hexdigest()[:12]


def version_context(version, *, audience: str = "", in_review: bool = False) -> dict:
    """What the article templates need to show one approved version."""
    return {
        "version": version,
        "document": with_citation_numbers(version.document),
        "audience": audience,
        "in_review": in_review,
        "next_review": rereview_due_on(version.approved_at),
        "timeline": _timeline(version),
    }


def _timeline(version) -> list[dict]:
    """The review stepper: each step with the moment it happened, from the version's round."""
    moments = version.timeline or {}
    steps = [("Submitted", "submitted"), ("Under review", "review_started"), ("Approved", "approved")]
    return [
        {"label": label, "at": _parse(moments.get(key)) or (version.approved_at if key == "approved" else None)}
        for label, key in steps
    ]


def _parse(moment: str | None):
    return parse_datetime(moment) if moment else None


def _json_ld(version, url: str) -> str:
    """schema.org MedicalWebPage for search engines, escaped for a <script> element."""
    document = version.document
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": document["title"],
        "headline": document.get("headline") or document["title"],
        "url": url,
        "description": (document.get("summary") or {}).get("text", ""),
        "lastReviewed": version.approved_at.date().isoformat(),
        "dateModified": version.approved_at.isoformat(),
        "reviewedBy": [
            {"@type": "Person", "name": reviewer["name"], "jobTitle": reviewer.get("credentials", "")}
            for reviewer in version.reviewers
        ],
        "medicalAudience": [
            {"@type": "MedicalAudience", "audienceType": audience} for audience in ("Patient", "Clinician")
        ],
        "publisher": {"@type": "Organization", "name": "Vetted"},
        "citation": [_cited_work(reference) for reference in document["references"]],
    }
    if document.get("topic"):
        data["about"] = {"@type": "MedicalCondition", "name": document["topic"]["name"]}
    text = json.dumps(data, ensure_ascii=False)
    # As django.utils.html.json_script does: nothing in the data can close the <script> element.
    return text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")


def _cited_work(reference: dict) -> dict:
    work = {"@type": "CreativeWork", "name": reference["title"]}
    if reference.get("source"):
        work["publisher"] = reference["source"]
    if reference.get("year"):
        work["datePublished"] = str(reference["year"])
    if reference.get("doi"):
        work["url"] = f"https://doi.org/{reference['doi']}"
        work["identifier"] = f"doi:{reference['doi']}"
    elif reference.get("pmid"):
        work["url"] = f"https://pubmed.ncbi.nlm.nih.gov/{reference['pmid']}/"
        work["identifier"] = f"PMID:{reference['pmid']}"
    return work


@require_POST
def choose_audience(request):
    """Remember "Which best describes you?" in a cookie (no account, no JavaScript needed)."""
    choice = request.POST.get("audience", "")
    back = request.POST.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
        back = reverse("home")
    response = redirect(back)
    if choice in AUDIENCES:
        response.set_cookie(
            AUDIENCE_COOKIE, choice, max_age=60 * 60 * 24 * 365, samesite="Lax", secure=request.is_secure()
        )
    else:
        response.delete_cookie(AUDIENCE_COOKIE)
    return response


def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /account/",
        "Disallow: /search/",
        f"Sitemap: {absolute(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
