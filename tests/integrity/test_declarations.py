"""Competing interests: reviewers declare before they review, authors on submission, readers see them."""

import csv
import io
import json

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article, Claim
from editorial import evidence
from editorial.exceptions import TransitionForbiddenError, WorkflowError
from editorial.models import Notification, ReviewAssignment, TransitionLog
from editorial.records import ImmutableRecordError
from editorial.services import assign_reviewer, perform_transition, record_claim_review
from integrity.models import Declaration
from tests import workflow

pytestmark = pytest.mark.django_db

GRANT = {"grants": "Research grant from Acme Pharma (2024), which makes clonazepam."}


def taken(member):
    """An article under review by ``member``, who has not declared yet."""
    article = workflow.submitted()
    return perform_transition(article, "start_review", by=member)


def logged_in(user) -> Client:
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


# Reviewers


def test_an_undeclared_reviewer_cannot_mark_claims_approve_or_request_changes():
    member = workflow.reviewer()
    article = taken(member)
    claim = Claim.objects.filter(article=article).first()

    with pytest.raises(TransitionForbiddenError, match="Declare your competing interests for this review first."):
        record_claim_review(claim, by=member, verified=True)
    for action in ("approve", "request_changes"):
        with pytest.raises(TransitionForbiddenError, match="Declare your competing interests"):
            perform_transition(article, action, by=member, comment="Not yet.")

    workflow.declare_none(article, member, role="reviewer")
    record_claim_review(claim, by=member, verified=True)


def test_a_declared_interest_waits_for_an_editor_who_allows_it_with_a_reason():
    member = workflow.reviewer(first_name="Maya", last_name="Okafor")
    editor = workflow.editor()
    article = taken(member)
    claim = Claim.objects.filter(article=article).first()

    declaration = evidence.declare_interests(
        article, by=member, role=Declaration.Role.REVIEWER, relationships=GRANT, none=False
    )

    assert declaration.sentence == (
        "declares grants or research funding: Research grant from Acme Pharma (2024), which makes clonazepam."
    )
    told = Notification.objects.get(key=f"declared:{declaration.pk}:{editor.pk}")
    assert "Maya Okafor, assigned to review" in told.body_text
    with pytest.raises(TransitionForbiddenError, match="an editor decides whether you may continue"):
        record_claim_review(claim, by=member, verified=True)
    with pytest.raises(TransitionForbiddenError, match="Only an editor decides"):
        evidence.decide_declaration(declaration, by=member, allowed=True, reason="I am fine.")
    with pytest.raises(WorkflowError, match="Say why"):
        evidence.decide_declaration(declaration, by=editor, allowed=True, reason="")

    evidence.decide_declaration(declaration, by=editor, allowed=True, reason="The grant ended before this topic.")

    record_claim_review(claim, by=member, verified=True)
    log = TransitionLog.objects.get(article=article, transition="decide_interests")
    assert log.comment == "Maya Okafor may continue: The grant ended before this topic."
    with pytest.raises(WorkflowError, match="already decided"):
        evidence.decide_declaration(declaration, by=editor, allowed=False, reason="Changed my mind.")


def test_a_refused_reviewers_assignment_closes():
    member = workflow.reviewer()
    article = taken(member)
    declaration = evidence.declare_interests(
        article, by=member, role=Declaration.Role.REVIEWER, relationships=GRANT, none=False
    )

    evidence.decide_declaration(declaration, by=workflow.editor(), allowed=False, reason="Funded by the maker.")

    assignment = ReviewAssignment.objects.get(article=article, reviewer=member)
    assert assignment.status == ReviewAssignment.Status.CLOSED
    assert assignment.closed_at is not None
    with pytest.raises(TransitionForbiddenError, match="Only the reviewer assigned"):
        perform_transition(article, "approve", by=member)


