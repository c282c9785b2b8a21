"""The API's reads: live approved versions only, each screen in a fixed number of queries.

Everything here starts from `Article.objects.published()` or an article's live version, as the
reader site does, so a draft, a revision in progress or a withdrawn article's content can never
be read. Articles are shaped from the frozen document (`editorial.ArticleVersion.document`)
with the page's own numbering (`articles.document.with_citation_numbers` and `walk`).
"""

import functools
import hashlib
import json
from datetime import datetime

from django.core.cache import cache
from django.db.models import Q
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from api import schemas
from articles.document import walk, with_citation_numbers
from articles.evidence import last_checked
from articles.grading import badge
from articles.models import Article
from config.site import absolute
from editorial.models import ArticleVersion, TransitionLog
from editorial.schedule import rereview_due_on
from reader.selectors import last_change

CACHE_SECONDS = 60 * 60 * 24
# A page of articles: the most recently approved first, then by version, the cursor's order.
ORDER = ("-live_version__approved_at", "-live_version_id")


def published_page(
    *, topic: str | None, updated_since: datetime | None, after: tuple[datetime, int] | None, limit: int
) -> list[dict]:
    """Up to ``limit`` + 1 published articles as plain values (the extra one says a next page exists).

    ``after``: the approval time and version id of the previous page's last article. One query.
    """
    articles = Article.objects.published()
    if topic:
        articles = articles.filter(live_version__topic__slug=topic)
    if updated_since:
        articles = articles.filter(live_version__approved_at__gte=updated_since)
    if after:
        approved_at, version_id = after
        articles = articles.filter(
            Q(live_version__approved_at__lt=approved_at)
            | Q(live_version__approved_at=approved_at, live_version_id__lt=version_id)
        )
    return list(
        articles.annotate(site_changed=last_change())
        .order_by(*ORDER)
        .values(
            "pk",
            "site_changed",
            "live_version_id",
            "live_version__number",
            "live_version__slug",
            "live_version__approved_at",
            "live_version__content_hash",
            "live_version__topic_id",
            "live_version__topic__slug",
            "live_version__topic__name",
            live_title=KeyTextTransform("title", "live_version__document"),
            live_headline=KeyTextTransform("headline", "live_version__document"),
            live_summary=KeyTextTransform("text", KeyTransform("summary", "live_version__document")),
        )[: limit + 1]
    )


def summary_of(row: dict) -> dict:
    """One `published_page` row as an `api.schemas.ArticleSummary`."""
    slug = row["live_version__slug"]
    return {
        "slug": slug,
        "title": row["live_title"] or "",
        "headline": row["live_headline"] or "",
        "summary": row["live_summary"] or "",
        "topic": _topic(row["live_version__topic__slug"], row["live_version__topic__name"]),
        "version": row["live_version__number"],
        "approved_at": row["live_version__approved_at"],
        "content_hash": row["live_version__content_hash"],
        "url": _page_url(slug),
    }


def with_notices(answer: str, notices: dict[str, list[dict]]) -> str:
    """The detail's JSON with each reference's notices (`integrity.selectors.kept_notices`): they
    arrive after approval, so they are added to the cached answer, never cached in it."""
    if not notices:
        return answer
    detail = json.loads(answer)
    for reference in detail["references"]:
        reference["notices"] = [
            {key: notice[key] for key in ("nature", "nature_label", "date", "reasons", "url")}
            for notice in notices.get(reference["uuid"], [])
        ]
    return json.dumps(detail, separators=(",", ":"), ensure_ascii=False)


def cached_detail(key: str, article_id: int, *, in_review: bool) -> dict:
    """The live version's `api.schemas.ArticleDetail` as JSON, with the uuids of its references,
    from the cache under ``key`` or built and cached (one query).

    ``key`` names the version exactly (its id, content hash, approval time and whether a revision
    is in review) and the schema's digest, so a cached answer is never out of date.
    """
    answer = cache.get(key)
    if answer is None:
        article = Article.objects.select_related("live_version__topic").get(pk=article_id)
        detail = schemas.ArticleDetail.model_validate(detail_of(article, in_review=in_review))
        references = [reference["uuid"] for reference in article.live_version.document["references"]]
        answer = {"json": detail.model_dump_json(), "references": references}
        cache.set(key, answer, CACHE_SECONDS)
    return answer


@functools.cache
def detail_schema_digest() -> str:
    """A digest of the article schema, read once per process: a deployment that changes it changes
    the cache keys and ETags of every article's answer."""
    schema = json.dumps(schemas.ArticleDetail.model_json_schema(), sort_keys=True)
    return hashlib.sha256(schema.encode()).hexdigest()[:12]


def withdrawn_at(article_id: int) -> datetime | None:
    """When the article was last withdrawn; one query."""
    return (
        TransitionLog.objects.filter(article_id=article_id, transition="withdraw")
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )


