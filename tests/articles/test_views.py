import pytest
from django.test import Client

from articles.models import Article
from tests.factories import ArticleFactory, ClaimFactory, ReferenceFactory, SectionFactory, cite

pytestmark = pytest.mark.django_db


def approved_article(**kwargs) -> Article:
    return ArticleFactory(state=Article.State.APPROVED, **kwargs)


@pytest.fixture
def client() -> Client:
    return Client()


def test_approved_article_page_shows_question_answer_sections_and_numbered_references(client):
    """The reader page renders the tree with superscript numbers linked to the list."""
    article = approved_article(title="How is essential tremor treated?", headline="Treating essential tremor")
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
    ClaimFactory(section=section, parent=parent, text="It suits people without asthma.")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 id="article-title">How is essential tremor treated?</h1>' in html
    assert "Treating essential tremor" in html
    assert '<a href="#ref-1" aria-label="Reference 1">1</a>' in html
    assert '<li id="ref-1" class="reference">' in html
    assert "Guideline" in html
    assert "2011;77(19):1752-1755." in html
    assert 'href="https://doi.org/10.1212/wnl.0b013e318236f0fd"' in html
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/22013182/"' in html
    assert html.index("Propranolol reduces limb tremor.") < html.index("It suits people without asthma.")


@pytest.mark.parametrize(
    "state",
    [
        Article.State.DRAFT,
        Article.State.SUBMITTED,
        Article.State.UNDER_REVIEW,
        Article.State.CHANGES_REQUESTED,
        Article.State.WITHDRAWN,
    ],
)
def test_article_that_is_not_approved_is_not_found(client, state):
    """Readers get a 404 for anything the board has not approved."""
    article = ArticleFactory(state=state, title="A secret draft?")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 404
    assert "A secret draft?" not in response.content.decode()


def test_home_lists_approved_articles_only(client):
    """The home page lists approved questions and nothing else."""
    approved_article(title="Approved question?")
    ArticleFactory(title="Draft question?")
    html = client.get("/").content.decode()
    assert "Approved question?" in html
    assert "Draft question?" not in html


@pytest.mark.parametrize("claims_per_section", [1, 50])
def test_article_page_query_count_does_not_grow_with_the_article(client, django_assert_num_queries, claims_per_section):
    """Four queries whatever the length: article with topic, sections, claims, citations+references."""
    article = approved_article()
    references = ReferenceFactory.create_batch(5)
    cite(ClaimFactory(article=article, section=None), references[0])
    for index in range(4):
        section = SectionFactory(article=article, position=index)
        for position in range(claims_per_section):
            cite(ClaimFactory(section=section, position=position), references[position % 5])
    with django_assert_num_queries(4):
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
