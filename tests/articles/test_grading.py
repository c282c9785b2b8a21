from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from articles.document import build_document, claim_fingerprints, content_hash
from articles.evidence import evidence_searches, last_checked
from articles.grading import MarkerError, badge, describe, is_recommendation_without_certainty, parse_marker
from articles.markdown_import import import_markdown
from articles.models import Claim
from tests import workflow
from tests.factories import ArticleFactory, ClaimFactory, ReferenceFactory, SectionFactory, cite

pytestmark = pytest.mark.django_db


def test_a_good_practice_statement_carries_no_grade():
    """The database refuses a good-practice statement with a certainty; full_clean says why."""
    claim = ClaimFactory(good_practice=True)
    claim.certainty = Claim.Certainty.LOW
    with pytest.raises(ValidationError, match="good-practice statement carries no grade"):
        claim.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(certainty="low")


def test_strength_and_direction_go_together():
    """A strength without a direction (or the reverse) is refused by the model and the database."""
    claim = ClaimFactory(certainty=Claim.Certainty.MODERATE)
    claim.strength = Claim.Strength.STRONG
    with pytest.raises(ValidationError, match="both a strength and a direction"):
        claim.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(direction="against")


def test_search_interval_is_one_to_one_hundred_twenty_months():
    claim = ClaimFactory()
    claim.search_interval_months = 0
    with pytest.raises(ValidationError):
        claim.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(search_interval_months=121)


def test_an_ungraded_claim_keeps_the_document_and_fingerprint_it_had_before_grading():
    """Grades enter the document only when set, so versions frozen before grading existed, and
    the marks made on them, still match."""
    article = workflow.ready_article(claims=1)
    document = build_document(article)
    summary = document["summary"]
    assert set(summary) == {"uuid", "text", "plain_language", "citations", "children"}
    before = claim_fingerprints(document)

    Claim.objects.filter(article=article, section=None).update(certainty="high")
    graded = build_document(article)
    after = claim_fingerprints(graded)
    assert graded["summary"]["grade"] == {"certainty": "high", "strength": "", "direction": ""}
    assert after[summary["uuid"]] != before[summary["uuid"]]
    others = [uuid for uuid in before if uuid != summary["uuid"]]
    assert [after[uuid] for uuid in others] == [before[uuid] for uuid in others]
    assert content_hash(graded) != content_hash(document)


def test_changing_a_grade_or_the_search_date_changes_the_fingerprint():
    claim = ClaimFactory(certainty="moderate", strength="strong", direction="for")
    cite(claim, ReferenceFactory())
    fingerprint = claim_fingerprints(build_document(claim.article))[str(claim.uuid)]
    Claim.objects.filter(pk=claim.pk).update(strength="conditional")
    regraded = claim_fingerprints(build_document(claim.article))[str(claim.uuid)]
    Claim.objects.filter(pk=claim.pk).update(evidence_searched_on=date(2025, 3, 1))
    redated = claim_fingerprints(build_document(claim.article))[str(claim.uuid)]
    assert len({fingerprint, regraded, redated}) == 3


def test_the_one_claim_fingerprint_agrees_with_the_document_for_a_graded_claim():
    """The single-claim digest (used when a mark is recorded) equals the document's."""
    from articles.document import claim_fingerprint

    claim = ClaimFactory(good_practice=True, evidence_searched_on=date(2025, 1, 2), search_interval_months=6)
    cite(claim, ReferenceFactory())
    assert claim_fingerprint(claim) == claim_fingerprints(build_document(claim.article))[str(claim.uuid)]


@pytest.mark.parametrize(
    ("marker", "fields"),
    [
        ("{GRADE: moderate}", {"certainty": "moderate", "strength": "", "direction": ""}),
        ("{GRADE: low; conditional against}", {"certainty": "low", "strength": "conditional", "direction": "against"}),
        (
            "{grade: Very low certainty; Strong for}",
            {"certainty": "very_low", "strength": "strong", "direction": "for"},
        ),
        ("{GRADE: strong for}", {"certainty": "", "strength": "strong", "direction": "for"}),
        ("{good practice}", {"certainty": "", "strength": "", "direction": "", "good_practice": True}),
    ],
)
def test_grade_markers_are_read_and_removed_from_the_text(marker, fields):
    text, grade = parse_marker(f"Offer the treatment {marker}")
    assert text == "Offer the treatment"
    assert grade == {"good_practice": False, **fields}


