"""Honest review credits: everyone whose checks a version rests on, with how many claims each checked."""

import html
import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from articles.document import build_document
from articles.models import Claim
from editorial.conditions import approval_problems
from editorial.exceptions import WorkflowError
from editorial.models import ClaimReview
from editorial.services import carry_over_verifications, perform_transition, record_claim_review
from tests import workflow
from tests.factories import BoardMemberFactory, ClaimFactory, ReferenceFactory, cite
from tests.reader.test_reader_site import json_ld

pytestmark = pytest.mark.django_db


def revised_and_carried(*, first=None):
    """Approved by ``first``; revised (one claim edited, one added); a second reviewer carries over the rest."""
    first = first or workflow.reviewer(first_name="Maya", last_name="Okafor", credentials="MD")
    article = workflow.approved(by=first)
    perform_transition(article, "revise", by=article.authors.get())
    edited = Claim.objects.filter(article=article).exclude(section=None).first()
    edited.text = "Clonazepam is the first choice for cortical myoclonus."
    edited.save()
    cite(ClaimFactory(section=edited.section, text="Levetiracetam is an alternative."), ReferenceFactory())
    second = workflow.reviewer(first_name="Ravi", last_name="Shah", credentials="FRCP")
    article = workflow.under_review(workflow.submitted(article), by=second)
    carried = carry_over_verifications(article, by=second)
    return article, first, second, carried


def check_the_rest(article, by) -> int:
    """Verify what ``by`` has not verified yet; how many claims that was."""
    mine = set(ClaimReview.objects.filter(assignment__reviewer=by).values_list("claim_uuid", flat=True))
    rest = Claim.objects.filter(article=article).exclude(uuid__in=mine)
    for claim in rest:
        record_claim_review(claim, by=by, verified=True)
    return len(rest)


def test_a_version_credits_whoever_checked_its_claims_with_counts():
    """The approver is credited with the claims they checked, the earlier reviewer with the carried ones."""
    article, first, second, carried = revised_and_carried()
    checked = check_the_rest(article, second)
    article = perform_transition(article, "approve", by=second, change_note="Levetiracetam added as an alternative.")
    total = carried + checked
    credits = article.live_version.reviewers
    assert [(c["name"], c["claims_checked"], c["claims_total"], c["approved"]) for c in credits] == [
        ("Ravi Shah, FRCP", checked, total, True),
        ("Maya Okafor, MD", carried, total, False),
    ]
    assert credits[1]["profile"] == first.board_profile.get_absolute_url()
    assert checked == 2


def test_reader_page_names_every_reviewer_with_what_they_checked():
    """The trust block credits both, with counts; the JSON-LD lists both with their board profiles."""
    article, first, second, carried = revised_and_carried()
    checked = check_the_rest(article, second)
    article = perform_transition(article, "approve", by=second, change_note="Levetiracetam added as an alternative.")
    response = Client().get(article.get_absolute_url())
    page = html.unescape(response.content.decode())
    total = carried + checked
    assert "Medically reviewed by" in page
    assert f"Ravi Shah, FRCP checked {checked} of {total} claims and approved this version." in page
    assert f"Maya Okafor, MD checked {carried} of {total} claims, last on" in page
    assert "in an earlier review." in page
    assert f'href="{first.board_profile.get_absolute_url()}"' in page
    people = json_ld(response)["reviewedBy"]
    assert [person["name"] for person in people] == ["Ravi Shah, FRCP", "Maya Okafor, MD"]
    assert people[1]["url"].endswith(first.board_profile.get_absolute_url())


def test_a_reviewer_who_checked_every_claim_is_credited_with_all_of_them():
    """No carry-over: one credit, “checked all N claims and approved this version”."""
    article = workflow.approved(by=workflow.reviewer(first_name="Ana", last_name="Lima"))
    total = Claim.objects.filter(article=article).count()
    page = html.unescape(Client().get(article.get_absolute_url()).content.decode())
    assert f"Ana Lima checked all {total} claims and approved this version." in page


def test_approval_is_refused_while_the_approver_has_no_board_profile():
    """Readers' credits link to the board page: a reviewer without a profile there cannot approve."""
    member = workflow.reviewer(board_profile=False, first_name="Noor", last_name="Haddad")
    article = workflow.under_review(workflow.ready_article(), by=member)
    workflow.verify_all(article, member)
    with pytest.raises(WorkflowError) as refused:
        perform_transition(article, "approve", by=member)
    assert "Noor Haddad checked" in " ".join(refused.value.problems)
    assert "no public profile on the Medical Advisory Board page" in " ".join(refused.value.problems)
    article.refresh_from_db()
    assert article.live_version is None


def test_approval_with_a_board_profile_is_allowed():
    """The same reviewer, once an editor adds their profile, approves."""
    member = workflow.reviewer(board_profile=False)
    article = workflow.under_review(workflow.ready_article(), by=member)
    workflow.verify_all(article, member)
    BoardMemberFactory(user=member)
    assert approval_problems(article, member, build_document(article)) == []
    assert perform_transition(article, "approve", by=member).live_version is not None


def test_carried_marks_of_someone_no_longer_on_the_board_refuse_approval_until_checked_again():
    """Credit cannot go to a former member hidden from the board page: the approver checks those claims."""
    article, first, second, carried = revised_and_carried()
    check_the_rest(article, second)
    first.board_profile.is_active = False
    first.board_profile.save()
    with pytest.raises(WorkflowError) as refused:
        perform_transition(article, "approve", by=second, change_note="Levetiracetam added as an alternative.")
    assert f"Maya Okafor, MD checked {carried} claims but has no public profile" in " ".join(refused.value.problems)
    for claim in Claim.objects.filter(article=article):
        record_claim_review(claim, by=second, verified=True)
    article = perform_transition(article, "approve", by=second, change_note="Levetiracetam added as an alternative.")
    assert [credit["name"] for credit in article.live_version.reviewers] == ["Ravi Shah, FRCP"]


def test_the_migration_links_marks_carried_over_before_the_field_existed():
    """A legacy carried mark (said only in its comment) is linked to the round-1 check it adopted."""
    article, first, second, _ = revised_and_carried()
    adopted = ClaimReview.objects.filter(assignment__reviewer=second).first()
    legacy = ClaimReview.objects.create(
        assignment=adopted.assignment,
        claim=adopted.claim,
        claim_uuid=adopted.claim_uuid,
        claim_fingerprint=adopted.claim_fingerprint,
        verified=True,
        comment="Carried over: verified by Maya Okafor in round 1 on 2026-01-01; unchanged since.",
    )
    name = "0014_claim_review_carried_from"
    state = MigrationExecutor(connection).loader.project_state(("editorial", name))
    importlib.import_module(f"editorial.migrations.{name}").link_carried_marks(state.apps, None)
    legacy.refresh_from_db()
    assert legacy.carried_from == adopted.carried_from
    assert legacy.carried_from.assignment.reviewer == first
