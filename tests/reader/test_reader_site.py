"""The reader site: trust block, audience, structured data, search, sitemap and the page cache."""

import json
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Claim, DailyReads
from editorial.services import perform_transition
from reader.tasks import fold_reads
from tests import workflow
from tests.factories import ClaimFactory, ReferenceFactory, SectionFactory, cite

pytestmark = pytest.mark.django_db


# The audience form posts from the article page, whose origin browsers send with it.
OWN_ORIGIN = {"HTTP_ORIGIN": "http://testserver"}


@pytest.fixture
def reader() -> Client:
    return Client()


def approved_with_plain_language(*, doi: str = "10.1000/myo.1", **kwargs) -> Article:
    article = workflow.ready_article(claims=0, **kwargs)
    section = article.sections.get()
    cite(
        ClaimFactory(
            section=section,
            text="Clonazepam 0.5-1 mg at bedtime is the usual first-line treatment.",
            plain_language="A medicine called clonazepam, taken at night, is usually tried first.",
        ),
        ReferenceFactory(title="Treatment of myoclonus", doi=doi, year=2020),
    )
    return workflow.approved(article, by=workflow.reviewer(first_name="Maya", last_name="Okafor", credentials="MD"))


def json_ld(response) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S)
    return json.loads(match.group(1))


# The article page


def test_trust_block_shows_the_review_steps_reviewer_dates_and_policy(reader):
    """Submitted, under review and approved with their dates; who reviewed; last updated; next review."""
    article = approved_with_plain_language()
    version = article.live_version
    html = reader.get(article.get_absolute_url()).content.decode()
    for step in ("Submitted", "Under review", "Approved"):
        assert f'<span class="step-label">{step}</span> <time' in html
    approved = timezone.localtime(version.approved_at)
    profile = article.live_version.reviewers[0]["profile"]
    assert f'Medically reviewed by <a href="{profile}"><strong>Maya Okafor, MD</strong></a>; approved on <time' in html
    assert f'Last reviewed: <time datetime="{approved:%Y-%m-%d}' in html
    assert f'Next review due: <time datetime="{(approved.replace(year=approved.year + 1)):%Y-%m}' in html
    assert f'href="{reverse("pages:editorial_policy")}"' in html
    assert "Professional medical disclaimer" in html


def test_page_describes_itself_to_search_engines_and_link_previews(reader):
    """schema.org MedicalWebPage JSON-LD, a canonical URL and Open Graph tags."""
    article = approved_with_plain_language()
    response = reader.get(article.get_absolute_url())
    data = json_ld(response)
    assert data["@type"] == "MedicalWebPage"
    assert data["lastReviewed"] == timezone.localtime(article.live_version.approved_at).date().isoformat()
    profile = f"http://127.0.0.1:8000{article.live_version.reviewers[0]['profile']}"
    assert data["reviewedBy"] == [{"@type": "Person", "name": "Maya Okafor, MD", "jobTitle": "MD", "url": profile}]
    assert {"@type": "MedicalAudience", "audienceType": "Patient"} in data["medicalAudience"]
    assert data["citation"][-1]["identifier"] == "doi:10.1000/myo.1"
    html = response.content.decode()
    canonical = f"http://127.0.0.1:8000{article.get_absolute_url()}"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert f'<meta property="og:url" content="{canonical}">' in html
    assert f'<meta property="og:title" content="{article.title}">' in html


def test_structured_data_cannot_break_out_of_its_script_element(reader):
    """A title with </script> stays inside the JSON."""
    article = approved_with_plain_language(title="Is </script><b>bold</b> treatment safe?")
    html = reader.get(article.get_absolute_url()).content.decode()
    assert "</script><b>" not in html
    assert json_ld(reader.get(article.get_absolute_url()))["name"] == "Is </script><b>bold</b> treatment safe?"


def test_patients_see_plain_language_and_professionals_the_clinical_text(reader):
    """The audience choice is a cookie set without JavaScript; it changes which words are shown."""
    article = approved_with_plain_language()
    url = article.get_absolute_url()
    assert "Which best describes you?" in reader.get(url).content.decode()
    assert "This article is shown for" not in reader.get(url).content.decode()
    response = reader.post(reverse("reader:audience"), {"audience": "patient", "next": url}, **OWN_ORIGIN)
    assert (response.status_code, response["Location"]) == (302, f"{url}#audience")
    assert reader.cookies["audience"].value == "patient"
    assert reader.cookies["audience"]["samesite"] == "Lax"
    patient = reader.get(url).content.decode()
    assert 'role="status">This article is shown for: <strong>Patient or carer</strong>, in everyday words' in patient
    assert "A medicine called clonazepam, taken at night, is usually tried first." in patient
    assert "0.5-1 mg at bedtime" not in patient
    assert 'value="patient" checked' in patient

    reader.post(reverse("reader:audience"), {"audience": "professional", "next": url}, **OWN_ORIGIN)
    professional = reader.get(url).content.decode()
    assert "shown for: <strong>Healthcare professional</strong>, in the clinical wording" in professional
    assert "Clonazepam 0.5-1 mg at bedtime is the usual first-line treatment." in professional
    assert "taken at night, is usually tried first" not in professional


