"""An article's address and topic are part of what is approved: readers see them change only on approval."""

import importlib
import json
import re

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django.urls import reverse

from articles.models import Article
from editorial.exceptions import WorkflowError
from editorial.models import ArticleVersion
from editorial.services import perform_transition
from tests import workflow
from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db

OLD_URL = "/articles/restless-legs/"
NEW_URL = "/articles/restless-legs-syndrome/"
SITE = "http://127.0.0.1:8000"


@pytest.fixture
def reader() -> Client:
    return Client()


def live_article() -> Article:
    """Approved at /articles/restless-legs/ under Neurology."""
    article = workflow.ready_article(
        title="What helps restless legs?", slug="restless-legs", topic=TopicFactory(name="Neurology")
    )
    return workflow.approved(article)


def revised_with_new_address(article: Article) -> Article:
    """Start a revision and, in the draft, move the article to a new slug and topic (a plain save)."""
    perform_transition(article, "revise", by=article.authors.get())
    article.slug = "restless-legs-syndrome"
    article.topic = TopicFactory(name="Sleep medicine")
    article.save()
    return article


def json_ld(response) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S)
    return json.loads(match.group(1))


def topic_page(reader: Client, name: str) -> str:
    return reader.get(reverse("reader:topic", args=[TopicFactory(name=name).slug])).content.decode()


def home_topics(reader: Client) -> str:
    html = reader.get("/").content.decode()
    return html[html.index('id="topics-heading"') :]


# While the revision is a draft


