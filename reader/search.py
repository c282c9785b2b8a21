"""Search over what readers may see: the live approved versions of published articles.

On PostgreSQL, full-text search matches every word of the query (``@@``, answered from the GIN
index `version_search_gin`) and ranks title matches above headings and headings above text; on
SQLite (the no-setup default), every word must appear in the title, a heading or the text.
Either way only live versions are searched, so a draft, a revision or a withdrawn article can
never be found. An excerpt is the sentence of the article that matches best, shown whole.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Q
from django.db.models.fields.json import KeyTextTransform
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from articles.models import Article
from reader.selectors import last_change

LIMIT = 30
MAX_WORDS = 10
EXCERPT_WORDS = 45
# PostgreSQL marks the words it matched (stemmed: "treated" for "treatment") with these; the
# excerpt marks the same words in the best sentence, escaped before they become <mark> elements.
START, STOP = "\x02", "\x03"
CONFIG = "english"


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


def document_vector(path: str = "") -> SearchVector:
    """The weighted words of an approved version: title (A), headings (B), sentences (C).

    ``path`` leads from the queried model to the version ("live_version__"). The migration
    that creates `version_search_gin` indexes this same expression, so a match can use it.
    """
    return (
        SearchVector(KeyTextTransform("title", f"{path}document"), weight="A", config=CONFIG)
        + SearchVector(f"{path}search_headings", weight="B", config=CONFIG)
        + SearchVector(f"{path}search_text", weight="C", config=CONFIG)
    )


def published_versions(query: str) -> list[Result]:
    if connection.vendor == "postgresql":
        found = matching_query(query)
        return [_result(article, _marked_words(article.matched_words)) for article in found[:LIMIT]]
    words = _words(query)
    return [_result(article, words) for article in _simple(words)[:LIMIT]]


def _published():
    return Article.objects.published().select_related("live_version").annotate(site_changed=last_change())


def matching_query(query: str):
    """Published articles whose live version holds every word of ``query``, best first.

    The headline only shows which forms of the query's words matched; the excerpt is cut from
    the version's own sentences (`_excerpt`).
    """
    search = SearchQuery(query, search_type="websearch", config=CONFIG)
    return (
        _published()
        .annotate(
            words=document_vector("live_version__"),
            rank=SearchRank(F("words"), search),
            matched_words=SearchHeadline(
                "live_version__search_text",
                search,
                config=CONFIG,
                start_sel=START,
                stop_sel=STOP,
                highlight_all=False,
                max_fragments=5,
                fragment_delimiter=" ",
            ),
        )
        .filter(words=search)
        .order_by("-rank", "-live_version__approved_at")
    )


def _simple(words: list[str]):
    articles = _published()
    for word in words:
        articles = articles.filter(
            Q(live_version__document__title__icontains=word)
            | Q(live_version__search_headings__icontains=word)
            | Q(live_version__search_text__icontains=word)
        )
    return articles.order_by("-live_version__approved_at")


def _words(query: str) -> list[str]:
    return [word for word in query.split() if word][:MAX_WORDS]


def _marked_words(headline: str) -> list[str]:
    return re.findall(f"{START}(.*?){STOP}", headline or "")


def _result(article: Article, words: list[str]) -> Result:
    version = article.live_version
    document = version.document
    return Result(
        title=document["title"],
        slug=article.live_version.slug,
        url=article.get_absolute_url(),
        summary=(document.get("summary") or {}).get("text", ""),
        topic=(document.get("topic") or {}).get("name", ""),
        approved_at=version.approved_at,
        article_id=article.pk,
        version_id=version.pk,
        site_changed=article.site_changed,
        excerpt=_excerpt(version.search_text, words),
    )


def _excerpt(text: str, words: list[str]) -> str:
    """The sentence of ``text`` holding most of ``words``, whole (or its first EXCERPT_WORDS
    words), with those words marked; "" when none holds any (the title or a heading matched)."""
    if not words:
        return ""
    # A word as typed (SQLite matches it inside longer words) or as PostgreSQL marked it, to its end.
    alternatives = sorted({re.escape(word) for word in words}, key=len, reverse=True)
    pattern = re.compile(rf"\b(?:{'|'.join(alternatives)})\w*", re.I)
    best = max(text.splitlines(), key=lambda line: len({m.lower() for m in pattern.findall(line)}), default="")
    if not pattern.search(best):
        return ""
    shown = escape(Truncator(best).words(EXCERPT_WORDS, truncate="…"))
    return mark_safe(pattern.sub(lambda match: f"<mark>{match.group(0)}</mark>", shown))  # noqa: S308 - escaped above