def test_a_declaration_needs_a_choice_and_refuses_bad_input():
    """Neither "none" nor a relationship, both, an unknown category, control characters: refused, nothing written."""
    member = workflow.reviewer()
    article = taken(member)
    reviewer = Declaration.Role.REVIEWER
    with pytest.raises(WorkflowError, match="or confirm you have no competing interests"):
        evidence.declare_interests(article, by=member, role=reviewer, relationships={}, none=False)
    with pytest.raises(WorkflowError, match="not both"):
        evidence.declare_interests(article, by=member, role=reviewer, relationships=GRANT, none=True)
    with pytest.raises(WorkflowError, match="not a category"):
        evidence.declare_interests(article, by=member, role=reviewer, relationships={"bribes": "x"}, none=False)
    with pytest.raises(WorkflowError):
        evidence.declare_interests(article, by=member, role=reviewer, relationships={"stock": "a\x00b"}, none=False)
    with pytest.raises(WorkflowError, match="under 1000 characters"):
        evidence.declare_interests(article, by=member, role=reviewer, relationships={"stock": "x" * 1001}, none=False)
    with pytest.raises(TransitionForbiddenError):
        evidence.declare_interests(article, by=workflow.reviewer(), role=reviewer, relationships={}, none=True)
    assert not Declaration.objects.filter(role=reviewer).exists()


def test_declarations_are_append_only():
    member = workflow.reviewer()
    article = taken(member)
    first = workflow.declare_none(article, member, role="reviewer")
    first.relationships = GRANT
    with pytest.raises(ImmutableRecordError):
        first.save()
    with pytest.raises(ImmutableRecordError):
        Declaration.objects.filter(pk=first.pk).delete()


def test_the_declare_page_is_the_assigned_reviewers_alone():
    member, other = workflow.reviewer(), workflow.reviewer()
    article = taken(member)
    url = reverse("admin:integrity_declaration_declare", args=[article.pk])
    assert logged_in(other).get(url).status_code in (403, 404)
    assert logged_in(member).get(url).status_code == 200
    assert logged_in(member).post(url, {}).status_code == 200  # the form says what is missing
    assert not Declaration.objects.filter(role="reviewer").exists()


def test_only_editors_open_the_decision_page():
    member = workflow.reviewer()
    article = taken(member)
    declaration = evidence.declare_interests(article, by=member, role="reviewer", relationships=GRANT, none=False)
    url = reverse("admin:integrity_declaration_decide", args=[declaration.pk])
    assert logged_in(member).get(url).status_code in (403, 404)
    editor = logged_in(workflow.editor())
    assert editor.get(url).status_code == 200
    assert editor.post(url, {"allowed": "no", "reason": "Funded by the maker."}).status_code == 302
    assert declaration.decisions.get().allowed is False


# Authors


def test_submission_is_refused_until_every_author_declares_for_the_round():
    article = workflow.ready_article()
    first = article.authors.get()
    second = workflow.author(first_name="Lars", last_name="Berg")
    article.authors.add(second)

    with pytest.raises(WorkflowError) as caught:
        perform_transition(article, "submit", by=first)

    assert caught.value.problems == ["Lars Berg has not declared competing interests for this submission."]
    evidence.declare_interests(
        article, by=second, role="author", relationships={"honoraria": "Talk, 2023."}, none=False
    )
    assert perform_transition(article, "submit", by=first).state == Article.State.SUBMITTED


def test_each_round_needs_its_own_author_declaration():
    member = workflow.reviewer()
    article = workflow.under_review(by=member)
    perform_transition(article, "request_changes", by=member, comment="Cite the trial.")
    writer = article.authors.get()
    with pytest.raises(WorkflowError, match="not ready"):
        perform_transition(article, "submit", by=writer)
    workflow.declare_none(article, writer)
    assert perform_transition(article, "submit", by=writer).review_round == 2


