import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Claim
from editorial.services import perform_transition
from reader.views import forget_recent_pages
from tests import workflow
from tests.factories import ArticleFactory, ClaimFactory, ReferenceFactory, SectionFactory, cite

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    return Client()


def test_approved_article_page_shows_question_answer_sections_and_numbered_references(client):
    """The reader page renders the tree with superscript numbers linked to the list."""
    article = ArticleFactory(title="How is essential tremor treated?", headline="Treating essential tremor")
    article.authors.add(workflow.author())
    guideline = ReferenceFactory(
        kind="guideline",
        title="Treatment of essential tremor",
        source="Neurology",
        year=2011,
        volume="77",
        issue="19",
        pages="1752-1755",
        doi="10.1212/WNL.0b013e318236f0fd",
        pmid="22013182",
    )
    cite(ClaimFactory(article=article, section=None, text="Propranolol or primidone are tried first."), guideline)
    section = SectionFactory(article=article, heading="Medicines")
    parent = ClaimFactory(section=section, text="Propranolol reduces limb tremor.")
    cite(parent, guideline)
    cite(ClaimFactory(section=section, parent=parent, text="It suits people without asthma."), guideline)
    reviewer = workflow.reviewer(first_name="Maya", last_name="Okafor", credentials="MD")
    workflow.approved(article, by=reviewer)

    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 id="article-title">How is essential tremor treated?</h1>' in html
    assert "Treating essential tremor" in html
    assert "<strong>Maya Okafor, MD</strong></a>; approved on" in html
    assert '<a href="#ref-1" aria-label="Reference 1">1</a>' in html
    assert '<li id="ref-1" class="reference">' in html
    assert "Guideline" in html
    assert "2011;77(19):1752-1755." in html
    assert 'href="https://doi.org/10.1212/wnl.0b013e318236f0fd"' in html
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/22013182/"' in html
    assert html.index("Propranolol reduces limb tremor.") < html.index("It suits people without asthma.")


def _changes_requested():
    article = workflow.under_review()
    reviewer = article.assignments.get().reviewer
    return perform_transition(article, "request_changes", by=reviewer, comment="Cite the 2019 guideline.")


@pytest.mark.parametrize(
    "make",
    [workflow.ready_article, workflow.submitted, workflow.under_review, _changes_requested],
    ids=["draft", "submitted", "under_review", "changes_requested"],
)
def test_article_never_approved_is_not_found(client, make):
    """Readers get a 404 for anything the board has never approved."""
    article = make()
    response = client.get(article.get_absolute_url())
    assert response.status_code == 404
    assert article.title not in response.content.decode()


def test_withdrawn_article_is_gone_with_a_notice(client):
    """A withdrawn article answers 410 with a short notice and none of its content."""
    article = workflow.approved()
    perform_transition(article, "withdraw", by=workflow.editor(), comment="Dosing advice superseded.")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 410
    html = response.content.decode()
    assert "This article has been withdrawn" in html
    assert "The short answer." not in html


def test_reinstated_article_is_served_again(client):
    """Reinstating shows the same live version again."""
    article = workflow.approved()
    editor = workflow.editor()
    perform_transition(article, "withdraw", by=editor, comment="Checking a dose.")
    perform_transition(article, "reinstate", by=editor, comment="Dose confirmed.")
    assert client.get(article.get_absolute_url()).status_code == 200


def _article_text(response) -> str:
    """The article as readers see it, without the review notice."""
    return re.sub(r'<p class="update-notice".*?</p>', "", response.content.decode(), flags=re.S)


def test_revision_under_way_never_changes_what_readers_get(client):
    """Editing, submitting and reviewing a revision leaves the page as approved, plus a notice."""
    article = workflow.approved()
    before = _article_text(client.get(article.get_absolute_url()))
    perform_transition(article, "revise", by=article.authors.first())
    article.title = "A reworded question?"
    article.save()
    claim = Claim.objects.filter(article=article, section__isnull=False).first()
    claim.text = "An unreviewed new statement."
    claim.save()
    assert _article_text(client.get(article.get_absolute_url())) == before
    workflow.under_review(article)
    during = client.get(article.get_absolute_url())
    assert "An update to this article is under review" in during.content.decode()
    assert _article_text(during) == before
    assert b"An unreviewed new statement." not in client.get("/").content + during.content
    assert b"A reworded question?" not in client.get("/").content


def test_home_lists_published_articles_only(client):
    """The home page lists approved questions and nothing else."""
    workflow.approved(workflow.ready_article(title="Approved question?"))
    workflow.submitted(workflow.ready_article(title="Submitted question?"))
    workflow.ready_article(title="Draft question?")
    html = client.get("/").content.decode()
    assert "Approved question?" in html
    assert "Submitted question?" not in html
    assert "Draft question?" not in html


@pytest.mark.parametrize("claims", [10, 1000])
def test_article_page_uses_three_queries_whatever_its_length(client, django_assert_num_queries, claims):
    """Rendered afresh, for 10 claims as for 1,000: three reads and no write (the read is counted in the cache).

    The queries: the article's state joined to its live version's identity (plain values); the
    article with the version's document, to render; the notices on the sources it cites
    (integrity, kept with the identity). From the page cache only the first and the last
    (tests/reader/test_reads.py).
    """
    article = workflow.ready_article(claims=0)
    section = article.sections.get()
    references = ReferenceFactory.create_batch(5)
    claim_objects = Claim.objects.bulk_create(
        Claim(article=article, section=section, position=index, text=f"Statement {index}.") for index in range(claims)
    )
    for index, claim in enumerate(claim_objects):
        cite(claim, references[index % 5])
    workflow.approved(article)
    client.get(article.get_absolute_url())
    cache.clear()  # the page is rendered afresh below, not served from the cache
    forget_recent_pages()
    with CaptureQueriesContext(connection) as queries, django_assert_num_queries(3):
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert [query["sql"].split()[0] for query in queries.captured_queries] == ["SELECT", "SELECT", "SELECT"]
    assert response.content.decode().count('class="cite"') == claims + 1
    assert Article.objects.get(pk=article.pk).live_version.document["references"][0]["number"] == 1