def test_a_revision_changing_slug_and_topic_leaves_the_article_page_where_it_was(reader):
    """The live URL still answers, with its own canonical, Open Graph and JSON-LD address and topic."""
    article = revised_with_new_address(live_article())
    response = reader.get(OLD_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<link rel="canonical" href="{SITE}{OLD_URL}">' in html
    assert f'<meta property="og:url" content="{SITE}{OLD_URL}">' in html
    data = json_ld(response)
    assert data["url"] == f"{SITE}{OLD_URL}"
    assert data["about"]["name"] == "Neurology"
    assert reader.get(NEW_URL).status_code == 404
    assert article.get_absolute_url() == OLD_URL  # "View on site" and every link stay on the live address


def test_a_revision_changing_slug_and_topic_leaves_topics_home_search_and_sitemap_unchanged(reader):
    """Topic pages, the home page's topics, search results and the sitemap still show the live version."""
    revised_with_new_address(live_article())
    neurology = topic_page(reader, "Neurology")
    assert "What helps restless legs?" in neurology
    assert f'href="{OLD_URL}"' in neurology
    assert "What helps restless legs?" not in topic_page(reader, "Sleep medicine")
    topics = home_topics(reader)
    assert "Neurology" in topics
    assert "Sleep medicine" not in topics
    found = reader.get(reverse("reader:search"), {"q": "restless legs"}).content.decode()
    assert f'href="{OLD_URL}"' in found
    assert "Neurology ·" in found
    assert "restless-legs-syndrome" not in found
    assert "Sleep medicine" not in found
    sitemap = reader.get("/sitemap.xml").content.decode()
    assert f"{OLD_URL}</loc>" in sitemap
    assert "restless-legs-syndrome" not in sitemap


# Once the revision is approved


def test_approving_the_revision_moves_the_page_and_the_old_slug_answers_301(reader):
    """The new slug is live; the old one redirects to it permanently, without the query string."""
    article = workflow.approved(revised_with_new_address(live_article()))
    response = reader.get(NEW_URL)
    assert response.status_code == 200
    assert f'<link rel="canonical" href="{SITE}{NEW_URL}">' in response.content.decode()
    assert json_ld(response)["about"]["name"] == "Sleep medicine"
    moved = reader.get(OLD_URL, {"utm_source": "newsletter"})
    assert (moved.status_code, moved["Location"]) == (301, NEW_URL)
    assert article.get_absolute_url() == NEW_URL


def test_approving_the_revision_moves_the_article_between_topics_everywhere(reader):
    """Topic pages, the home page's topics, search and the sitemap follow the new live version."""
    workflow.approved(revised_with_new_address(live_article()))
    assert "What helps restless legs?" not in topic_page(reader, "Neurology")
    sleep = topic_page(reader, "Sleep medicine")
    assert "What helps restless legs?" in sleep
    assert f'href="{NEW_URL}"' in sleep
    topics = home_topics(reader)
    assert "Sleep medicine" in topics
    assert "Neurology" not in topics
    found = reader.get(reverse("reader:search"), {"q": "restless legs"}).content.decode()
    assert f'href="{NEW_URL}"' in found
    assert "Sleep medicine ·" in found
    sitemap = reader.get("/sitemap.xml").content.decode()
    assert f"{NEW_URL}</loc>" in sitemap
    assert OLD_URL not in sitemap


def test_an_old_slug_redirect_costs_two_queries(reader, django_assert_num_queries):
    """The live versions' slugs (no match), then the earlier versions' slugs with the live one."""
    workflow.approved(revised_with_new_address(live_article()))
    with django_assert_num_queries(2):
        assert reader.get(OLD_URL).status_code == 301


# Slugs that never went live


def test_a_slug_never_approved_is_not_found(reader):
    """A draft's own slug, a revision's new slug and an unknown slug all answer 404."""
    draft = workflow.ready_article(title="A question still in draft?", slug="still-in-draft")
    revised_with_new_address(live_article())
    for url in (draft.get_absolute_url(), NEW_URL, "/articles/no-such-article/"):
        assert reader.get(url).status_code == 404
    for url in ("/", reverse("reader:search") + "?q=restless", "/sitemap.xml"):
        html = reader.get(url).content.decode()
        assert "still-in-draft" not in html
        assert "restless-legs-syndrome" not in html


def test_a_withdrawn_article_answers_410_at_its_live_slug_and_its_old_slugs_redirect_there(reader):
    """Withdrawal keeps the 410 at the live address; earlier addresses lead to it, not to a 404."""
    article = workflow.approved(revised_with_new_address(live_article()))
    workflow.withdrawn(article)
    assert reader.get(NEW_URL).status_code == 410
    moved = reader.get(OLD_URL)
    assert (moved.status_code, moved["Location"]) == (301, NEW_URL)
    assert NEW_URL not in reader.get("/sitemap.xml").content.decode()


# Two articles and one address


def test_another_articles_live_slug_cannot_be_approved():
    """An article in a revision still owns its live slug: approving another article there is refused."""
    revised_with_new_address(live_article())
    newcomer = workflow.ready_article(title="Restless legs in pregnancy?", slug="restless-legs")
    with pytest.raises(WorkflowError) as refused:
        workflow.approved(newcomer)
    assert refused.value.code == "slug_taken"
    assert "“restless-legs” is the live address of another article" in refused.value.message
    assert Article.objects.get(pk=newcomer.pk).live_version is None


def test_an_earlier_slug_can_be_taken_by_another_article_which_then_answers_there(reader):
    """A slug an article has moved away from may be reused; the article live there wins over the redirect."""
    workflow.approved(revised_with_new_address(live_article()))
    newcomer = workflow.approved(workflow.ready_article(title="Restless legs in pregnancy?", slug="restless-legs"))
    response = reader.get(OLD_URL)
    assert response.status_code == 200
    assert "Restless legs in pregnancy?" in response.content.decode()
    assert newcomer.get_absolute_url() == OLD_URL
    assert reader.get(NEW_URL).status_code == 200


# Versions approved before slugs and topics were frozen into them


def test_backfill_takes_slug_and_topic_from_the_approved_document_not_the_draft():
    """Existing versions get the slug and topic they were approved with, even if a draft has moved on."""
    article = revised_with_new_address(live_article())
    migration = importlib.import_module("editorial.migrations.0009_version_slug_topic")
    apps = MigrationLoader(connection).project_state(("editorial", "0009_version_slug_topic")).apps
    apps.get_model("editorial", "ArticleVersion").objects.update(slug="", topic=None)  # as before the migration

    migration.freeze_slug_and_topic(apps, None)

    version = ArticleVersion.objects.get(article=article)
    assert (version.slug, version.topic.name) == ("restless-legs", "Neurology")


def test_the_feedback_forms_post_to_the_live_address_during_a_revision(reader):
    """A draft's new slug does not reach the live page's forms: they post to the approved address."""
    article = revised_with_new_address(live_article())
    page = reader.get(OLD_URL).content.decode()
    assert 'action="/articles/restless-legs/question/"' in page
    assert "restless-legs-syndrome" not in page
    text = "Does this apply to pregnancy as well?"
    from_the_page = {"HTTP_ORIGIN": "http://testserver"}
    assert reader.post(f"{OLD_URL}question/", {"text": text}, **from_the_page).status_code == 302
    assert article.reader_messages.get().text == text
    assert reader.post(f"{NEW_URL}question/", {"text": text}, **from_the_page).status_code == 404
