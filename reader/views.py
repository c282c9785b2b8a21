"""The reader site: only live approved versions, never a draft, a revision or a withdrawn article.

Every page is served through `reader.http.reader_page`: to anonymous readers with the shared
cache's headers, its validators and surrogate keys (`reader.surrogate`); to signed-in people
privately. A page view is counted in the cache (`reader.reads`), never written to the database.
"""

import base64
import functools
import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from articles.models import Article, Topic
from config.site import absolute
from editorial.models import ArticleVersion
from integrity.selectors import kept_notices
from reader import reads, search, surrogate
from reader.feedback import SENT
from reader.http import Shown, is_signed_in, reader_page, same_origin_post, templates_digest
from reader.live import IN_REVIEW, kept, live_at
from reader.presentation import AUDIENCES, json_ld, version_context
from reader.selectors import last_change, live_slug_after, topics_with_published_articles

AUDIENCE_COOKIE = "audience"
PAGE_CACHE_SECONDS = 60 * 60 * 24


def audience_of(request) -> str:
    """The reader's stated audience from their cookie, or "" when they have not said."""
    choice = request.COOKIES.get(AUDIENCE_COOKIE, "")
    return choice if choice in AUDIENCES else ""


@reader_page
def home(request):
    """Latest and most-read approved articles, topics and search; titles and topics as approved.

    Queries: the latest, the most read (last 30 days, folded counts), the topics with published articles.
    """
    published = Article.objects.published().select_related("live_version")
    latest = list(published.annotate(site_changed=last_change()).order_by("-live_version__approved_at")[:10])
    since = timezone.localdate() - timedelta(days=30)
    most_read = list(
        published.annotate(recent=Sum("reads__count", filter=Q(reads__day__gte=since)))
        .filter(recent__gt=0)
        .order_by("-recent", "live_version__document__title")[:5]
    )
    topics = topics_with_published_articles()
    shown = Shown.of(
        [article.live_version_id for article in latest],
        [article.live_version_id for article in most_read],
        [(topic.pk, topic.slug, topic.name, topic.published) for topic in topics],
        keys=[
            surrogate.LISTINGS,
            *(surrogate.article_key(article.pk) for article in [*latest, *most_read]),
            *(surrogate.topic_key(topic.pk) for topic in topics),
        ],
        last_modified=latest[0].site_changed if latest else None,
    )
    context = {
        "latest": [article.live_version for article in latest],
        "most_read": [article.live_version for article in most_read],
        "topics": topics,
        "canonical": absolute("/"),
    }
    return shown.answer(request, lambda: render(request, "articles/home.html", context))


@reader_page
def topic_detail(request, slug: str):
    """The published articles whose live version is on this topic (a draft's new topic moves nothing).

    Queries: the topic; its articles with their live versions.
    """
    topic = get_object_or_404(Topic, slug=slug)
    articles = list(
        Article.objects.published()
        .filter(live_version__topic=topic)
        .select_related("live_version")
        .annotate(site_changed=last_change())
        .order_by("-live_version__approved_at")
    )
    shown = Shown.of(
        topic.pk,
        topic.slug,
        topic.name,
        topic.description,
        [article.live_version_id for article in articles],
        keys=[surrogate.topic_key(topic.pk), surrogate.LISTINGS, *(surrogate.article_key(a.pk) for a in articles)],
        last_modified=articles[0].site_changed if articles else None,
    )
    context = {
        "topic": topic,
        "versions": [article.live_version for article in articles],
        "canonical": absolute(reverse("reader:topic", args=[slug])),
    }
    return shown.answer(request, lambda: render(request, "articles/topic.html", context))


@reader_page
def search_view(request):
    """Search approved versions only; ranked full-text search on PostgreSQL, word matching elsewhere."""
    query = request.GET.get("q", "").strip()[:200]
    results = search.published_versions(query) if query else []
    shown = Shown.of(
        query,
        [(result.version_id, result.excerpt) for result in results],
        keys=[surrogate.LISTINGS, *(surrogate.article_key(result.article_id) for result in results)],
        last_modified=results[0].site_changed if results else None,
    )
    context = {"query": query, "results": results}
    return shown.answer(request, lambda: render(request, "articles/search.html", context))


