"""What readers see of grades, living evidence and change: badges, dates, history and feeds."""

import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from articles.models import Article, Claim
from config.site import absolute
from editorial.services import perform_transition
from reader import surrogate
from reader.views import forget_recent_pages
from tests import workflow
from tests.factories import ReferenceFactory, TopicFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def reader() -> Client:
    return Client()


def as_audience(audience: str) -> Client:
    client = Client()
    client.cookies["audience"] = audience
    return client


def graded_article(**kwargs) -> Article:
    """An approved article whose first claim is a graded recommendation and second a good-practice statement."""
    article = workflow.ready_article(claims=2, **kwargs)
    first, second = Claim.objects.filter(article=article, section__isnull=False).order_by("position")
    Claim.objects.filter(pk=first.pk).update(
        certainty="low", strength="conditional", direction="for", evidence_searched_on=date(2025, 3, 4)
    )
    Claim.objects.filter(pk=second.pk).update(good_practice=True, evidence_searched_on=date(2025, 5, 6))
    return workflow.approved(article)


def revised(article: Article, *, note: str, text: str = "") -> Article:
    perform_transition(article, "revise", by=article.authors.first())
    if text:
        claim = Claim.objects.filter(article=article, section__isnull=False).order_by("position").first()
        Claim.objects.filter(pk=claim.pk).update(text=text)
    return workflow.approved(article, change_note=note)


# Badges and the key


def test_patients_see_each_grade_in_everyday_words_with_the_key_once():
    article = graded_article()
    html = as_audience("patient").get(article.get_absolute_url()).content.decode()
    assert html.count('<details class="grade grade-certainty-low">') == 1
    assert (
        '<summary><span class="visually-hidden">Evidence: </span>Conditional recommendation for · Low certainty' in html
    )
    assert "There is only limited research on this. New studies may well change it." in html
    assert "talk it over with your clinician" in html
    assert html.count('<details class="grade grade-good-practice">') == 1
    assert html.count('id="grade-key-heading"') == 1
    assert "How sure is this advice?" in html
    assert "substantially different from the estimate" not in html


@pytest.mark.parametrize("audience", ["professional", "student", ""])
def test_professionals_and_undeclared_readers_see_the_grade_definitions(audience):
    article = graded_article()
    html = as_audience(audience).get(article.get_absolute_url()).content.decode()
    assert "Our confidence is limited: the true effect may be substantially different from the estimate." in html
    assert "Certainty of evidence and strength of recommendations (GRADE)" in html
    assert html.count('id="grade-key-heading"') == 1
    assert "How sure is this advice?" not in html


def test_an_ungraded_article_shows_no_badge_and_no_key(reader):
    article = workflow.approved()
    html = reader.get(article.get_absolute_url()).content.decode()
    assert 'class="grade ' not in html
    assert "grade-key" not in html
    assert "Evidence last checked" not in html


def test_a_graded_page_costs_no_query_for_its_grades(reader, django_assert_num_queries):
    """Grades come from the frozen document: the state and version, the article with its document,
    and the notices on its references (integrity) — no query for the grades."""
    article = graded_article()
    reader.get(article.get_absolute_url())
    cache.clear()
    forget_recent_pages()
    with django_assert_num_queries(3):
        response = reader.get(article.get_absolute_url())
    assert "Low certainty" in response.content.decode()


# Dates and the change note in the trust block


def test_the_trust_block_shows_last_reviewed_evidence_checked_and_next_review(reader):
    article = graded_article()
    html = reader.get(article.get_absolute_url()).content.decode()
    trust = html[html.index('class="trust"') : html.index("</section>", html.index('class="trust"'))]
    assert "Last reviewed: <time" in trust
    assert 'Evidence last checked: <time datetime="2025-03-04">March 4, 2025</time>' in trust
    assert "Next review due: <time" in trust
    assert "Updated" not in trust  # a first version has no change note to show
    assert f'href="{reverse("reader:history", args=[article.slug])}"' in trust


