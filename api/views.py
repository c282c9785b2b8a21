"""The read API, /api/v1/: approved articles, topics, search and version history as JSON (django-ninja).

Every answer is built from live approved versions (`api.reads`) and sent as the reader's pages
are (`reader.http`): a strong ``ETag`` and ``Last-Modified``, 304 to a conditional GET that
holds them, ``Cache-Control`` for the shared cache and the pages' surrogate keys in ``xkey``, so
the workflow's purges (`editorial.purges`) drop API answers with the pages. A request carrying a
session cookie is answered privately, as the pages are. Errors are problem details
(`api.problems`); clients are rate-limited (`api.throttle`). The OpenAPI 3.1 document is at
``openapi.json`` and the interactive documentation at ``docs``.
"""

import functools
import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils import timezone
from ninja import NinjaAPI, Query, Schema
from ninja import Path as PathParam
from ninja.errors import Throttled, ValidationError
from ninja.openapi.docs import Swagger
from pydantic import AfterValidator, BeforeValidator, Field

from api import problems, reads, schemas
from api.problems import ProblemError, problem_response
from api.throttle import ClientRateThrottle
from articles.models import Article
from config.site import absolute
from integrity.selectors import kept_notices
from reader import search, surrogate
from reader.http import Shown, is_signed_in, with_cache_headers
from reader.live import IN_REVIEW, live_at
from reader.selectors import live_slug_after, topics_with_published_articles

# Parameters are one line of text: no control character (the site refuses them before any view:
# config.control_characters) and no line separator. Slugs as Django's SlugField allows them.
IN_LINE = r"[^\x00-\x1f\x7f-\x9f\u2028\u2029]"
SOME_WORDS = rf"^{IN_LINE}*[^\s\x00-\x1f\x7f-\x9f\u2028\u2029]{IN_LINE}*$"  # and at least one that is not a space
SLUG = r"^[-a-zA-Z0-9_]+$"
# A position in the order of `api.reads.ORDER`, so any cursor the pattern admits is one (the
# digits keep it within datetime's range and PostgreSQL's bigint): nothing to sign or refuse.
CURSOR = r"^[0-9]{1,16}-[0-9]{1,18}$"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DATE_AND_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")
SlugPath = Annotated[
    str,
    PathParam(
        max_length=120,
        pattern=SLUG,
        description="The article's address, as in `slug` (an earlier address answers 301).",
        examples=[schemas.EXAMPLE_SLUG],
    ),
]
JSON = "application/json"

DESCRIPTION = """
Vetted's approved answers as data: exactly what readers of the site may see — the live approved
version of each published article, never a draft, a revision in progress or a withdrawn
article's content.

**Caching.** Every successful answer carries a strong `ETag` (from the version's content hash)
and `Last-Modified`; send them back as `If-None-Match` / `If-Modified-Since` and an unchanged
answer is `304 Not Modified` without a body. Answers may be stored by shared caches
(`Cache-Control: public, s-maxage=…`) and are purged from Vetted's own when what they show changes.

**Errors** are RFC 9457 problem details (`application/problem+json`) whose `type` is a stable URI:
`/api/v1/problems/{name}` describes each one.

**Rate limit.** Each client address may send a fixed number of requests a minute; past it the
answer is `429` with `Retry-After`. **CORS** is open to every origin for GET.
"""

# Every operation can answer these: a refused character, an address longer than the server reads
# (gunicorn answers that itself, before Django), a refused parameter, the rate limit.
COMMON_ERRORS = {
    400: schemas.ProblemDetails,
    414: None,
    422: schemas.InvalidParameters,
    429: schemas.TooManyRequests,
}
# Headers every 200 and 304 carries, documented once in the OpenAPI document.
CACHE_HEADERS = {
    "ETag": {"description": "A strong validator: send it back as If-None-Match.", "schema": {"type": "string"}},
    "Cache-Control": {"description": "How long a shared cache may keep the answer.", "schema": {"type": "string"}},
}