@reader_page
def article_detail(request, slug: str):
    """Serve the live approved version, rendered once per version and audience and then cached.

    ``slug`` is matched against live versions' slugs, never the article's own, which a draft may
    have changed; a slug an earlier version was live at redirects. Queries: the article's state
    and its live version's identity, and the notices on the sources it cites (`integrity`), unless
    this process kept them (`reader.live`: forgotten the moment a workflow change commits); and,
    only when the page cache does not hold the page yet, the article with its version's document,
    to render it. An anonymous reader's whole page is
    cached (nothing on it is personal: see `reader.http`), so a page served from the cache renders
    no template at all. The cache key holds the live version and whether a revision is in review,
    so a new approval, a withdrawal or a revision entering review can never be answered with an
    older page. Views are counted by the page's image (`count_read`), so the ones the shared
    cache serves count too.
    """
    live = live_at(slug)
    if live is None:
        return _moved_permanently(slug)
    article_id, version_id = live["pk"], live["live_version_id"]
    approved_at = live["live_version__approved_at"]
    loaded = functools.cache(lambda: _article_to_render(article_id))
    if live["state"] == Article.State.WITHDRAWN:
        title = ArticleVersion.objects.filter(pk=version_id).values_list("document__title", flat=True).get()
        gone = render(request, "articles/withdrawn.html", {"title": title}, status=410)
        shown = Shown.of("withdrawn", version_id, keys=[surrogate.article_key(article_id)])
        return shown.attach(gone)
    audience = audience_of(request)
    in_review = live["state"] in IN_REVIEW
    stamp = f"{version_id}:{live['live_version__content_hash'][:16]}:{int(approved_at.timestamp())}"
    key = f"article-page:{templates_digest()}:{stamp}:{int(in_review)}:{audience or 'any'}"
    page = _page(key, lambda: loaded().live_version, audience=audience, in_review=in_review)
    # Notices on cited sources arrive after the approval: read once with the live version's identity
    # and kept with it (a notice found or dismissed is a workflow change, which forgets what was kept),
    # and a page showing them is a page of its own, its key naming them exactly.
    notices = kept_notices(live, page["references"])
    if notices:
        key = f"{key}:notices-{hashlib.sha256(json.dumps(notices, sort_keys=True).encode()).hexdigest()[:16]}"
        page = _page(key, lambda: loaded().live_version, audience=audience, in_review=in_review, notices=notices)
    shown = Shown.of(
        notices,
        version_id,
        live["live_version__content_hash"],
        int(approved_at.timestamp()),
        int(in_review),
        audience or "any",
        keys=surrogate.article_page_keys(
            article_id, page["references"], names_reviewers=bool(live["live_version__reviewers"])
        ),
        # The approval, or a later workflow change: the "update under review" notice comes and goes.
        last_modified=max(approved_at, live["updated_at"]),
        audience=audience,
    )

    def context() -> dict:
        article = loaded()
        url = absolute(article.get_absolute_url())
        return {
            "article": article,
            "version": article.live_version,
            "document": article.live_version.document,
            # Rendered by our own templates, with their escaping: safe to insert as is.
            "page": {part: mark_safe(page[part]) for part in ("header", "content")},  # noqa: S308
            "audience": audience,
            "audiences": AUDIENCES,
            "audience_label": AUDIENCES.get(audience, ""),
            "canonical": url,
            "json_ld": json_ld(article.live_version, url),
        }

    if request.GET.get(SENT) or is_signed_in(request):
        # The thank-you after a message (see reader.feedback), or someone signed in: theirs alone.
        return render(request, "articles/article_detail.html", context())

    def whole_page() -> HttpResponse:
        if "html" not in page:
            page["html"] = render_to_string("articles/article_detail.html", context(), request=request)
            cache.set(key, page, PAGE_CACHE_SECONDS)
            _keep(key, page)
        return HttpResponse(page["html"])

    return shown.answer(request, whole_page)


def _article_to_render(article_id: int) -> Article:
    article = Article.objects.select_related("live_version").filter(pk=article_id).first()
    if article is None:  # deleted since its address was kept: no workflow change told us
        kept.forget()
        raise Http404("No article has been published at this address.")
    return article


def _page(key: str, version, *, audience: str, in_review: bool, notices: dict | None = None) -> dict:
    """The rendered header and content of a version and the uuids of the references it lists,
    cached (with, once an anonymous reader was served, the whole page as ``html``). ``version``:
    a function giving the version, called only to render. The key's content hash and approval
    time guard against a version id reused by another database (a development database rebuilt
    while Redis kept its cache).

    Each process keeps the pages it served last (`_recent_pages`) in front of the shared cache:
    the key names the content exactly, so a kept page is never out of date, and a page served
    from there costs no round trip to Redis.
    """
    page = _recent_pages.get(key) or cache.get(key)
    if page is None:
        live = version()
        context = version_context(live, audience=audience, in_review=in_review, notices=notices)
        page = {
            "header": render_to_string("articles/_article_header.html", context),
            "content": render_to_string("articles/_article_content.html", context),
            "references": [reference["uuid"] for reference in live.document["references"]],
        }
        cache.set(key, page, PAGE_CACHE_SECONDS)
    _keep(key, page)
    return page


RECENT_PAGES = 64
_recent_pages: dict[str, dict] = {}


def forget_recent_pages() -> None:
    """Empty this process's kept pages (tests do, with the cache, between tests)."""
    _recent_pages.clear()


