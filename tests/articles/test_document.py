import pytest

from articles.document import build_document, cited_in_reading_order, with_citation_numbers
from tests.factories import ArticleFactory, ClaimFactory, ReferenceFactory, SectionFactory, cite

pytestmark = pytest.mark.django_db


@pytest.fixture
def article_with_references():
    """An article whose first citations, in reading order, are C, A, B, D."""
    article = ArticleFactory(title="Which references come first?")
    a, b, c, d = (ReferenceFactory(title=f"Reference {letter}") for letter in "ABCD")
    ReferenceFactory(title="Never cited")
    summary = ClaimFactory(article=article, section=None, text="Short answer.")
    cite(summary, c)
    first = SectionFactory(article=article, position=0, heading="First")
    claim = ClaimFactory(section=first, position=0)
    cite(claim, a, c)
    nested = ClaimFactory(section=first, parent=claim, position=0)
    cite(nested, b)
    sub = SectionFactory(article=article, parent=first, position=0, heading="First, sub")
    cite(ClaimFactory(section=sub, position=0), d, a)
    # Created first but placed second: position, not creation order, sets reading order.
    second = SectionFactory(article=article, position=1, heading="Second")
    cite(ClaimFactory(section=second), b)
    return article, {"A": a, "B": b, "C": c, "D": d}


def test_references_are_numbered_by_first_citation_in_reading_order(article_with_references):
    """The summary, then each section's claims (nested ones included) before its sub-sections."""
    article, refs = article_with_references
    document = build_document(article)
    assert [entry["title"] for entry in document["references"]] == [
        "Reference C",
        "Reference A",
        "Reference B",
        "Reference D",
    ]
    assert [entry["number"] for entry in document["references"]] == [1, 2, 3, 4]
    assert cited_in_reading_order(document) == [str(refs[key].uuid) for key in "CABD"]


def test_uncited_references_are_not_listed(article_with_references):
    """Only references that a claim cites appear in the article's list."""
    article, _ = article_with_references
    titles = {entry["title"] for entry in build_document(article)["references"]}
    assert "Never cited" not in titles


def test_claims_carry_their_reference_numbers_in_ascending_order(article_with_references):
    """A claim citing A then C shows “1, 2”, and each reference links back to its first claim."""
    article, _ = article_with_references
    document = with_citation_numbers(build_document(article))
    first_section = document["sections"][0]
    assert document["summary"]["numbers"] == [1]
    assert first_section["claims"][0]["numbers"] == [1, 2]
    assert first_section["claims"][0]["children"][0]["numbers"] == [3]
    assert first_section["children"][0]["claims"][0]["numbers"] == [2, 4]
    assert document["references"][0]["first_cited_by"] == document["summary"]["uuid"]


def test_document_keeps_the_nesting_and_stable_ids(article_with_references):
    """Sections, sub-sections and nested claims come out as a tree keyed by UUID."""
    article, _ = article_with_references
    document = build_document(article)
    assert [section["heading"] for section in document["sections"]] == ["First", "Second"]
    assert [child["heading"] for child in document["sections"][0]["children"]] == ["First, sub"]
    first_claim = article.sections.get(heading="First").claims.get(parent=None)
    assert document["sections"][0]["claims"][0]["uuid"] == str(first_claim.uuid)


def test_building_a_document_costs_three_queries_however_long_the_article(django_assert_num_queries):
    """Sections, claims, and citations joined to references: three queries for 60 claims."""
    article = ArticleFactory()
    references = ReferenceFactory.create_batch(10)
    for index in range(20):
        section = SectionFactory(article=article, position=index)
        for position in range(3):
            cite(ClaimFactory(section=section, position=position), references[(index + position) % 10])
    with django_assert_num_queries(3):
        document = build_document(article)
    assert len(document["references"]) == 10


def test_one_claims_fingerprint_matches_the_documents(article_with_references):
    """A claim's fingerprint is the same whether read alone or with the whole article."""
    from articles.document import claim_fingerprint, claim_fingerprints
    from articles.models import Claim

    article, _ = article_with_references
    fingerprints = claim_fingerprints(build_document(article))
    for claim in Claim.objects.filter(article=article):
        assert fingerprints[str(claim.uuid)] == claim_fingerprint(claim)
