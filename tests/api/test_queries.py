"""Query budgets per endpoint, exact and the same however many articles, claims or versions there are."""

import pytest
from django.test import Client

from editorial.services import perform_transition
from tests import workflow
from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> Client:
    return Client()


@pytest.mark.parametrize("claims", [2, 40])
def test_detail_is_two_queries_then_one_however_many_claims(api, django_assert_num_queries, claims):
    article = workflow.approved(workflow.ready_article(claims=claims))
    path = f"/api/v1/articles/{article.live_version.slug}"
    # The live version's identity at the slug; the article with its document, to build the answer;
    # the notices on its sources (integrity.selectors.kept_notices).
    with django_assert_num_queries(3):
        body = api.get(path).json()
    assert len(body["sections"][0]["claims"]) == claims
    # The identity and the notices: the answer comes from the cache (and in production, both from
    # what the process kept, reader.live, which the test's transaction never trusts).
    with django_assert_num_queries(2):
        assert api.get(path).json() == body


@pytest.mark.parametrize("articles", [2, 12])
def test_a_page_of_articles_is_one_query_however_many_it_lists(api, django_assert_num_queries, articles):
    topic = TopicFactory(slug="neurology")
    for _ in range(articles):
        workflow.approved(workflow.ready_article(topic=topic))
    # The page: published articles with their live versions' fields, topics and the site's last change.
    with django_assert_num_queries(1):
        assert len(api.get("/api/v1/articles?limit=50&topic=neurology").json()["items"]) == articles
    with django_assert_num_queries(1):
        page = api.get("/api/v1/articles?limit=1").json()
    with django_assert_num_queries(1):
        api.get(page["next"].removeprefix("http://127.0.0.1:8000"))


@pytest.mark.parametrize("versions", [1, 4])
def test_history_is_one_query_however_many_versions(api, django_assert_num_queries, versions):
    article = workflow.approved()
    for _ in range(versions - 1):
        perform_transition(article, "revise", by=article.authors.first())
        article = workflow.approved(article)
    # Every version of the article live at the slug, without their documents, with the article's state.
    with django_assert_num_queries(1):
        assert len(api.get(f"/api/v1/articles/{article.live_version.slug}/versions").json()["versions"]) == versions


@pytest.mark.parametrize("articles", [1, 6])
def test_topics_and_search_are_one_query_each(api, django_assert_num_queries, articles):
    for number in range(articles):
        workflow.approved(workflow.ready_article(title=f"Tremor question {number}?", topic=TopicFactory()))
    # Topics with their counts of published articles.
    with django_assert_num_queries(1):
        assert len(api.get("/api/v1/topics").json()["topics"]) == articles
    # The readers' search: ranked live versions with their excerpts.
    with django_assert_num_queries(1):
        assert len(api.get("/api/v1/search?q=tremor").json()["results"]) == articles


def test_withdrawn_and_moved_cost_one_query_more(api, django_assert_num_queries):
    slug = workflow.withdrawn().live_version.slug
    # The article at the slug; when it was withdrawn.
    with django_assert_num_queries(2):
        assert api.get(f"/api/v1/articles/{slug}").status_code == 410
    # No article live at the slug; no earlier version approved there either.
    with django_assert_num_queries(2):
        assert api.get("/api/v1/articles/never-published").status_code == 404


def test_a_304_costs_the_same_query_and_no_rendering(api, django_assert_num_queries):
    article = workflow.approved()
    etag = api.get(f"/api/v1/articles/{article.live_version.slug}")["ETag"]
    # The article's live version and the notices on its sources decide the validators.
    with django_assert_num_queries(2):
        response = api.get(f"/api/v1/articles/{article.live_version.slug}", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