def test_only_an_author_declares_as_author_and_only_before_submitting():
    article = workflow.submitted()
    with pytest.raises(TransitionForbiddenError):
        evidence.declare_interests(article, by=workflow.author(), role="author", relationships={}, none=True)
    with pytest.raises(WorkflowError, match="with the board"):
        workflow.declare_none(article, article.authors.get())


def test_the_workspace_declares_and_lists_the_missing_declaration():
    article = workflow.ready_article()
    writer = workflow.author(first_name="Lars", last_name="Berg")
    article.authors.add(writer)
    client = Client()
    client.force_login(writer)
    edit = reverse("writing:edit", args=[article.pk])
    assert "Lars Berg has not declared competing interests for this submission." in client.get(edit).content.decode()

    client.post(edit, {"action": "declare_interests", "version": article.edit_version, "stock": "Shares in Acme."})

    page = client.get(edit).content.decode()
    assert "has not declared" not in page
    assert "Your declaration for this submission: stock or stock options: Shares in Acme." in page


# Readers and the record


def test_declarations_are_frozen_into_the_version_and_shown_to_readers():
    member = workflow.reviewer(first_name="Maya", last_name="Okafor", credentials="MD")
    article = workflow.ready_article()
    writer = article.authors.get()
    workflow.declare_none(article, writer)  # a newer declaration supersedes: this one is frozen
    evidence.declare_interests(
        article, by=writer, role="author", relationships={"consultancy": "Acme, 2023."}, none=False
    )
    article = perform_transition(article, "submit", by=writer)
    article = perform_transition(article, "start_review", by=member)
    declaration = evidence.declare_interests(article, by=member, role="reviewer", relationships=GRANT, none=False)
    evidence.decide_declaration(declaration, by=workflow.editor(), allowed=True, reason="Ended in 2024.")
    workflow.verify_all(article, member)
    article = perform_transition(article, "approve", by=member)

    version = article.live_version
    assert version.reviewers[0]["declaration"] == declaration.sentence
    assert version.document["authors"] == [
        {"name": writer.display_name, "declaration": "declares consultancy: Acme, 2023."}
    ]
    page = Client().get(article.get_absolute_url()).content.decode()
    assert "Maya Okafor, MD (reviewer) declares grants or research funding: Research grant from Acme Pharma" in page
    assert f"{writer.display_name} (author) declares consultancy: Acme, 2023.." not in page
    assert f"{writer.display_name} (author) declares consultancy: Acme, 2023." in page
    data = json.loads(page.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert data["reviewedBy"][0]["name"] == "Maya Okafor, MD"


def test_declarations_are_in_the_transition_log_csv():
    article = workflow.approved()
    client = logged_in(workflow.editor())
    response = client.get(reverse("admin:editorial_transitionlog_export", args=[article.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    declared = [row for row in rows if row[2] == "declare_interests"]
    assert [row[7] for row in declared] == [
        "Author declares no competing interests.",
        "Reviewer declares no competing interests.",
    ]


def test_a_second_reviewer_assigned_later_declares_too():
    first, second = workflow.reviewer(), workflow.reviewer()
    article = workflow.under_review(by=first)
    assign_reviewer(article, reviewer=second, by=workflow.editor(), due_at=workflow.in_days(3))
    with pytest.raises(TransitionForbiddenError, match="Declare"):
        record_claim_review(Claim.objects.filter(article=article).first(), by=second, verified=True)


def test_the_editors_notice_links_to_the_decision():
    member = workflow.reviewer()
    editor = workflow.editor()
    article = taken(member)
    declaration = evidence.declare_interests(article, by=member, role="reviewer", relationships=GRANT, none=False)
    notice = Notification.objects.get(key=f"declared:{declaration.pk}:{editor.pk}")
    change = reverse("admin:integrity_declaration_change", args=[declaration.pk])
    assert change in notice.body_text
    page = logged_in(editor).get(change).content.decode()
    assert reverse("admin:integrity_declaration_decide", args=[declaration.pk]) in page