@pytest.mark.parametrize("marker", ["{GRADE: medium}", "{GRADE: strong}", "{GRADE: }", "{GRADE: high; high}"])
def test_unreadable_grade_markers_are_refused_with_what_to_write(marker):
    with pytest.raises(MarkerError, match=r"GRADE"):
        parse_marker(f"Offer the treatment {marker}")


def test_text_without_a_marker_is_left_as_it_is():
    assert parse_marker("Offer it {sometimes} to adults") == ("Offer it {sometimes} to adults", None)


def test_the_markdown_import_grades_claims_and_reports_a_bad_marker():
    article = ArticleFactory(title="")
    article.authors.add(author := workflow.author())
    text = (
        "Treat it early [1] {GRADE: moderate; strong for}\n\n"
        "## Care\n\n"
        "- Check the blood pressure first [1] {good practice}\n"
        "- Offer the cream [1] {GRADE: so-so}\n\n"
        "## References\n\n"
        "1. Doe J. A trial of the cream. Lancet. 2020;1:1-2.\n"
    )
    result = import_markdown(article, text, by=author)
    claims = {claim.text: claim for claim in Claim.objects.filter(article=article)}
    assert (claims["Treat it early"].certainty, claims["Treat it early"].strength) == ("moderate", "strong")
    assert claims["Check the blood pressure first"].good_practice is True
    assert claims["Offer the cream"].grade is None
    assert [(problem.line, problem.code) for problem in result.problems] == [(6, "invalid_grade")]


def test_badges_explain_in_plain_words_for_patients_and_in_grade_terms_for_professionals():
    grade = {"certainty": "low", "strength": "conditional", "direction": "for"}
    patient, professional = badge(grade, "patient"), badge(grade, "professional")
    assert patient.label == professional.label == "Conditional recommendation for · Low certainty"
    assert "limited research" in patient.meaning
    assert "talk it over" in patient.meaning
    assert "true effect may be substantially different" in professional.meaning
    assert badge(grade, "") == professional
    assert badge({"good_practice": True}, "patient").label == "Good practice"
    assert badge(None, "patient") is None


def test_a_recommendation_needs_a_certainty():
    assert is_recommendation_without_certainty({"certainty": "", "strength": "strong", "direction": "for"})
    assert not is_recommendation_without_certainty({"certainty": "low", "strength": "strong", "direction": "for"})
    assert not is_recommendation_without_certainty({"good_practice": True})
    assert not is_recommendation_without_certainty(None)
    assert describe({"certainty": "very_low", "strength": "strong", "direction": "against"}) == (
        "very low certainty; strong against"
    )


def test_evidence_searches_inherit_the_section_interval_then_the_default():
    article = ArticleFactory()
    ClaimFactory(article=article, section=None, evidence_searched_on=date(2025, 1, 31))
    outer = SectionFactory(article=article, search_interval_months=6)
    inner = SectionFactory(article=article, parent=outer)
    own = ClaimFactory(section=inner, evidence_searched_on=date(2025, 1, 10), search_interval_months=3)
    inherited = ClaimFactory(section=inner, evidence_searched_on=date(2024, 12, 1))
    ClaimFactory(section=inner)  # never searched: outside the schedule
    other = SectionFactory(article=article)
    default = ClaimFactory(section=other, evidence_searched_on=date(2025, 2, 1))

    document = build_document(article)
    searches = evidence_searches(document, default_months=12)
    assert {uuid: (s.every_months, s.due_on) for uuid, s in searches.items()} == {
        document["summary"]["uuid"]: (12, date(2026, 1, 31)),
        str(own.uuid): (3, date(2025, 4, 10)),
        str(inherited.uuid): (6, date(2025, 6, 1)),
        str(default.uuid): (12, date(2026, 2, 1)),
    }
    assert last_checked(document) == date(2024, 12, 1)
