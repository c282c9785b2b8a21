"""Grading a claim and dating its evidence search in the author's workspace."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, Claim, Section
from tests import workflow
from tests.writing.test_views import as_user, edit_url, messages_of, post
from writing.models import Deletion

pytestmark = pytest.mark.django_db


def grade(client, article, claim, **fields):
    """Post the claim's grade form and follow the redirect back to the editor (its messages)."""
    data = {
        "version": Article.objects.get(pk=article.pk).edit_version,
        "action": "grade_claim",
        "claim": claim.uuid,
        "certainty": "",
        "recommendation": "",
        "evidence_searched_on": "",
        "search_interval_months": "",
        **fields,
    }
    return client.post(edit_url(article), data, follow=True)


@pytest.fixture
def writer():
    return workflow.author()


@pytest.fixture
def article(writer):
    return workflow.ready_article(by=writer)


def first_claim(article) -> Claim:
    return Claim.objects.filter(article=article, section__isnull=False).order_by("position").first()


def test_an_author_grades_a_claim_and_dates_its_evidence_search(writer, article):
    claim = first_claim(article)
    response = grade(
        client := as_user(writer),
        article,
        claim,
        certainty="moderate",
        recommendation="strong_against",
        evidence_searched_on="2025-02-03",
        search_interval_months="6",
    )
    assert response.status_code == 200
    claim.refresh_from_db()
    assert (claim.certainty, claim.strength, claim.direction) == ("moderate", "strong", "against")
    assert (str(claim.evidence_searched_on), claim.search_interval_months) == ("2025-02-03", 6)
    assert messages_of(response) == ["Grade and evidence search saved."]
    page = client.get(edit_url(article)).content.decode()
    assert "Grade and evidence: moderate certainty; strong against · searched 2025-02-03" in page


def test_the_short_answer_can_be_marked_a_good_practice_statement(writer, article):
    summary = Claim.objects.get(article=article, section=None)
    grade(as_user(writer), article, summary, good_practice="on")
    summary.refresh_from_db()
    assert summary.good_practice
    assert summary.grade == {"good_practice": True}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"certainty": "low", "good_practice": "on"}, "A good-practice statement carries no grade"),
        ({"recommendation": "strong_sideways"}, "Choose a recommendation from the list."),
        ({"certainty": "medium"}, "is not a valid choice"),
        ({"evidence_searched_on": "03/02/2025"}, "Give the search date as YYYY-MM-DD."),
        ({"evidence_searched_on": "tomorrow"}, "Give the search date as YYYY-MM-DD."),
        ({"search_interval_months": "0"}, "greater than or equal to 1"),
        ({"search_interval_months": "121"}, "less than or equal to 120"),
        ({"search_interval_months": "1e3"}, "a whole number of months"),
        ({"search_interval_months": "9" * 40}, "a whole number of months"),
    ],
)
def test_bad_grades_are_refused_with_a_clear_message_and_change_nothing(writer, article, fields, message):
    claim = first_claim(article)
    version = Article.objects.get(pk=article.pk).edit_version
    response = grade(as_user(writer), article, claim, **fields)
    assert response.status_code == 200
    assert any(message in text for text in messages_of(response)), messages_of(response)
    claim.refresh_from_db()
    assert claim.grade is None
    assert claim.evidence_searched_on is None
    assert Article.objects.get(pk=article.pk).edit_version == version


def test_a_search_date_in_the_future_is_refused(writer, article):
    claim = first_claim(article)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = grade(as_user(writer), article, claim, evidence_searched_on=tomorrow.isoformat())
    assert messages_of(response) == ["The evidence search date cannot be in the future."]
    claim.refresh_from_db()
    assert claim.evidence_searched_on is None


@pytest.mark.parametrize("claim_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "\x00"])
def test_a_malformed_or_unknown_claim_id_is_a_message_not_an_error(writer, article, claim_id):
    client = as_user(writer)
    data = {"version": 0, "action": "grade_claim", "claim": claim_id, "certainty": "low"}
    response = client.post(edit_url(article), data, follow=True)
    assert response.status_code in (200, 400)
    assert not Claim.objects.filter(article=article).exclude(certainty="").exists()


def test_grading_obeys_who_may_edit_and_the_content_lock(writer, article):
    """Someone who is not an author of the article cannot grade it; nobody can once it is submitted."""
    claim = first_claim(article)
    stranger = workflow.author()
    assert grade(as_user(stranger), article, claim, certainty="low").status_code == 404
    editor = workflow.editor()
    grade(as_user(editor), article, claim, certainty="high")
    claim.refresh_from_db()
    assert claim.certainty == "high"

    workflow.submitted(article)
    response = grade(as_user(writer), article, claim, certainty="low")
    assert any("content is locked" in text for text in messages_of(response)), messages_of(response)
    claim.refresh_from_db()
    assert claim.certainty == "high"


def test_a_section_gets_its_own_search_interval(writer, article):
    section = Section.objects.get(article=article)
    client = as_user(writer)
    post(
        client,
        article,
        action="update_section",
        section=section.uuid,
        heading=section.heading,
        intro="",
        search_interval_months="24",
    )
    section.refresh_from_db()
    assert section.search_interval_months == 24
    post(client, article, action="update_section", section=section.uuid, heading="Renamed", intro="")
    section.refresh_from_db()
    assert (section.heading, section.search_interval_months) == ("Renamed", 24)


def test_undoing_a_deleted_claim_brings_its_grade_back(writer, article):
    claim = first_claim(article)
    client = as_user(writer)
    grade(client, article, claim, certainty="very_low", evidence_searched_on="2024-12-24", search_interval_months="3")
    post(client, article, action="delete_claim", claim=claim.uuid)
    deletion = Deletion.objects.get(article=article)
    post(client, article, action="undo", deletion=deletion.pk)
    restored = Claim.objects.get(uuid=claim.uuid)
    assert (restored.certainty, str(restored.evidence_searched_on), restored.search_interval_months) == (
        "very_low",
        "2024-12-24",
        3,
    )