def test_an_update_shows_its_date_and_note_under_the_trust_block(reader):
    article = revised(graded_article(), note="Dose advice clarified.")
    html = reader.get(article.get_absolute_url()).content.decode()
    approved = article.live_version.approved_at
    assert f'Updated <time datetime="{approved:%Y-%m-%d}' in html
    assert f"{approved:%B} {approved.day}, {approved.year}</time>: Dose advice clarified.</p>" in html


# The version history


def test_the_history_lists_every_approved_version_with_date_reviewers_and_note(reader):
    first_reviewer = workflow.reviewer(first_name="Maya", last_name="Okafor", credentials="MD")
    article = workflow.approved(workflow.ready_article(), by=first_reviewer)
    article = revised(article, note="Added the dose for children.")
    response = reader.get(reverse("reader:history", args=[article.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index('id="version-2"') < html.index('id="version-1"')
    assert "Added the dose for children." in html
    assert "First published version." in html
    assert "by Maya Okafor, MD" in html
    assert "as published" not in html  # old texts stay private by default
    assert reader.get(reverse("reader:version", args=[article.slug, 1])).status_code == 404
    assert surrogate.article_key(article.pk) in response["xkey"].split()


def test_the_history_is_read_in_two_queries(reader, django_assert_num_queries):
    article = revised(workflow.approved(), note="Updated.")
    # Queries: the article by its live slug with the live version; its versions without documents.
    with django_assert_num_queries(2):
        assert reader.get(reverse("reader:history", args=[article.slug])).status_code == 200


def test_old_texts_can_be_published_by_a_setting(reader, settings):
    settings.VETTED_PUBLISH_OLD_VERSIONS = True
    article = workflow.approved(workflow.ready_article())
    old_text = Claim.objects.filter(article=article, section__isnull=False).order_by("position").first().text
    article = revised(article, note="Reworded the first statement.", text="A reworded first statement.")
    history = reader.get(reverse("reader:history", args=[article.slug])).content.decode()
    url = reverse("reader:version", args=[article.slug, 1])
    assert f'href="{url}"' in history
    old = reader.get(url).content.decode()
    assert old_text in old
    assert "A reworded first statement." not in old
    assert "It has been replaced" in old
    assert reader.get(reverse("reader:version", args=[article.slug, 2])).status_code == 302
    assert reader.get(reverse("reader:version", args=[article.slug, 3])).status_code == 404
    assert reader.get(f"/articles/{article.slug}/versions/{10**30}/").status_code == 404


def test_a_withdrawn_articles_history_is_gone_and_an_old_slug_redirects(reader):
    article = workflow.approved(workflow.ready_article(title="Old question"))
    old_slug = article.slug
    perform_transition(article, "revise", by=article.authors.first())
    Article.objects.filter(pk=article.pk).update(slug="new-question")
    article = workflow.approved(Article.objects.get(pk=article.pk), change_note="Renamed.")
    moved = reader.get(reverse("reader:history", args=[old_slug]))
    assert (moved.status_code, moved["Location"]) == (301, reverse("reader:history", args=["new-question"]))
    workflow.withdrawn(article)
    assert reader.get(reverse("reader:history", args=["new-question"])).status_code == 404
    assert reader.get(reverse("reader:history", args=["no-such-article"])).status_code == 404


# The Atom feeds


def entries(response) -> list[dict]:
    root = ET.fromstring(response.content)
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "summary": entry.findtext(f"{ATOM}summary"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "id": entry.findtext(f"{ATOM}id"),
        }
        for entry in root.findall(f"{ATOM}entry")
    ]


def test_the_updates_feed_lists_new_and_updated_articles_with_their_notes(reader):
    topic = TopicFactory(name="Neurology")
    article = revised(graded_article(title="What helps tremor?", topic=topic), note="New trial added.")
    other = workflow.approved(workflow.ready_article(title="What helps cramps?"))
    response = reader.get("/feeds/updates/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    found = entries(response)
    assert [entry["title"] for entry in found] == [
        "New: What helps cramps?",
        "Updated: What helps tremor?",
        "New: What helps tremor?",
    ]
    assert found[1]["summary"] == "New trial added."
    assert found[1]["link"] == absolute(article.get_absolute_url())
    assert found[1]["id"] != found[2]["id"]
    assert {surrogate.LISTINGS, surrogate.article_key(article.pk), surrogate.article_key(other.pk)} <= set(
        response["xkey"].split()
    )

    topic_feed = reader.get(f"/topics/{topic.slug}/feed/")
    assert [entry["title"] for entry in entries(topic_feed)] == [
        "Updated: What helps tremor?",
        "New: What helps tremor?",
    ]
    assert surrogate.topic_key(topic.pk) in topic_feed["xkey"].split()
    assert reader.get("/topics/no-such-topic/feed/").status_code == 404


def test_a_withdrawn_article_leaves_the_feeds(reader):
    topic = TopicFactory()
    article = workflow.approved(workflow.ready_article(title="What helps tremor?", topic=topic))
    workflow.withdrawn(article)
    assert entries(reader.get("/feeds/updates/")) == []
    assert entries(reader.get(f"/topics/{topic.slug}/feed/")) == []


def test_the_feed_answers_if_none_match_and_is_read_in_one_query(reader, django_assert_num_queries):
    workflow.approved()
    etag = reader.get("/feeds/updates/")["ETag"]
    assert reader.get("/feeds/updates/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    # Queries: the latest approvals of published articles, with the site's last change.
    with django_assert_num_queries(1):
        reader.get("/feeds/updates/")


def test_pages_link_their_feeds(reader):
    topic = TopicFactory()
    article = workflow.approved(workflow.ready_article(topic=topic))
    feed = f'type="application/atom+xml" title="Vetted: {topic.name}" href="/topics/{topic.slug}/feed/"'
    assert 'href="/feeds/updates/"' in reader.get("/").content.decode()
    assert feed in reader.get(article.get_absolute_url()).content.decode()
    assert feed in reader.get(f"/topics/{topic.slug}/").content.decode()


# Never an unapproved word


def test_no_unapproved_word_reaches_any_reader_page_history_or_feed(reader, settings):
    """A marker word in a revision, drafted and then submitted, appears nowhere readers look."""
    settings.VETTED_PUBLISH_OLD_VERSIONS = True
    marker = "Zorblaxian"
    topic = TopicFactory()
    article = revised(workflow.approved(workflow.ready_article(topic=topic)), note="Second version.")
    perform_transition(article, "revise", by=article.authors.first())
    claim = Claim.objects.filter(article=article, section__isnull=False).first()
    claim.text = f"A {marker} statement."
    claim.certainty = "high"
    claim.save()
    cite(claim, ReferenceFactory(title=f"The {marker} trial"))

    def everything() -> str:
        urls = [
            article.get_absolute_url(),
            reverse("reader:history", args=[article.slug]),
            reverse("reader:version", args=[article.slug, 1]),
            "/feeds/updates/",
            f"/topics/{topic.slug}/feed/",
            f"/topics/{topic.slug}/",
            "/",
            "/search/?q=statement",
            "/sitemap.xml",
        ]
        pages = []
        for audience in ("patient", "professional", ""):
            for url in urls:
                response = as_audience(audience).get(url, follow=True)
                assert response.status_code == 200, url
                pages.append(response.content.decode())
        return "\n".join(pages)

    assert marker not in everything()
    workflow.submitted(article)
    assert marker not in everything()
    assert "High certainty" not in everything()


def cite(claim, reference):
    from tests.factories import cite as add_citation

    return add_citation(claim, reference)


def test_an_old_version_page_and_a_topic_feed_are_read_in_two_queries(reader, settings, django_assert_num_queries):
    settings.VETTED_PUBLISH_OLD_VERSIONS = True
    topic = TopicFactory()
    article = revised(workflow.approved(workflow.ready_article(topic=topic)), note="Updated.")
    # Queries: the article by its live slug with the live version; the old version.
    with django_assert_num_queries(2):
        assert reader.get(reverse("reader:version", args=[article.slug, 1])).status_code == 200
    # Queries: the topic; its latest approvals with the site's last change.
    with django_assert_num_queries(2):
        assert reader.get(f"/topics/{topic.slug}/feed/").status_code == 200