def test_audience_choice_refuses_unknown_values_and_foreign_return_addresses(reader):
    """An unknown choice clears the cookie; a foreign “next” sends the reader home instead."""
    response = reader.post(
        reverse("reader:audience"), {"audience": "robot", "next": "https://evil.example/"}, **OWN_ORIGIN
    )
    assert response["Location"] == reverse("home")
    assert reader.cookies["audience"].value == ""
    assert reader.get(reverse("reader:audience")).status_code == 405


def test_cached_page_is_never_served_after_a_new_approval_or_a_withdrawal(reader):
    """The cache key follows the live version and the review state, so nothing stale is served."""
    article = approved_with_plain_language()
    url = article.get_absolute_url()
    assert "Clonazepam 0.5-1 mg" in reader.get(url).content.decode()  # now cached
    perform_transition(article, "revise", by=article.authors.get())
    claim = Claim.objects.get(article=article, text__startswith="Clonazepam")
    claim.text = "Levetiracetam is an alternative when clonazepam is not tolerated."
    claim.save()
    article = workflow.submitted(article)
    assert "An update to this article is under review" in reader.get(url).content.decode()
    article = workflow.approved(article)
    after = reader.get(url).content.decode()
    assert "Levetiracetam is an alternative" in after
    assert "Clonazepam 0.5-1 mg" not in after
    assert "An update to this article is under review" not in after
    perform_transition(article, "withdraw", by=workflow.editor(), comment="Superseded guidance.")
    gone = reader.get(url)
    assert gone.status_code == 410
    assert "Levetiracetam" not in gone.content.decode()


def test_each_read_is_counted_once_per_request(reader):
    """The day's counter goes up by one per page view (in the cache; folded into DailyReads later)."""
    article = approved_with_plain_language()
    for _ in range(3):
        reader.get(article.get_absolute_url())
        reader.get(reverse("reader:read", args=[article.pk]))  # the page's view counter, as a browser fetches it
    fold_reads()
    assert DailyReads.objects.get(article=article, day=timezone.localdate()).count == 3


def test_page_has_print_styles():
    """Printing hides navigation and forms and keeps references with their links."""
    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()
    assert "@media print" in css
    assert ".audience" in css.split("@media print")[1]


# Home, topics and search


def test_home_shows_latest_most_read_and_topics_with_a_search_box(reader):
    """Most read counts the last 30 days; topics list only those with published articles."""
    popular = workflow.approved(workflow.ready_article(title="Popular question?"))
    quiet = workflow.approved(workflow.ready_article(title="Quiet question?"))
    workflow.ready_article(title="Draft question?")
    DailyReads.objects.create(article=popular, day=timezone.localdate(), count=40)
    DailyReads.objects.create(article=quiet, day=timezone.localdate() - timedelta(days=40), count=400)
    html = reader.get("/").content.decode()
    most_read = html[html.index("Most read this month") :]
    assert "Popular question?" in most_read
    assert "Quiet question?" not in most_read.split("Topics")[0]
    assert popular.topic.name in html
    assert 'role="search"' in html
    assert "Draft question?" not in html


def test_topic_page_lists_its_published_articles_only(reader):
    article = workflow.approved()
    draft = workflow.ready_article(topic=article.topic)
    html = reader.get(reverse("reader:topic", args=[article.topic.slug])).content.decode()
    assert article.title in html
    assert draft.title not in html


def test_search_finds_approved_words_and_nothing_unapproved(reader):
    """Only live versions are searched: not drafts, not a revision's new words, not withdrawn articles."""
    live = approved_with_plain_language(title="What is the treatment for muscle jerking?")
    draft = workflow.ready_article(title="What is the treatment for hiccups?")
    withdrawn = workflow.withdrawn(workflow.ready_article(title="What is the treatment for muscle cramps?"))
    search = reverse("reader:search")

    found = reader.get(search, {"q": "muscle jerking"}).content.decode()
    assert live.title in found
    assert withdrawn.title not in found
    assert draft.title not in reader.get(search, {"q": "hiccups"}).content.decode()
    assert "clonazepam" in reader.get(search, {"q": "clonazepam"}).content.decode().lower()

    perform_transition(live, "revise", by=live.authors.get())
    claim = Claim.objects.get(article=live, text__startswith="Clonazepam")
    claim.text = "Piracetam helps cortical myoclonus."
    claim.save()
    assert "0 approved articles found" in reader.get(search, {"q": "piracetam"}).content.decode()
    assert withdrawn.title not in reader.get(search, {"q": "cramps"}).content.decode()