class VettedApi(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """Ninja's document, with problems as ``application/problem+json`` and the caching headers."""
        schema = super().get_openapi_schema(**kwargs)
        for path in schema["paths"].values():
            for operation in path.values():
                for status, response in operation["responses"].items():
                    code = int(status)
                    if code >= 400 and "content" in response:
                        response["content"] = {problems.MEDIA_TYPE: response["content"][JSON]}
                    if code in (200, 304):
                        response["headers"] = CACHE_HEADERS
                    if code == 429:
                        response["headers"] = {
                            "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}
                        }
        return schema


api = VettedApi(
    title="Vetted read API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs=Swagger(settings={"persistAuthorization": False, "tryItOutEnabled": True}),
    throttle=[ClientRateThrottle()],
)


@api.exception_handler(ValidationError)
def invalid_parameters(request: HttpRequest, error: ValidationError) -> HttpResponse:
    errors = [
        {"loc": [str(part) for part in item.get("loc", ())], "msg": str(item.get("msg", "")), "type": item["type"]}
        for item in error.errors
    ]
    detail = "; ".join(f"{'.'.join(item['loc'])}: {item['msg']}" for item in errors)
    return problem_response(request, problems.INVALID_PARAMETERS, detail, errors=errors)


@api.exception_handler(Throttled)
def too_many_requests(request: HttpRequest, error: Throttled) -> HttpResponse:
    wait = getattr(request, "retry_after", 60)
    response = problem_response(
        request,
        problems.TOO_MANY_REQUESTS,
        f"This client sent more than its limit of requests this minute; try again in {wait} seconds.",
        retry_after=wait,
    )
    response["Retry-After"] = str(wait)
    return response


@api.exception_handler(Http404)
def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return problem_response(request, problems.NOT_FOUND, "Nothing is published at this address.")


def answered(view):
    """Answer ``view``'s `ProblemError` as a problem, then send its response as the reader's pages are sent.

    Nothing here reads the session: ``request.user`` is anonymous without a session cookie.
    """

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        signed_in = is_signed_in(request)
        if not signed_in:
            request.user = AnonymousUser()
        try:
            response = view(request, *args, **kwargs)
        except ProblemError as problem:
            response = problem.response(request)
            if problem.shown is not None:
                problem.shown.attach(response)
        return with_cache_headers(request, response, signed_in=signed_in)

    return wrapped


def json_answer(request: HttpRequest, shown: Shown, build) -> HttpResponse:
    """304 when the request holds ``shown``'s validators, else ``build()`` (a schema) as JSON."""
    return shown.answer(request, lambda: HttpResponse(build().model_dump_json(), content_type=JSON))


# Articles


def _date_and_time(value):
    """Refuse what pydantic would also take for a moment (a number of seconds, a date alone)."""
    if isinstance(value, str) and not DATE_AND_TIME.match(value):
        raise ValueError("Give a date and time in ISO 8601, e.g. 2026-11-01T00:00:00Z.")
    return value


def _in_utc(value: datetime | None) -> datetime | None:
    """The moment in UTC (UTC when no offset is given): PostgreSQL refuses offsets beyond ±15:59,
    which ISO 8601 allows, so the query never sees one."""
    if value is None:
        return None
    if timezone.is_naive(value):
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError as error:
        raise ValueError("That moment is out of range.") from error


class ArticleFilters(Schema):
    topic: str | None = Field(
        None,
        max_length=100,
        pattern=SLUG,
        description="Only articles on this topic (its slug).",
        examples=["neurology"],
    )
    updated_since: Annotated[datetime | None, BeforeValidator(_date_and_time), AfterValidator(_in_utc)] = Field(
        None,
        description="Only articles whose live version was approved at or after this moment (ISO 8601 date and "
        "time; UTC if no offset is given).",
        examples=["2026-11-01T00:00:00Z"],
    )
    cursor: str | None = Field(
        None,
        pattern=CURSOR,
        description="The previous page's `next_cursor`; none for the first page.",
        examples=["1795426200000000-42"],
    )
    limit: int = Field(20, ge=1, le=100, description="Articles per page.", examples=[20])


@api.get(
    "/articles",
    response={200: schemas.ArticlePage, 304: None, **COMMON_ERRORS},
    summary="Published articles, the most recently approved first",
    tags=["articles"],
)
@answered
def list_articles(request: HttpRequest, filters: Query[ArticleFilters]):
    """A page of published articles with cursor pagination, filtered by topic and approval time."""
    updated_since = filters.updated_since
    after = _cursor_position(filters.cursor) if filters.cursor else None
    rows = reads.published_page(topic=filters.topic, updated_since=updated_since, after=after, limit=filters.limit)
    rows, more = rows[: filters.limit], len(rows) > filters.limit
    next_cursor = _cursor_after(rows[-1]) if more else None
    shown = Shown.of(
        "api-articles",
        request.get_full_path(),
        [(row["live_version_id"], row["live_version__content_hash"], row["live_version__topic_id"]) for row in rows],
        keys=[
            surrogate.LISTINGS,
            *(surrogate.article_key(row["pk"]) for row in rows),
            *(surrogate.topic_key(row["live_version__topic_id"]) for row in rows if row["live_version__topic_id"]),
        ],
        last_modified=rows[0]["site_changed"] if rows else None,
    )

    def page() -> schemas.ArticlePage:
        query = {key: value for key, value in request.GET.items() if key != "cursor"}
        return schemas.ArticlePage(
            items=[reads.summary_of(row) for row in rows],
            next_cursor=next_cursor,
            next=absolute(f"{request.path}?{urlencode({**query, 'cursor': next_cursor})}") if next_cursor else None,
        )

    return json_answer(request, shown, page)


def _cursor_after(row: dict) -> str:
    """``<approval, microseconds since 1970>-<version id>``: where the next page starts."""
    since_epoch = (row["live_version__approved_at"] - EPOCH) // timedelta(microseconds=1)
    return f"{since_epoch}-{row['live_version_id']}"


def _cursor_position(cursor: str) -> tuple[datetime, int]:
    """The approval time and version id a cursor stands for; every cursor `CURSOR` admits is a position."""
    microseconds, version_id = cursor.split("-")
    return EPOCH + timedelta(microseconds=int(microseconds)), int(version_id)


ARTICLE_ERRORS = {
    301: None,
    404: schemas.ProblemDetails,
    410: schemas.Withdrawn,
}


@api.get(
    "/articles/{slug}",
    response={200: schemas.ArticleDetail, 304: None, **ARTICLE_ERRORS, **COMMON_ERRORS},
    summary="One article: its live approved version",
    tags=["articles"],
)
@answered
def article_detail(request: HttpRequest, slug: SlugPath):
    """The live approved version in full: sections, nested claims, plain-language text, citations
    numbered as on the page, references with their identifiers, the review and the content hash.

    An address an earlier version was approved at answers 301 to the live one; a withdrawn
    article answers 410 with the withdrawal date; anything never approved, 404.
    """
    # As the article page: the live version's identity (kept by this process, else one query),
    # then its JSON from the cache, built from the frozen document (one query) the first time.
    live = live_at(slug)
    if live is None:
        return _moved_or_missing(slug, "api:article_detail")
    article_id, version_id = live["pk"], live["live_version_id"]
    if live["state"] == Article.State.WITHDRAWN:
        raise _withdrawn(article_id)
    in_review = live["state"] in IN_REVIEW
    approved_at, content_hash = live["live_version__approved_at"], live["live_version__content_hash"]
    stamp = f"{version_id}:{content_hash[:16]}:{int(approved_at.timestamp())}:{int(in_review)}"
    answer = reads.cached_detail(f"api-article:{reads.detail_schema_digest()}:{stamp}", article_id, in_review=in_review)
    notices = kept_notices(live, answer["references"])
    shown = Shown.of(
        "api-article",
        reads.detail_schema_digest(),
        stamp,
        notices,
        live["live_version__topic_id"],
        keys=[
            *surrogate.article_page_keys(
                article_id, answer["references"], names_reviewers=bool(live["live_version__reviewers"])
            ),
            surrogate.topic_key(live["live_version__topic_id"]) if live["live_version__topic_id"] else "",
        ],
        # The approval, or a later workflow change: `update_under_review` comes and goes.
        last_modified=max(approved_at, live["updated_at"]),
    )
    return shown.answer(request, lambda: HttpResponse(reads.with_notices(answer["json"], notices), content_type=JSON))


@api.get(
    "/articles/{slug}/versions",
    response={200: schemas.History, 304: None, **ARTICLE_ERRORS, **COMMON_ERRORS},
    summary="An article's approved versions",
    tags=["articles"],
)
@answered
def article_versions(request: HttpRequest, slug: SlugPath):
    """Every approved version of a published article, the newest first: when, by whom, its review round."""
    rows = reads.versions_of(slug)
    if not rows:
        return _moved_or_missing(slug, "api:article_versions")
    article_id = rows[0]["article_id"]
    if rows[0]["article__state"] == Article.State.WITHDRAWN:
        raise _withdrawn(article_id)
    versions = [reads.version_of(row) for row in rows]
    live = next(version for version in versions if version["live"])
    shown = Shown.of(
        "api-versions",
        slug,
        [(version["version"], version["content_hash"]) for version in versions],
        keys=[surrogate.article_key(article_id)],
        last_modified=max(live["approved_at"], rows[0]["article__updated_at"]),
    )
    return json_answer(request, shown, lambda: schemas.History(slug=slug, versions=versions))


def _moved_or_missing(slug: str, view: str) -> HttpResponse:
    """301 to the live address when an earlier version was approved at ``slug``; else a 404 problem."""
    live_slug = live_slug_after(slug)
    if live_slug is None:
        raise ProblemError(problems.NOT_FOUND, "No article has been published at this address.")
    return HttpResponsePermanentRedirect(reverse(view, kwargs={"slug": live_slug}))


def _withdrawn(article_id: int) -> ProblemError:
    """The 410 for a withdrawn article, stored by the shared cache until a reinstatement purges it."""
    when = reads.withdrawn_at(article_id)
    problem = ProblemError(
        problems.GONE,
        "The editors withdrew this article; its content is no longer served.",
        withdrawn_at=when.isoformat() if when else None,
    )
    problem.shown = Shown.of("api-withdrawn", article_id, when, keys=[surrogate.article_key(article_id)])
    return problem


# Topics and search


@api.get(
    "/topics",
    response={200: schemas.Topics, 304: None, **COMMON_ERRORS},
    summary="Topics with published articles",
    tags=["topics"],
)
@answered
def list_topics(request: HttpRequest):
    """Every topic that published articles are on, by name, with how many."""
    topics = topics_with_published_articles()
    shown = Shown.of(
        "api-topics",
        [(topic.pk, topic.slug, topic.name, topic.description, topic.published) for topic in topics],
        keys=[surrogate.LISTINGS, *(surrogate.topic_key(topic.pk) for topic in topics)],
    )

    def answer() -> schemas.Topics:
        return schemas.Topics(
            topics=[
                schemas.Topic(
                    slug=topic.slug,
                    name=topic.name,
                    description=topic.description,
                    articles=topic.published,
                    url=absolute(reverse("reader:topic", args=[topic.slug])),
                )
                for topic in topics
            ]
        )

    return json_answer(request, shown, answer)


class SearchParameters(Schema):
    q: str = Field(
        min_length=1,
        max_length=200,
        pattern=SOME_WORDS,
        description="Words to search for in titles and text (PostgreSQL web-search syntax: quotes, `or`, `-`).",
        examples=["tremor"],
    )


@api.get(
    "/search",
    response={200: schemas.SearchResults, 304: None, **COMMON_ERRORS},
    summary="Search published articles",
    tags=["search"],
)
@answered
def search_articles(request: HttpRequest, parameters: Query[SearchParameters]):
    """The site's own search: live approved versions only, titles ranked above text."""
    query = parameters.q.strip()
    results = search.published_versions(query)
    shown = Shown.of(
        "api-search",
        query,
        [(result.version_id, result.excerpt) for result in results],
        keys=[surrogate.LISTINGS, *(surrogate.article_key(result.article_id) for result in results)],
        last_modified=results[0].site_changed if results else None,
    )

    def answer() -> schemas.SearchResults:
        return schemas.SearchResults(
            query=query,
            results=[
                schemas.SearchResult(
                    slug=result.slug,
                    title=result.title,
                    summary=result.summary,
                    topic=result.topic,
                    approved_at=result.approved_at,
                    excerpt_html=str(result.excerpt),
                    url=absolute(result.url),
                )
                for result in results
            ],
        )

    return json_answer(request, shown, answer)


# Problem types


ProblemName = Annotated[
    Literal[tuple(problems.TYPES)],
    PathParam(description="The problem type's name: the last part of its `type`.", examples=["not-found"]),
]


@api.get(
    "/problems/{name}",
    response={200: schemas.ProblemTypeSchema, 304: None, 404: schemas.ProblemDetails, **COMMON_ERRORS},
    summary="What an error type means",
    tags=["problems"],
)
@answered
def problem_type(request: HttpRequest, name: ProblemName):
    """The description of a problem ``type`` this API answers with."""
    kind = problems.TYPES[name]
    shown = Shown.of("api-problem", kind, keys=[])
    return json_answer(
        request,
        shown,
        lambda: schemas.ProblemTypeSchema(
            type=kind.uri, status=kind.status, title=kind.title, description=kind.description
        ),
    )