def _keep(key: str, page: dict) -> None:
    """Remember ``page`` in this process, forgetting the page used longest ago beyond RECENT_PAGES."""
    _recent_pages.pop(key, None)
    _recent_pages[key] = page
    while len(_recent_pages) > RECENT_PAGES:
        _recent_pages.pop(next(iter(_recent_pages)))


# A transparent 1×1 GIF: the article page's view counter, fetched by every browser showing it.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@reader_page
@require_GET
def count_read(request, article_id: int):
    """Count one view of an article's page: the page's image, which is never cached, so a page the
    shared cache served (without reaching the app) is counted as well. Counted in the cache only
    (`reader.reads`); the fold drops counts of articles that do not exist. Private, never stored.
    """
    reads.count(article_id)
    return HttpResponse(PIXEL, content_type="image/gif")


def _moved_permanently(slug: str, *, to: str = "reader:detail"):
    """301 from a slug an earlier version was approved at to the article's live slug (its page
    ``to``); else 404.

    Queries: one, after the live slugs did not match. The newest version approved at ``slug``
    decides, and only while its article still has a live version (a withdrawn one's answers 410).
    """
    live_slug = live_slug_after(slug)
    if live_slug is None:
        raise Http404("No article has been published at this address.")
    return redirect(to, slug=live_slug, permanent=True)


@same_origin_post
@require_POST
def choose_audience(request):
    """Remember "Which best describes you?" in a cookie (no account, no JavaScript needed)."""
    choice = request.POST.get("audience", "")
    back = request.POST.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
        back = reverse("home")
    # Back to the choice, where the page now confirms it (a fragment: the cached page is the same).
    response = redirect(f"{back}#audience" if choice in AUDIENCES else back)
    if choice in AUDIENCES:
        response.set_cookie(
            AUDIENCE_COOKIE, choice, max_age=60 * 60 * 24 * 365, samesite="Lax", secure=request.is_secure()
        )
    else:
        response.delete_cookie(AUDIENCE_COOKIE)
    return response


@reader_page
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /account/",
        "Disallow: /search/",
        "Disallow: /reads/",
        f"Sitemap: {absolute(reverse('sitemap'))}",
    ]
    text = "\n".join(lines) + "\n"
    return Shown.of(text, keys=[]).answer(request, lambda: HttpResponse(text, content_type="text/plain"))


@reader_page
def article_history(request, slug: str):
    """Every approved version of a published article: its date, reviewers and change note.

    Old texts are linked only when ``VETTED_PUBLISH_OLD_VERSIONS`` is on. A slug an earlier
    version was live at redirects, as the article's page does. Queries: the article by its live
    slug; its versions (without their documents). A withdrawn article's history is gone with it.
    """
    article = Article.objects.select_related("live_version").filter(live_version__slug=slug).first()
    if article is None:
        return _moved_permanently(slug, to="reader:history")
    if article.state == Article.State.WITHDRAWN:
        raise Http404("This article has been withdrawn.")
    versions = list(ArticleVersion.objects.filter(article=article).defer("document", "search_text").order_by("-number"))
    publish_texts = settings.VETTED_PUBLISH_OLD_VERSIONS
    shown = Shown.of(
        [(version.pk, version.change_note, version.reviewer_names) for version in versions],
        article.live_version.document["title"],
        publish_texts,
        keys=[surrogate.article_key(article.pk), surrogate.PAGE_BOARD],
        last_modified=article.live_version.approved_at,
    )
    context = {
        "article": article,
        "document": article.live_version.document,
        "versions": versions,
        "publish_texts": publish_texts,
        "canonical": absolute(reverse("reader:history", args=[slug])),
    }
    return shown.answer(request, lambda: render(request, "articles/history.html", context))


@reader_page
def article_version(request, slug: str, number: int):
    """A superseded approved version's text, when ``VETTED_PUBLISH_OLD_VERSIONS`` allows it.

    Only approved versions exist to be shown; the live one is the article's page. Queries: the
    article by its live slug; the version.
    """
    if not settings.VETTED_PUBLISH_OLD_VERSIONS:
        raise Http404("Earlier versions' texts are not published.")
    article = get_object_or_404(Article.objects.published().select_related("live_version"), live_version__slug=slug)
    if number == article.live_version.number:
        return redirect("reader:detail", slug=slug)
    version = get_object_or_404(ArticleVersion, article=article, number=number)
    shown = Shown.of(
        version.pk,
        version.content_hash,
        article.live_version_id,
        keys=[
            surrogate.article_key(article.pk),
            *(surrogate.reference_key(reference["uuid"]) for reference in version.document["references"]),
        ],
        last_modified=article.live_version.approved_at,
    )
    context = {
        **version_context(version),
        "article": article,
        "current_url": reverse("reader:detail", args=[slug]),
        "canonical": absolute(reverse("reader:detail", args=[slug])),
    }
    return shown.answer(request, lambda: render(request, "articles/old_version.html", context))