def detail_of(article: Article, *, in_review: bool) -> dict:
    """The live version as an `api.schemas.ArticleDetail`, numbered as the page numbers it."""
    version = article.live_version
    document = with_citation_numbers(version.document)
    numbers = {place.node["uuid"]: place.number or None for place in walk(document) if place.is_claim}

    def claim(node: dict) -> dict:
        return {
            "uuid": node["uuid"],
            "number": numbers[node["uuid"]],
            "text": node["text"],
            "plain_language": node["plain_language"],
            "citations": node["numbers"],
            "grade": grade_of(node.get("grade")),
            "evidence_searched_on": node.get("evidence_searched_on"),
            "children": [claim(child) for child in node["children"]],
        }

    def section(node: dict) -> dict:
        return {
            "uuid": node["uuid"],
            "heading": node["heading"],
            "intro": node.get("intro", ""),
            "claims": [claim(child) for child in node["claims"]],
            "children": [section(child) for child in node["children"]],
        }

    summary = document.get("summary")
    topic = version.topic
    return {
        "slug": version.slug,
        "title": document["title"],
        "headline": document.get("headline") or "",
        "summary": (summary or {}).get("text", ""),
        "topic": _topic(topic.slug, topic.name) if topic else None,
        "version": version.number,
        "approved_at": version.approved_at,
        "content_hash": version.content_hash,
        "url": _page_url(version.slug),
        "update_under_review": in_review,
        "reviewers": reviewers_of(version.reviewers),
        "authors": document.get("authors", []),
        "timeline": timeline_of(version.timeline, version.approved_at),
        "change_note": version.change_note,
        "evidence_last_checked": last_checked(document),
        "next_review_due": rereview_due_on(version.approved_at),
        "short_answer": claim(summary) if summary else None,
        "sections": [section(node) for node in document["sections"]],
        "references": [{"first_cited_by": None, **reference, "notices": []} for reference in document["references"]],
    }


def versions_of(slug: str) -> list[dict]:
    """Every approved version of the article live at ``slug``, the newest first, without their
    documents; each row also names the article's state and live version. One query."""
    return list(
        ArticleVersion.objects.filter(article__live_version__slug=slug)
        .order_by("-number")
        .values(
            "number",
            "slug",
            "approved_at",
            "reviewers",
            "timeline",
            "change_note",
            "content_hash",
            "pk",
            "article_id",
            "article__state",
            "article__updated_at",
            "article__live_version_id",
        )
    )


def version_of(row: dict) -> dict:
    """One `versions_of` row as an `api.schemas.Version`."""
    return {
        "version": row["number"],
        "live": row["pk"] == row["article__live_version_id"],
        "slug": row["slug"],
        "approved_at": row["approved_at"],
        "reviewers": reviewers_of(row["reviewers"]),
        "timeline": timeline_of(row["timeline"], row["approved_at"]),
        "change_note": row["change_note"],
        "content_hash": row["content_hash"],
    }


def grade_of(grade: dict | None) -> dict | None:
    """A frozen grade (`articles.grading.grade_of`) as an `api.schemas.Grade`, with the page's words."""
    if not grade:
        return None
    shown = badge(grade, "professional")
    return {
        "certainty": grade.get("certainty") or None,
        "strength": grade.get("strength") or None,
        "direction": grade.get("direction") or None,
        "good_practice": bool(grade.get("good_practice")),
        "label": shown.label,
        "meaning": shown.meaning,
    }


def reviewers_of(credits: list[dict]) -> list[dict]:
    """A version's credits (`editorial.credits`) as `api.schemas.Reviewer`s, profile links absolute."""
    return [
        {
            "name": credit["name"],
            "credentials": credit.get("credentials", ""),
            "profile_url": absolute(credit["profile"]) if credit.get("profile") else None,
            "claims_checked": credit.get("claims_checked"),
            "claims_total": credit.get("claims_total"),
            "last_checked": credit.get("last_checked"),
            "declaration": credit.get("declaration"),
            "approved": credit.get("approved"),
        }
        for credit in credits
    ]


def timeline_of(moments: dict | None, approved_at: datetime) -> dict:
    """A version's review round (its ``timeline``: ISO 8601 strings), as the page's stepper shows it."""
    moments = moments or {}

    def moment(key: str) -> datetime | None:
        return parse_datetime(moments[key]) if moments.get(key) else None

    return {
        "submitted_at": moment("submitted"),
        "review_started_at": moment("review_started"),
        "approved_at": moment("approved") or approved_at,
    }


def _topic(slug: str | None, name: str | None) -> dict | None:
    return {"slug": slug, "name": name} if slug else None


def _page_url(slug: str) -> str:
    return absolute(reverse("reader:detail", kwargs={"slug": slug}))
