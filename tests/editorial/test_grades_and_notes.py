"""GRADE in the review (fingerprint, checklist, diff, review page) and the public change note."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.document import build_document
from articles.models import Article, Claim
from editorial import reminders
from editorial.changes import compare, draft_note
from editorial.conditions import submission_problems
from editorial.exceptions import WorkflowError
from editorial.models import ArticleVersion, Notification
from editorial.review import available_actions, review_page
from editorial.services import perform_transition, record_claim_review
from tests import workflow
from tests.editorial.test_admin import logged_in
from tests.factories import ClaimFactory, ReferenceFactory, cite

pytestmark = pytest.mark.django_db


def graded_claim(article: Article, **grade) -> Claim:
    claim = Claim.objects.filter(article=article, section__isnull=False).first()
    Claim.objects.filter(pk=claim.pk).update(**grade)
    claim.refresh_from_db()
    return claim


def current_reviewer(article: Article):
    return article.assignments.get(round=article.review_round, status="active").reviewer


def revision(article: Article) -> Article:
    return perform_transition(article, "revise", by=article.authors.first())


# The checklist


def test_the_checklist_flags_a_recommendation_without_a_certainty():
    """A strength and direction without a certainty keeps the article from review, with the place named."""
    article = workflow.ready_article()
    claim = graded_claim(article, strength="strong", direction="for")
    problems = submission_problems(build_document(article))
    assert [problem.anchor for problem in problems] == [f"claim-{claim.uuid}"]
    assert "is a strong recommendation without a certainty of evidence" in problems[0].message
    with pytest.raises(WorkflowError) as refused:
        perform_transition(article, "submit", by=article.authors.first())
    assert refused.value.code == "not_ready"

    Claim.objects.filter(pk=claim.pk).update(certainty="low")
    assert submission_problems(build_document(article)) == []


# The fingerprint: a grade is part of what the board verifies


def test_changing_a_grade_voids_the_mark_on_that_claim_only():
    article = workflow.under_review()
    reviewer = current_reviewer(article)
    workflow.verify_all(article, reviewer)
    perform_transition(article, "request_changes", by=reviewer, comment="Grade the first-line claim.")
    claim = Claim.objects.filter(article=article, section__isnull=False).first()
    claim.certainty = Claim.Certainty.MODERATE
    claim.save()
    article = workflow.under_review(workflow.submitted(article), by=reviewer)

    page = review_page(article, reviewer)
    rows = {row.uuid: row for row in page.rows if hasattr(row, "uuid")}
    assert not rows[str(claim.uuid)].mark.current
    assert page.verified == len(rows) - 1  # the reviewer's marks on every unchanged claim still count
    assert rows[str(claim.uuid)].grade == "moderate certainty"


def test_a_mark_recorded_on_a_graded_claim_counts_until_the_grade_changes():
    article = workflow.ready_article(claims=1)
    claim = graded_claim(article, certainty="high")
    article = workflow.under_review(article)
    reviewer = current_reviewer(article)
    record_claim_review(claim, by=reviewer, verified=True)
    assert review_page(article, reviewer).verified == 1


# The review page and the diff


def test_the_review_page_shows_the_grade_beside_the_sources_and_what_it_was():
    article = workflow.ready_article(claims=1)
    graded_claim(article, certainty="low", strength="conditional", direction="for")
    article = workflow.approved(article)
    revision(article)
    claim = graded_claim(article, certainty="moderate")
    article = workflow.under_review(article)
    reviewer = current_reviewer(article)

    response = logged_in(reviewer).get(reverse("admin:articles_article_review", args=[article.pk]))
    html = response.content.decode()
    assert 'class="grade"><span class="grade-label">GRADE:</span> moderate certainty; conditional for' in html
    assert "was low certainty; conditional for" in html
    assert "Grade changed from low certainty; conditional for to moderate certainty; conditional for" in html
    row = html.index(f'id="claim-{claim.uuid}"')
    assert row < html.index('<span class="grade-label">GRADE:</span> moderate certainty; conditional for')


def test_the_diff_lists_grade_changes_and_new_search_dates():
    article = workflow.approved(workflow.ready_article(claims=2))
    before = article.live_version.document
    revision(article)
    first, second = Claim.objects.filter(article=article, section__isnull=False).order_by("position")
    Claim.objects.filter(pk=first.pk).update(good_practice=True)
    Claim.objects.filter(pk=second.pk).update(evidence_searched_on=date(2025, 6, 1))
    changes = compare(before, build_document(article))
    assert changes.grades == [f"Grade changed from ungraded to good-practice statement: “{first.text}”."]
    assert changes.claims == [f"Claim edited (evidence search date): “{second.text}”."]


def test_the_change_note_is_drafted_from_the_claim_level_diff():
    article = workflow.approved(workflow.ready_article(claims=2))
    before = article.live_version.document
    revision(article)
    first, second = Claim.objects.filter(article=article, section__isnull=False).order_by("position")
    Claim.objects.filter(pk=first.pk).update(certainty="high", strength="strong", direction="against")
    Claim.objects.filter(pk=second.pk).update(text="A reworded statement.")
    cite(ClaimFactory(section=first.section, text="A new statement."), ReferenceFactory(title="A new trial"))
    note = draft_note(before, build_document(article))
    assert note == (
        "Added 1 statement, revised 1 statement, updated the grade of evidence "
        f"(“{first.text[:49]}…” now high certainty; strong against) and cited 1 new reference."
        if len(first.text) > 50
        else "Added 1 statement, revised 1 statement, updated the grade of evidence "
        f"(“{first.text}” now high certainty; strong against) and cited 1 new reference."
    )
    assert draft_note(None, build_document(article)) == "First published version."
    assert draft_note(before, before) == "Reviewed again by the Medical Advisory Board; no changes to the content."


# The change note at approval


def test_approving_a_revision_without_a_change_note_is_refused_and_changes_nothing():
    article = workflow.approved()
    revision(article)
    article = workflow.under_review(article)
    reviewer = current_reviewer(article)
    workflow.verify_all(article, reviewer)
    before = workflow.snapshot(article)
    with pytest.raises(WorkflowError) as refused:
        perform_transition(article, "approve", by=reviewer, change_note="   ")
    assert refused.value.code == "change_note_required"
    assert workflow.snapshot(article) == before

    perform_transition(article, "approve", by=reviewer, change_note="Dose advice updated.")
    assert article.live_version.number == 2
    assert article.live_version.change_note == "Dose advice updated."
    notice = Notification.objects.filter(kind="approved", article=article).latest("id")
    assert "What changed, as readers are told: Dose advice updated." in notice.body_text


def test_a_first_version_needs_no_change_note():
    article = workflow.approved(change_note="")
    assert (article.live_version.number, article.live_version.change_note) == (1, "")


@pytest.mark.parametrize(("note", "code"), [("x" * 1001, "invalid_text"), ("bad\x00note", "invalid_text")])
def test_an_oversized_or_control_character_change_note_is_refused(note, code):
    article = workflow.approved()
    revision(article)
    article = workflow.under_review(article)
    reviewer = current_reviewer(article)
    workflow.verify_all(article, reviewer)
    with pytest.raises(WorkflowError) as refused:
        perform_transition(article, "approve", by=reviewer, change_note=note)
    assert refused.value.code == code
    assert ArticleVersion.objects.filter(article=article).count() == 1


def test_the_admin_approve_form_asks_for_the_drafted_note_and_passes_it_on():
    """The approve button opens a form with the drafted note; posting it approves with that note."""
    article = workflow.approved()
    revision(article)
    Claim.objects.filter(article=article, section__isnull=False).update(certainty="moderate")
    article = workflow.under_review(article)
    reviewer = current_reviewer(article)
    workflow.verify_all(article, reviewer)
    client = logged_in(reviewer)
    review = reverse("admin:articles_article_review", args=[article.pk])
    html = client.get(review).content.decode()
    assert 'name="change_note"' in html
    assert "updated the grade of evidence" in html.lower()
    actions = {action.name: action.change_note_required for action in available_actions(article, reviewer)}
    assert actions == {"request_changes": False, "approve": True}

    url = reverse("admin:articles_article_transition", args=[article.pk, "approve"])
    refused = client.post(url, {"next": review, "change_note": ""}, follow=True)
    assert "Write a short change note for readers" in refused.content.decode()
    client.post(url, {"next": review, "change_note": "Evidence now graded."})
    assert Article.objects.get(pk=article.pk).live_version.change_note == "Evidence now graded."


def test_only_the_approve_action_offers_a_change_note():
    article = workflow.submitted()
    reviewer = workflow.reviewer()
    assert [(action.name, action.change_note) for action in available_actions(article, reviewer)] == [
        ("start_review", None)
    ]


# Living evidence: reminders, claim by claim, once per due date


def approved_with_searches(*days_ago: int) -> Article:
    article = workflow.ready_article(claims=len(days_ago))
    today = timezone.localdate()
    for claim, days in zip(Claim.objects.filter(article=article, section__isnull=False), days_ago, strict=True):
        Claim.objects.filter(pk=claim.pk).update(evidence_searched_on=today - timedelta(days=days))
    article = workflow.approved(article)
    Notification.objects.all().delete()
    return article


def test_an_overdue_evidence_search_reminds_the_board_claim_by_claim_once():
    editor, member = workflow.editor(), workflow.reviewer()
    article = approved_with_searches(400, 30)
    stale, fresh = Claim.objects.filter(article=article, section__isnull=False).order_by("position")
    assert article.live_version.evidence_search_due == stale.evidence_searched_on.replace(
        year=stale.evidence_searched_on.year + 1
    )
    now = timezone.now()
    assert reminders.scan(now)["evidence_due"] == len({editor, member, *_board()})
    notice = Notification.objects.filter(kind="evidence_due", recipient=member).get()
    assert f"“{stale.text}”" in notice.body_text
    assert "Section “Treatment”, claim 1" in notice.body_text
    assert fresh.text not in notice.body_text
    assert reminders.scan(now + timedelta(hours=1))["evidence_due"] == 0


def test_a_claim_falling_due_later_brings_a_new_notice_listing_both():
    workflow.editor()
    article = approved_with_searches(400, 300)
    first, second = Claim.objects.filter(article=article, section__isnull=False).order_by("position")
    reminders.scan(timezone.now())
    later = timezone.now() + timedelta(days=70)
    assert reminders.scan(later)["evidence_due"] > 0
    latest = Notification.objects.filter(kind="evidence_due").order_by("-id").first()
    assert first.text in latest.body_text
    assert second.text in latest.body_text


def test_no_evidence_reminder_while_a_revision_is_in_progress_or_before_it_is_due():
    workflow.editor()
    article = approved_with_searches(30)
    assert reminders.scan(timezone.now())["evidence_due"] == 0
    revision(article)
    assert reminders.scan(timezone.now() + timedelta(days=400))["evidence_due"] == 0


def _board():
    from editorial.notifications import board_members

    return list(board_members())


def test_the_admin_claim_forms_offer_the_grade_and_evidence_fields():
    """Editors grade claims in the article's admin page too, with the same fields and choices."""
    article = workflow.ready_article()
    html = logged_in(workflow.editor()).get(reverse("admin:articles_article_change", args=[article.pk])).content
    page = html.decode()
    for name in ("certainty", "strength", "direction", "good_practice", "evidence_searched_on"):
        assert f"-{name}" in page, name
    assert '<option value="very_low">Very low</option>' in page
    assert "search_interval_months" in page
