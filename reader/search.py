"""Search over what readers may see: the live approved versions of published articles.

On PostgreSQL, full-text search ranks titles above body text; on SQLite (the no-setup
default), every word must appear in the title or the text. Either way only live versions are
searched, so a draft, a revision or a withdrawn article can never be found.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q
from django.db.models.fields.json import KeyTextTransform
from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.models import Article
from reader.selectors import last_change

LIMIT = 30
# PostgreSQL marks the matched words with these; the text around them is escaped before they
# become <mark> elements, so an article's words can never inject markup into the results.
START, STOP = "\x02", "\x03"


@dataclass(frozen=True)
class Result:
    title: str
    slug: str
    url: str
    summary: str
    topic: str
    approved_at: datetime
    article_id: int
    version_id: int
    site_changed: datetime | None  # `last_change`, for the page's Last-Modified
    excerpt: str = ""


def published_versions(query: str) -> list[Result]:
    articles = Article.objects.published().select_related("live_version").annotate(site_changed=last_change())
    found = _postgres(articles, query) if connection.vendor == "postgresql" else _simple(articles, query)
    return [_result(article) for article in found[:LIMIT]]


def _postgres(articles, query: str):
    search = SearchQuery(query, search_type="websearch", config="english")
    title = KeyTextTransform("title", "live_version__document")
    vector = SearchVector(title, weight="A", config="english") + SearchVector(
        "live_version__search_text", weight="B", config="english"
    )
    return (
        articles.annotate(
            rank=SearchRank(vector, search),
            excerpt=SearchHeadline(
                "live_version__search_text",
                search,
                config="english",
                start_sel=START,
                stop_sel=STOP,
                max_words=30,
                min_words=12,
            ),
        )
        .filter(rank__gt=0.0)
        .order_by("-rank", "-live_version__approved_at")
    )


def _simple(articles, query: str):
    words = [word for word in query.split() if word][:10]
    for word in words:
        articles = articles.filter(
            Q(live_version__document__title__icontains=word) | Q(live_version__search_text__icontains=word)
        )
    return articles.order_by("-live_version__approved_at")


def _result(article: Article) -> Result:
    document = article.live_version.document
    return Result(
        title=document["title"],
        slug=article.live_version.slug,
        url=article.get_absolute_url(),
        summary=(document.get("summary") or {}).get("text", ""),
        topic=(document.get("topic") or {}).get("name", ""),
        approved_at=article.live_version.approved_at,
        article_id=article.pk,
        version_id=article.live_version_id,
        site_changed=article.site_changed,
        excerpt=_highlight(getattr(article, "excerpt", "")),
    )


def _highlight(excerpt: str) -> str:
    escaped = escape(excerpt)
    return mark_safe(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S308 - escaped above
