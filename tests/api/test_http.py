"""The API over HTTP as the pages are: validators, 304s, the shared cache and its purges, CORS,
problem details and the per-client rate limit."""

import pytest
from django.test import Client
from django.utils.http import http_date

from articles.models import Article
from editorial.models import PurgeRequest
from editorial.services import perform_transition
from reader import surrogate
from tests import workflow
from tests.api.conftest import problem
from tests.editorial.test_admin import logged_in
from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db

SHARED = "public, max-age=0, s-maxage=86400, stale-while-revalidate=30, stale-if-error=86400"
PRIVATE = "private, no-store"
ENDPOINTS = ("detail", "versions", "list", "topics", "search")


@pytest.fixture
def article() -> Article:
    return workflow.approved(workflow.ready_article(title="What helps muscle jerking?", topic=TopicFactory()))


def path_of(endpoint: str, article: Article) -> str:
    slug = article.live_version.slug
    return {
        "detail": f"/api/v1/articles/{slug}",
        "versions": f"/api/v1/articles/{slug}/versions",
        "list": "/api/v1/articles",
        "topics": "/api/v1/topics",
        "search": "/api/v1/search?q=jerking",
    }[endpoint]


def keys(response) -> set[str]:
    return set(response["xkey"].split())


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_endpoint_is_shareable_with_a_strong_etag_and_no_cookie(api, article, endpoint):
    response = api.get(path_of(endpoint, article))
    assert response.status_code == 200
    assert response["Cache-Control"] == SHARED
    assert response["ETag"].startswith('"')  # strong, not W/"…"
    assert response["ETag"].endswith('"')
    assert not response.cookies
    assert "cookie" not in response.get("Vary", "").lower()
    assert surrogate.SITE in keys(response)
    again = api.get(path_of(endpoint, article), HTTP_IF_NONE_MATCH=response["ETag"])
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", response["ETag"])


def test_detail_carries_the_pages_keys_and_last_modified(api, article):
    """The same keys as the article's page, so every purge of the page purges the API's answer too."""
    response = api.get(path_of("detail", article))
    page = Client().get(article.get_absolute_url())
    assert keys(page) <= keys(response)
    assert keys(response) - keys(page) == {surrogate.topic_key(article.live_version.topic_id)}
    assert response["Last-Modified"] == page["Last-Modified"]
    modified_since = api.get(path_of("detail", article), HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert modified_since.status_code == 304


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_what_a_workflow_change_purges_finds_every_answer_showing_the_article(api, article, endpoint):
    """Revision submitted (the notice), then approved: each purge names a key every affected answer carries."""
    carried = keys(api.get(path_of(endpoint, article)))
    PurgeRequest.objects.all().delete()
    perform_transition(article, "revise", by=article.authors.first())
    workflow.approved(article)
    purged = set()
    for purge in PurgeRequest.objects.all():
        purged |= set(purge.keys.split())
    assert carried & purged


def test_a_new_version_changes_the_etag_and_answers_the_old_one_in_full(api, article):
    before = api.get(path_of("detail", article))
    perform_transition(article, "revise", by=article.authors.first())
    workflow.submitted(article)
    during = api.get(path_of("detail", article), HTTP_IF_NONE_MATCH=before["ETag"])
    assert during.status_code == 200
    assert during.json()["update_under_review"] is True
    workflow.approved(Article.objects.get(pk=article.pk))
    after = api.get(path_of("detail", article), HTTP_IF_NONE_MATCH=during["ETag"])
    assert after.status_code == 200
    assert after.json()["version"] == 2


def test_the_withdrawal_is_shareable_under_the_articles_key_and_missing_is_private(api, article):
    perform_transition(article, "withdraw", by=workflow.editor(), comment="Superseded.")
    gone = api.get(path_of("detail", article))
    assert gone.status_code == 410
    assert gone["Cache-Control"] == SHARED
    assert surrogate.article_key(article.pk) in keys(gone)
    missing = api.get("/api/v1/articles/never-published")
    assert missing["Cache-Control"] == PRIVATE
    assert "xkey" not in missing


def test_signed_in_requests_are_answered_privately(article):
    editor = logged_in(workflow.editor())
    response = editor.get(path_of("detail", article))
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE
    for header in ("ETag", "Last-Modified", "xkey"):
        assert header not in response


def test_cors_is_open_for_get_on_the_api_only(api, article):
    origin = {"HTTP_ORIGIN": "https://partner.example"}
    response = api.get(path_of("detail", article), **origin)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = api.options(
        path_of("list", article),
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
        **origin,
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    assert "if-none-match" in preflight["Access-Control-Allow-Headers"]
    page = api.get(article.get_absolute_url(), **origin)
    assert "Access-Control-Allow-Origin" not in page


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_a_405_problem_with_allow(api, article, method):
    response = getattr(api, method)(path_of("detail", article))
    problem(response, 405, "method-not-allowed")
    assert response["Allow"] == "GET"


def test_unknown_addresses_under_the_api_are_404_problems(api):
    problem(api.get("/api/v1/nothing-here"), 404, "not-found")
    problem(api.get("/api/v2/articles"), 404, "not-found")


def test_a_server_error_is_a_500_problem(article, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("api.reads.detail_of", broken)
    response = Client(raise_request_exception=False).get(path_of("detail", article))
    body = problem(response, 500, "server-error")
    assert "a bug" not in str(body)
    assert response["Cache-Control"] == PRIVATE


def test_each_client_is_limited_per_minute_with_retry_after(api, article, settings):
    settings.VETTED_API_REQUESTS_PER_MINUTE = 3
    for _ in range(3):
        assert api.get(path_of("topics", article)).status_code == 200
    refused = api.get(path_of("detail", article))
    body = problem(refused, 429, "too-many-requests")
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert body["retry_after"] == int(refused["Retry-After"])
    assert refused["Cache-Control"] == PRIVATE
    other_client = Client(REMOTE_ADDR="192.0.2.7")
    assert other_client.get(path_of("detail", article)).status_code == 200


def test_the_limit_counts_the_client_behind_a_trusted_proxy(api, article, settings):
    settings.VETTED_API_REQUESTS_PER_MINUTE = 1
    settings.VETTED_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    assert api.get(path_of("topics", article), HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200
    assert api.get(path_of("topics", article), HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200
    assert api.get(path_of("topics", article), HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429


def test_a_limit_of_zero_limits_nothing(api, article, settings):
    settings.VETTED_API_REQUESTS_PER_MINUTE = 0
    assert all(api.get(path_of("topics", article)).status_code == 200 for _ in range(5))


def test_the_last_modified_of_a_listing_moves_with_a_withdrawal(api, article):
    before = api.get(path_of("list", article))
    other = workflow.approved()
    perform_transition(other, "withdraw", by=workflow.editor(), comment="Superseded.")
    after = api.get(path_of("list", article))
    assert after["Last-Modified"] == http_date(Article.objects.get(pk=other.pk).updated_at.timestamp())
    assert after["ETag"] == before["ETag"]  # the same articles listed: only the time moved