@pytest.mark.postgres
def test_postgres_search_ranks_title_matches_first_and_highlights_safely(reader):
    """A title match outranks a body match; highlighted words are marked, article text escaped."""
    body_match = workflow.ready_article(title="How is essential tremor treated?", claims=0)
    cite(
        ClaimFactory(section=body_match.sections.get(), text="Propranolol <b>helps</b>; so does primidone."),
        ReferenceFactory(),
    )
    workflow.approved(body_match)
    workflow.approved(workflow.ready_article(title="Is primidone safe?"))
    html = reader.get(reverse("reader:search"), {"q": "primidone"}).content.decode()
    assert html.index("Is primidone safe?") < html.index("How is essential tremor treated?")
    assert "<mark>primidone</mark>" in html
    assert "<b>helps</b>" not in html  # markup in an article's words never reaches the page as markup
    assert connection.vendor == "postgresql"


def gout_article() -> Article:
    article = workflow.ready_article(title="What is the treatment for gout?", claims=0)
    cite(ClaimFactory(section=article.sections.get(), text="Colchicine eases an acute attack."), ReferenceFactory())
    return workflow.approved(article)


def test_every_word_of_a_search_must_match(reader):
    """A search of several words lists only articles holding all of them, never every article."""
    approved_with_plain_language(title="What is the treatment for muscle jerking?")
    gout_article()
    search = reverse("reader:search")

    found = reader.get(search, {"q": "muscle jerking"}).content.decode()
    assert "muscle jerking?" in found
    assert "gout" not in found
    nothing = reader.get(search, {"q": "zzzz clonazepam"}).content.decode()
    assert "0 approved articles found" in nothing
    assert "muscle jerking?" not in nothing


def test_search_excerpts_are_whole_sentences_without_headings(reader):
    """An excerpt is the matching sentence as written, its words marked; no heading runs into it."""
    approved_with_plain_language(title="What is the treatment for muscle jerking?")

    def excerpt(query: str) -> str:
        html = reader.get(reverse("reader:search"), {"q": query}).content.decode()
        return re.search(r'class="excerpt">(.*?)</p>', html, re.S).group(1).strip()

    assert excerpt("bedtime") == "Clonazepam 0.5-1 mg at <mark>bedtime</mark> is the usual first-line treatment."
    assert excerpt("answer") == "The short <mark>answer</mark>."  # the short answer, after the "Treatment" heading


@pytest.mark.postgres
def test_postgres_search_uses_the_gin_index(reader):
    """The match is the indexed expression, so PostgreSQL can answer it from the GIN index."""
    approved_with_plain_language()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    from reader.search import matching_query

    plan = matching_query("clonazepam").explain()
    assert "version_search_gin" in plan


def test_search_query_count_is_fixed(reader, django_assert_num_queries):
    """One query for the results, however many articles match."""
    for number in range(3):
        approved_with_plain_language(doi=f"10.1000/myo.{number}")
    with django_assert_num_queries(1):
        assert reader.get(reverse("reader:search"), {"q": "clonazepam"}).status_code == 200


# Sitemap and robots


def test_sitemap_lists_published_articles_and_site_pages_only(reader):
    live = workflow.approved()
    withdrawn = workflow.withdrawn()
    draft = workflow.ready_article()
    xml = reader.get("/sitemap.xml").content.decode()
    assert live.get_absolute_url() in xml
    assert withdrawn.get_absolute_url() not in xml
    assert draft.get_absolute_url() not in xml
    assert reverse("pages:editorial_policy") in xml
    assert "/admin/" not in xml


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_the_admin(reader):
    text = reader.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in text
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in text


def test_a_section_added_during_a_revision_is_invisible_to_readers(reader):
    """New content in a revision reaches no page, search result or sitemap entry until approved."""
    article = workflow.approved()
    perform_transition(article, "revise", by=article.authors.get())
    section = SectionFactory(article=article, heading="Unreviewed experimental therapy")
    cite(ClaimFactory(section=section, text="Unreviewed experimental therapy works."), ReferenceFactory())
    for url in (article.get_absolute_url(), "/", reverse("reader:search") + "?q=experimental", "/sitemap.xml"):
        assert "experimental therapy" not in reader.get(url).content.decode().lower()
