"""HEAD is answered on every API endpoint as GET without its body."""

import pytest
from django.test import Client

from tests import workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> Client:
    return Client()


def test_head_gives_the_headers_of_get_without_the_body(api):
    article = workflow.approved()
    path = f"/api/v1/articles/{article.live_version.slug}"
    got, head = api.get(path), api.head(path)
    assert (head.status_code, head.content) == (200, b"")
    for header in ("ETag", "Last-Modified", "Cache-Control", "Content-Type", "xkey"):
        assert head[header] == got[header]
    assert head["Content-Length"] == str(len(got.content))


@pytest.mark.parametrize("path", ["/api/v1/articles", "/api/v1/topics", "/api/v1/search?q=answer"])
def test_head_answers_every_listing(api, path):
    workflow.approved()
    assert api.head(path).status_code == 200


def test_head_with_a_validator_is_a_304_and_a_missing_article_a_bodiless_problem(api):
    article = workflow.approved()
    path = f"/api/v1/articles/{article.live_version.slug}"
    assert api.head(path, HTTP_IF_NONE_MATCH=api.get(path)["ETag"]).status_code == 304
    missing = api.head("/api/v1/articles/never-published")
    assert (missing.status_code, missing["Content-Type"], missing.content) == (404, "application/problem+json", b"")


def test_head_does_not_open_other_methods(api):
    """HEAD is GET's twin only: writing methods stay refused."""
    assert api.post("/api/v1/articles").status_code == 405
