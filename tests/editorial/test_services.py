"""The workflow services: conditions and their messages, assignments, claim reviews, atomicity."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import override_settings
from django.utils import timezone

from articles.document import build_document, claim_fingerprints
from articles.models import Article, Claim
from editorial import roles
from editorial.exceptions import ArticleMovedOnError, TransitionForbiddenError, WorkflowError
from editorial.models import ArticleVersion, ClaimReview, ReviewAssignment, TransitionLog
from editorial.services import assign_reviewer, decline_assignment, perform_transition, record_claim_review
from tests.factories import ArticleFactory, ClaimFactory, ReferenceFactory, SectionFactory, UserFactory, cite
from tests.workflow import (
    approved,
    author,
    declare_none,
    editor,
    in_days,
    ready_article,
    reviewer,
    snapshot,
    submitted,
    superuser,
    under_review,
    verify_all,
    withdrawn,
)

pytestmark = pytest.mark.django_db


def claims_of(article: Article) -> list[Claim]:
    """The article's claims in reading order: the short answer first, then the section's claims."""
    return [*Claim.objects.filter(article=article).summaries(), *Claim.objects.filter(article=article).in_sections()]


# Submission conditions


def test_submit_refuses_an_empty_article_listing_every_missing_part():
    """No short answer, no section with a claim, an empty section: all in one refusal, nothing changed."""
    writer = author()
    article = ArticleFactory()
    article.authors.add(writer)
    SectionFactory(article=article, heading="Empty section")
    before = snapshot(article)

    with pytest.raises(WorkflowError) as caught:
        perform_transition(article, "submit", by=writer)

    assert caught.value.code == "not_ready"
    assert caught.value.message == "The article is not ready for review (4 to fix)."
    assert caught.value.problems == [
        "Write the short answer.",
        "Add at least one section with a claim.",
        "Section “Empty section” has no claims.",
        f"{writer.display_name} has not declared competing interests for this submission.",
    ]
    assert snapshot(article) == before
    assert article.state == Article.State.DRAFT


def test_submit_refusal_lists_every_problem_naming_its_section_and_claim():
    """An uncited short answer, an uncited nested claim and an incomplete reference are all named at once."""
    writer = author()
    article = ArticleFactory()
    article.authors.add(writer)
    complete = ReferenceFactory(title="Treatment of essential tremor")
    incomplete = ReferenceFactory(title="Beta blockers in tremor", source="", year=None)
    ClaimFactory(article=article, section=None, text="Tremor often responds to propranolol.")
    treatment = SectionFactory(article=article, heading="Treatment", position=0)
    first = ClaimFactory(section=treatment, text="Propranolol reduces limb tremor.", position=0)
    cite(first, complete)
    ClaimFactory(section=treatment, parent=first, text="It suits people without asthma.", position=0)
    adults = SectionFactory(article=article, parent=treatment, heading="Adults", position=1)
    cite(ClaimFactory(section=adults, text="Primidone is an alternative.", position=0), incomplete)
    long_text = "A very long claim that goes on and on about dosing schedules for older adults."
    ClaimFactory(section=adults, text=long_text, position=1)
    declare_none(article, writer)
    before = snapshot(article)

    with pytest.raises(WorkflowError) as caught:
        perform_transition(article, "submit", by=writer)

    assert caught.value.code == "not_ready"
    assert caught.value.problems == [
        "The short answer (“Tremor often responds to propranolol.”) cites no reference.",
        "Section “Treatment”, claim 1.1 (“It suits people without asthma.”) cites no reference.",
        f"Section “Treatment › Adults”, claim 2 (“{long_text[:59]}…”) cites no reference.",
        "Reference 2 (“Beta blockers in tremor”) has no source, year.",
    ]
    assert caught.value.message == "The article is not ready for review (4 to fix)."
    assert str(caught.value).splitlines()[1] == f"- {caught.value.problems[0]}"
    assert snapshot(article) == before


def test_submit_refuses_an_empty_section_and_a_reference_cited_nowhere_as_the_checklist_does():
    """The service, the author's checklist and the admin's Submit button ask one readiness rule."""
    from editorial.conditions import readiness
    from editorial.review import available_actions
    from writing.workspace import workspace

    writer = author()
    article = ready_article(by=writer)
    SectionFactory(article=article, heading="Later", position=5)
    article.gathered_references.add(ReferenceFactory(title="Gathered, never cited"))
    expected = ["Section “Later” has no claims.", "Reference “Gathered, never cited” is cited nowhere."]
    before = snapshot(article)

    with pytest.raises(WorkflowError) as caught:
        perform_transition(article, "submit", by=writer)

    assert caught.value.problems == expected
    assert [problem.message for problem in workspace(article).checklist] == expected
    assert [problem.message for problem in readiness(article, build_document(article))] == expected
    submit = next(action for action in available_actions(article, writer) if action.name == "submit")
    assert submit.blocked == expected[0]
    assert snapshot(article) == before


def test_submit_refuses_a_blank_short_answer_and_a_reference_without_a_title_year():
    """A whitespace short answer counts as missing; a reference lacking title and year names both."""
    writer = author()
    article = ArticleFactory()
    article.authors.add(writer)
    untitled = ReferenceFactory(title="", year=None)
    cite(ClaimFactory(article=article, section=None, text="   "), untitled)
    cite(ClaimFactory(section=SectionFactory(article=article, heading="Causes"), text="Caffeine."), untitled)
    declare_none(article, writer)

    with pytest.raises(WorkflowError) as caught:
        perform_transition(article, "submit", by=writer)

    assert caught.value.problems == ["Write the short answer.", "Reference 1 (“”) has no title, year."]


def test_submit_counts_a_claim_in_a_sub_section_as_a_section_with_a_claim():
    """Claims may sit only in sub-sections; the article is still ready."""
    article = ArticleFactory()
    writer = author()
    article.authors.add(writer)
    reference = ReferenceFactory()
    cite(ClaimFactory(article=article, section=None, text="Yes."), reference)
    parent = SectionFactory(article=article, heading="Background")
    cite(ClaimFactory(section=SectionFactory(article=article, parent=parent, heading="Detail")), reference)
    declare_none(article, writer)

    perform_transition(article, "submit", by=writer)

    assert article.state == Article.State.SUBMITTED


def test_submit_starts_a_new_review_round_each_time():
    """Every submission opens a round; assignments belong to the round they were made in."""
    board_member = reviewer()
    article = under_review(by=board_member)
    assert article.review_round == 1
    perform_transition(article, "request_changes", by=board_member, comment="Add a dose.")
    article = submitted(article)
    assert article.review_round == 2
    assert ReviewAssignment.objects.current_round(article).count() == 0


# Comments and reasons


COMMENTED = [
    ("request_changes", "under_review", "Say what the authors should change."),
    ("withdraw", "approved", "Give the reason for withdrawing the article."),
    ("reinstate", "withdrawn", "Give the reason for reinstating the article."),
]


def article_in(state: str):
    """An article in ``state`` and a user allowed to act on it next."""
    board_member = reviewer()
    if state == "under_review":
        return under_review(by=board_member), board_member
    if state == "approved":
        return approved(by=board_member), editor()
    return withdrawn(approved(by=board_member)), editor()


@pytest.mark.parametrize("comment", ["", "  \n\t "])
@pytest.mark.parametrize(("transition", "state", "message"), COMMENTED)
def test_transition_needing_a_reason_refuses_an_empty_comment(transition, state, message, comment):
    """request_changes, withdraw and reinstate say a comment is required and change nothing."""
    article, actor = article_in(state)
    before = snapshot(article)

    with pytest.raises(WorkflowError) as caught:
        perform_transition(article, transition, by=actor, comment=comment)

    assert (caught.value.code, caught.value.message) == ("comment_required", message)
    assert snapshot(article) == before


@pytest.mark.parametrize(("transition", "state", "message"), COMMENTED)
def test_reason_is_logged_without_surrounding_whitespace(transition, state, message):
    """The comment given with a transition is stored, stripped, in the log row."""
    article, actor = article_in(state)

    perform_transition(article, transition, by=actor, comment="  Dose was wrong.\n")

    assert TransitionLog.objects.filter(article=article).last().comment == "Dose was wrong."


# Wrong state, unknown action, moved on


WRONG_STATE = [
    ("submit", "submitted", "You cannot submit an article that is submitted."),
    ("submit", "approved", "You cannot submit an article that is approved."),
    ("start_review", "draft", "You cannot start reviewing an article that is draft."),
    ("start_review", "under_review", "You cannot start reviewing an article that is under review."),
    ("request_changes", "submitted", "You cannot request changes to an article that is submitted."),
    ("approve", "draft", "You cannot approve an article that is draft."),
    ("approve", "approved", "You cannot approve an article that is approved."),
    ("revise", "under_review", "You cannot revise an article that is under review."),
    ("revise", "withdrawn", "You cannot revise an article that is withdrawn."),
    ("withdraw", "draft", "You cannot withdraw an article that is draft."),
    ("withdraw", "changes_requested", "You cannot withdraw an article that is changes requested."),
    ("reinstate", "approved", "You cannot reinstate an article that is approved."),
]


def article_at(state: str) -> Article:
    board_member = reviewer()
    if state == "draft":
        return ready_article()
    if state == "submitted":
        return submitted()
    if state == "under_review":
        return under_review(by=board_member)
    if state == "changes_requested":
        article = under_review(by=board_member)
        return perform_transition(article, "request_changes", by=board_member, comment="More.")
    if state == "approved":
        return approved(by=board_member)
    return withdrawn(approved(by=board_member))


@pytest.mark.parametrize(("transition", "state", "message"), WRONG_STATE)
def test_transition_from_the_wrong_state_is_refused(transition, state, message):
    """Even a superuser gets wrong_state, with the state named, and nothing changes."""
    article = article_at(state)
    before = snapshot(article)

    with pytest.raises(WorkflowError) as caught:
        perform_transition(article, transition, by=superuser(), comment="Because.")

    assert (caught.value.code, caught.value.message) == ("wrong_state", message)
    assert not isinstance(caught.value, TransitionForbiddenError)
    assert snapshot(article) == before


@pytest.mark.parametrize("name", ["publish", "assign", "delete", "save", "refresh_from_db"])
def test_unknown_transition_is_refused_before_anything_is_touched(name):
    """Only the seven workflow actions are accepted; model methods are never reached by name."""
    article = ready_article()
    before = snapshot(article)

    with pytest.raises(WorkflowError) as caught:
        perform_transition(article, name, by=superuser())

    assert (caught.value.code, caught.value.message) == ("unknown_transition", f"“{name}” is not a workflow action.")
    assert snapshot(article) == before


def test_stale_article_is_told_it_moved_on():
    """Acting on an instance read before someone else's transition raises moved_on and changes nothing."""
    article = submitted()
    stale = Article.objects.get(pk=article.pk)
    perform_transition(article, "start_review", by=reviewer())
    before = snapshot(article)

    with pytest.raises(ArticleMovedOnError) as caught:
        perform_transition(stale, "start_review", by=reviewer())

    assert caught.value.code == "moved_on"
    assert caught.value.message == "This article moved on: it is now under review. Reload it and try again."
    assert snapshot(article) == before


def test_author_submitting_twice_from_the_same_page_is_told_it_moved_on():
    """The second click of a double submit carries the old state and is refused."""
    article = ready_article()
    page = Article.objects.get(pk=article.pk)
    perform_transition(article, "submit", by=article.authors.first())

    with pytest.raises(ArticleMovedOnError, match="it is now submitted"):
        perform_transition(page, "submit", by=article.authors.first())

    assert TransitionLog.objects.filter(article=article, transition="submit").count() == 1
    assert Article.objects.get(pk=article.pk).review_round == 1


def test_perform_transition_returns_the_saved_article_and_refreshes_the_one_passed():
    """Callers holding the instance see the new state without reloading it."""
    article = ready_article()
    returned = perform_transition(article, "submit", by=article.authors.first())
    assert returned.state == article.state == Article.State.SUBMITTED
    assert returned.pk == article.pk
    assert article.review_round == 1


# Assigning reviewers


def test_editor_assigns_a_reviewer_who_then_owns_the_round():
    """The assignment records round, due date and assigner; the log says whom and when."""
    chief = editor(first_name="Eve", last_name="Editor")
    board_member = reviewer(first_name="Rui", last_name="Reviewer", credentials="MD")
    article = submitted()
    due = in_days(10)

    assignment = assign_reviewer(article, reviewer=board_member, by=chief, due_at=due)

    assert (assignment.round, assignment.due_at, assignment.assigned_by) == (1, due, chief)
    assert assignment.status == ReviewAssignment.Status.ACTIVE
    log = TransitionLog.objects.filter(article=article).last()
    assert (log.transition, log.actor_name) == ("assign", "Eve Editor")
    assert log.comment == f"Assigned to Rui Reviewer, MD, due {due:%Y-%m-%d %H:%M %Z}."
    assert Article.objects.get(pk=article.pk).state == Article.State.SUBMITTED


def test_second_reviewer_can_be_assigned_while_the_review_is_under_way():
    """An editor adds a board member to a round already under review."""
    article = under_review()
    second = reviewer()
    assign_reviewer(article, reviewer=second, by=editor(), due_at=in_days(3))
    assert ReviewAssignment.objects.current_round(article).active().count() == 2


def test_the_same_reviewer_can_be_assigned_again_in_a_later_round():
    """Duplicates are refused per round only."""
    board_member = reviewer()
    article = under_review(by=board_member)
    perform_transition(article, "request_changes", by=board_member, comment="More.")
    article = submitted(article)
    assignment = assign_reviewer(article, reviewer=board_member, by=editor(), due_at=in_days(3))
    assert assignment.round == 2


NOT_ON_BOARD = "is not a member of the Medical Advisory Board."


def assign_refusal_cases():
    """One builder per refusal; each returns (article, reviewer, due_at, code, message)."""

    def past_due():
        return (
            submitted(),
            reviewer(),
            timezone.now() - timedelta(minutes=1),
            "due_in_past",
            "Choose a due date in the future.",
        )

    def not_on_board():
        user = author(first_name="Ann", last_name="Other")
        return submitted(), user, in_days(3), "not_a_reviewer", f"Ann Other {NOT_ON_BOARD}"

    def editor_not_on_board():
        user = editor(first_name="Ed", last_name="Itor")
        return submitted(), user, in_days(3), "not_a_reviewer", f"Ed Itor {NOT_ON_BOARD}"

    def inactive_board_member():
        user = reviewer(first_name="Ina", last_name="Active", is_active=False)
        return submitted(), user, in_days(3), "not_a_reviewer", f"Ina Active {NOT_ON_BOARD}"

    def wrote_it():
        user = UserFactory(groups=[roles.AUTHORS, roles.REVIEWERS], first_name="Co", last_name="Writer")
        article = ready_article(by=user)
        refusal = "Co Writer wrote or edited this article and cannot review it."
        return submitted(article), user, in_days(3), "own_article", refusal

    def already_assigned():
        user = reviewer(first_name="Du", last_name="Plicate")
        article = submitted()
        assign_reviewer(article, reviewer=user, by=editor(), due_at=in_days(3))
        return article, user, in_days(4), "already_assigned", "Du Plicate is already assigned to this round."

    def already_reviewing():
        user = reviewer(first_name="Al", last_name="Ready")
        article = under_review(by=user)
        return article, user, in_days(4), "already_assigned", "Al Ready is already assigned to this round."

    def draft():
        message = "Reviewers are assigned to submitted articles; this one is draft."
        return ready_article(), reviewer(), in_days(3), "wrong_state", message

    def approved_article():
        message = "Reviewers are assigned to submitted articles; this one is approved."
        return approved(), reviewer(), in_days(3), "wrong_state", message

    return [
        past_due,
        not_on_board,
        editor_not_on_board,
        inactive_board_member,
        wrote_it,
        already_assigned,
        already_reviewing,
        draft,
        approved_article,
    ]


@pytest.mark.parametrize("case", assign_refusal_cases(), ids=lambda case: case.__name__)
def test_assign_reviewer_refusals_explain_and_change_nothing(case):
    """Past due dates, non-members, the article's authors, duplicates and wrong states are refused."""
    article, board_member, due, code, message = case()
    before = snapshot(article)

    with pytest.raises(WorkflowError) as caught:
        assign_reviewer(article, reviewer=board_member, by=editor(), due_at=due)

    assert (caught.value.code, caught.value.message) == (code, message)
    assert snapshot(article) == before


def test_start_review_from_the_queue_refuses_a_past_due_date():
    """A reviewer taking an article must give a future due date; no assignment is left behind."""
    article = submitted()
    before = snapshot(article)

    with pytest.raises(WorkflowError) as caught:
        perform_transition(article, "start_review", by=reviewer(), due_at=timezone.now() - timedelta(hours=1))

    assert (caught.value.code, caught.value.message) == ("due_in_past", "Choose a due date in the future.")
    assert snapshot(article) == before


# Claim reviews and approval conditions


def test_record_claim_review_stores_the_claims_fingerprint_and_assignment():
    """A mark records which content it was made on, so later edits can void it."""
    board_member = reviewer()
    article = under_review(by=board_member)
    claim = claims_of(article)[1]

    review = record_claim_review(claim, by=board_member, verified=True, comment="  Matches the trial. ")

    assert review.claim_uuid == claim.uuid
    assert review.claim_fingerprint == claim_fingerprints(build_document(article))[str(claim.uuid)]
    assert review.assignment == ReviewAssignment.objects.get(article=article, reviewer=board_member)
    assert review.comment == "Matches the trial."


@pytest.mark.parametrize("comment", ["", "   "])
def test_claim_needing_change_requires_a_comment(comment):
    """verified=False without saying what to change is refused and nothing is recorded."""
    board_member = reviewer()
    article = under_review(by=board_member)

    with pytest.raises(WorkflowError) as caught:
        record_claim_review(claims_of(article)[0], by=board_member, verified=False, comment=comment)

    assert (caught.value.code, caught.value.message) == ("comment_required", "Say what needs to change in this claim.")
    assert not ClaimReview.objects.exists()


def test_claim_needing_change_is_recorded_with_its_comment():
    """A reviewer's objection to a claim is kept with the comment."""
    board_member = reviewer()
    article = under_review(by=board_member)

    review = record_claim_review(claims_of(article)[0], by=board_member, verified=False, comment="Wrong dose.")

    assert (review.verified, review.comment) == (False, "Wrong dose.")


@pytest.mark.parametrize("state", ["draft", "submitted", "changes_requested", "approved"])
def test_claims_are_reviewed_only_while_under_review(state):
    """Outside a review, claim marks are refused with wrong_state."""
    article = article_at(state)
    before = snapshot(article)

    with pytest.raises(WorkflowError) as caught:
        record_claim_review(claims_of(article)[0], by=superuser(), verified=True)

    assert caught.value.code == "wrong_state"
    assert caught.value.message.startswith("Claims are checked while the article is under review; it is ")
    assert snapshot(article) == before


def test_approve_is_refused_until_every_claim_is_verified_and_names_the_rest():
    """Verifying only the short answer leaves the section's claims listed as unverified."""
    board_member = reviewer()
    article = under_review(by=board_member)
    summary, first, second = claims_of(article)
    record_claim_review(summary, by=board_member, verified=True)
    before = snapshot(article)

    with pytest.raises(WorkflowError) as caught:
        perform_transition(article, "approve", by=board_member)

    assert (caught.value.code, caught.value.message) == ("claims_not_verified", "Verify every claim before approving.")
    assert caught.value.problems == [
        "2 of 3 claims are not verified yet.",
        f"Section “Treatment”, claim 1 (“{first.text}”) is not verified.",
        f"Section “Treatment”, claim 2 (“{second.text}”) is not verified.",
    ]
    assert snapshot(article) == before


def test_approve_requires_the_short_answer_to_be_verified_too():
    """The short answer is a claim like the others."""
    board_member = reviewer()
    article = under_review(by=board_member)
    summary, *rest = claims_of(article)
    for claim in rest:
        record_claim_review(claim, by=board_member, verified=True)

    with pytest.raises(WorkflowError) as caught:
        perform_transition(article, "approve", by=board_member)

    assert caught.value.problems == [
        "1 of 3 claims is not verified yet.",
        "The short answer (“The short answer.”) is not verified.",
    ]


def test_latest_mark_on_a_claim_decides():
    """Verified then needs-change counts as unverified; needs-change then verified counts as verified."""
    board_member = reviewer()
    article = under_review(by=board_member)
    summary, first, second = claims_of(article)
    verify_all(article, board_member)
    record_claim_review(first, by=board_member, verified=False, comment="On reflection, no.")
    record_claim_review(second, by=board_member, verified=False, comment="Needs a source.")
    record_claim_review(second, by=board_member, verified=True)

    with pytest.raises(WorkflowError) as caught:
        perform_transition(article, "approve", by=board_member)

    assert caught.value.problems == [
        "1 of 3 claims is not verified yet.",
        f"Section “Treatment”, claim 1 (“{first.text}”) is not verified.",
    ]


def test_another_reviewers_marks_do_not_count_for_the_approver():
    """Verification is personal: a second assigned reviewer must check every claim themselves."""
    first, second = reviewer(), reviewer()
    article = under_review(by=first)
    assign_reviewer(article, reviewer=second, by=editor(), due_at=in_days(3))
    declare_none(article, second, role="reviewer")
    verify_all(article, first)

    with pytest.raises(WorkflowError) as caught:
        perform_transition(article, "approve", by=second)

    assert caught.value.problems[0] == "3 of 3 claims are not verified yet."


# Decisions close the round


def test_request_changes_closes_the_round():
    """The decider's assignment records changes requested; other open assignments close."""
    first, second = reviewer(), reviewer()
    article = under_review(by=first)
    assign_reviewer(article, reviewer=second, by=editor(), due_at=in_days(3))

    perform_transition(article, "request_changes", by=first, comment="Cite the guideline.")

    statuses = dict(ReviewAssignment.objects.filter(article=article).values_list("reviewer", "status"))
    assert statuses == {first.pk: "changes_requested", second.pk: "closed"}
    assert not ReviewAssignment.objects.filter(article=article, closed_at__isnull=True).exists()


def test_approve_closes_the_round_and_records_the_approved_hash():
    """The approver's assignment records the hash it approved; others close without a decision."""
    first, second = reviewer(), reviewer()
    article = under_review(by=first)
    assign_reviewer(article, reviewer=second, by=editor(), due_at=in_days(3))
    verify_all(article, first)

    article = perform_transition(article, "approve", by=first)

    mine = ReviewAssignment.objects.get(article=article, reviewer=first)
    assert (mine.status, mine.approved_content_hash) == ("approved", article.live_version.content_hash)
    assert ReviewAssignment.objects.get(article=article, reviewer=second).status == "closed"


def test_full_lifecycle_writes_one_log_row_per_step():
    """Submit, review, changes, resubmit, approve, revise, approve, withdraw, reinstate: all logged in order."""
    writer = author()
    board_member = reviewer()
    chief = editor()
    article = ready_article(by=writer)
    article = perform_transition(article, "submit", by=writer)
    assign_reviewer(article, reviewer=board_member, by=chief, due_at=in_days(5))
    perform_transition(article, "start_review", by=board_member)
    declare_none(article, board_member, role="reviewer")
    perform_transition(article, "request_changes", by=board_member, comment="Add a dose.")
    declare_none(article, writer)
    perform_transition(article, "submit", by=writer)
    perform_transition(article, "start_review", by=board_member)
    declare_none(article, board_member, role="reviewer")
    verify_all(article, board_member)
    perform_transition(article, "approve", by=board_member)
    perform_transition(article, "revise", by=chief)
    declare_none(article, writer)
    perform_transition(article, "submit", by=chief)
    perform_transition(article, "start_review", by=board_member)
    declare_none(article, board_member, role="reviewer")
    verify_all(article, board_member)
    perform_transition(article, "approve", by=board_member, change_note="Re-reviewed.")
    perform_transition(article, "withdraw", by=chief, comment="Superseded.")
    perform_transition(article, "reinstate", by=chief, comment="Still valid.")

    rows = list(
        TransitionLog.objects.filter(article=article).values_list("transition", "from_state", "to_state", "actor")
    )
    # Each round's declarations of competing interests are in the log too (integrity.Declaration).
    assert rows == [
        ("declare_interests", "draft", "draft", writer.pk),
        ("submit", "draft", "submitted", writer.pk),
        ("assign", "submitted", "submitted", chief.pk),
        ("start_review", "submitted", "under_review", board_member.pk),
        ("declare_interests", "under_review", "under_review", board_member.pk),
        ("request_changes", "under_review", "changes_requested", board_member.pk),
        ("declare_interests", "changes_requested", "changes_requested", writer.pk),
        ("submit", "changes_requested", "submitted", writer.pk),
        ("start_review", "submitted", "under_review", board_member.pk),
        ("declare_interests", "under_review", "under_review", board_member.pk),
        ("approve", "under_review", "approved", board_member.pk),
        ("revise", "approved", "draft", chief.pk),
        ("declare_interests", "draft", "draft", writer.pk),
        ("submit", "draft", "submitted", chief.pk),
        ("start_review", "submitted", "under_review", board_member.pk),
        ("declare_interests", "under_review", "under_review", board_member.pk),
        ("approve", "under_review", "approved", board_member.pk),
        ("withdraw", "approved", "withdrawn", chief.pk),
        ("reinstate", "withdrawn", "approved", chief.pk),
    ]
    assert article.state == Article.State.APPROVED
    assert article.review_round == 3
    assert list(article.versions.values_list("number", flat=True)) == [2, 1]


def test_long_names_with_credentials_fit_the_log():
    """A full name plus credentials longer than the log column is cut to fit rather than failing the transition."""
    writer = author(first_name="A" * 150, last_name="B" * 150, credentials="C" * 100)
    article = ready_article(by=writer)

    perform_transition(article, "submit", by=writer)

    log = TransitionLog.objects.get(article=article, transition="submit")
    assert log.actor == writer
    assert log.actor_name == writer.display_name[:200]


# Atomicity: a failing step leaves nothing half-written


def fail_in_the_database(**kwargs):
    """Stand in for an insert and make the database itself raise, as a full disk or lost connection would."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM vetted_table_that_does_not_exist")


def test_failed_version_write_leaves_the_approval_undone():
    """If freezing the version fails, state, assignment, log, versions and history are as before."""
    board_member = reviewer()
    article = under_review(by=board_member)
    verify_all(article, board_member)
    before = snapshot(article)

    with (
        mock.patch.object(ArticleVersion.objects, "create", side_effect=DatabaseError("disk full")),
        pytest.raises(DatabaseError),
    ):
        perform_transition(article, "approve", by=board_member)

    assert snapshot(article) == before
    assignment = ReviewAssignment.objects.get(article=article)
    assert (assignment.status, assignment.approved_content_hash) == ("active", "")
    assert article.state == Article.State.UNDER_REVIEW
    perform_transition(article, "approve", by=board_member)
    assert article.live_version.number == 1


def test_failed_reapproval_keeps_the_first_version_live():
    """A second approval that fails at the last step leaves version 1 live and the revision under review."""
    board_member = reviewer()
    article = approved(by=board_member)
    live = article.live_version
    article = perform_transition(article, "revise", by=article.authors.first())
    article = under_review(article, by=board_member)
    verify_all(article, board_member)
    before = snapshot(article)

    with (
        mock.patch.object(TransitionLog.objects, "create", side_effect=fail_in_the_database),
        pytest.raises(DatabaseError),
    ):
        perform_transition(article, "approve", by=board_member, change_note="Revised.")

    assert snapshot(article) == before
    assert Article.objects.get(pk=article.pk).live_version == live
    assert list(article.versions.all()) == [live]


def writers_of(state: str):
    """An article in ``state`` and a call that performs its next step, for the atomicity table."""
    board_member = reviewer()
    if state == "draft":
        article = ready_article()
        return article, lambda: perform_transition(article, "submit", by=article.authors.first())
    if state == "queue":
        article = submitted()
        return article, lambda: perform_transition(article, "start_review", by=board_member)
    if state == "assign":
        article = submitted()
        return article, lambda: assign_reviewer(article, reviewer=board_member, by=editor(), due_at=in_days(2))
    if state == "under_review":
        article = under_review(by=board_member)
        return article, lambda: perform_transition(article, "request_changes", by=board_member, comment="More.")
    if state == "verified":
        article = under_review(by=board_member)
        verify_all(article, board_member)
        return article, lambda: perform_transition(article, "approve", by=board_member)
    if state == "approved":
        article = approved(by=board_member)
        return article, lambda: perform_transition(article, "revise", by=article.authors.first())
    article = approved(by=board_member)
    return article, lambda: perform_transition(article, "withdraw", by=editor(), comment="Outdated.")


@pytest.mark.parametrize("state", ["draft", "queue", "assign", "under_review", "verified", "approved", "withdraw"])
def test_database_failure_writing_the_log_rolls_back_the_whole_step(state):
    """The log is written last; when the database fails there, the state, assignments and history roll back."""
    article, step = writers_of(state)
    before = snapshot(article)

    with (
        mock.patch.object(TransitionLog.objects, "create", side_effect=fail_in_the_database),
        pytest.raises(DatabaseError),
    ):
        step()

    assert snapshot(article) == before
    step()
    assert snapshot(article) != before


@override_settings(VETTED_REQUIRED_APPROVALS=2)
def test_failed_first_of_two_approvals_leaves_the_assignment_open():
    """With two approvals required, a failure while recording the first leaves the reviewer's assignment active."""
    board_member = reviewer()
    article = under_review(by=board_member)
    verify_all(article, board_member)
    before = snapshot(article)

    with (
        mock.patch.object(TransitionLog.objects, "create", side_effect=DatabaseError("lost connection")),
        pytest.raises(DatabaseError),
    ):
        perform_transition(article, "approve", by=board_member)

    assert snapshot(article) == before
    assert ReviewAssignment.objects.get(article=article).status == ReviewAssignment.Status.ACTIVE


def test_review_due_days_setting_is_used_for_queue_assignments():
    """The default due date follows VETTED_REVIEW_DUE_DAYS."""
    article = submitted()
    with override_settings(VETTED_REVIEW_DUE_DAYS=2):
        perform_transition(article, "start_review", by=reviewer())
    due = ReviewAssignment.objects.get(article=article).due_at
    assert timezone.now() + timedelta(days=1, hours=23) < due <= timezone.now() + timedelta(days=2)


def _assignment():
    article = ready_article()
    article = perform_transition(article, "submit", by=article.authors.get())
    return assign_reviewer(article, reviewer=reviewer(), by=editor(), due_at=in_days(3))


def test_only_the_assigned_reviewer_may_decline_and_a_refusal_changes_nothing():
    """Another board member, an editor or an anonymous user is refused; the assignment stays open."""
    assignment = _assignment()
    before = snapshot(assignment.article)
    for stranger in (reviewer(), assignment.assigned_by, AnonymousUser()):
        with pytest.raises(TransitionForbiddenError):
            decline_assignment(assignment, by=stranger, reason="Not mine to decline.")
    with pytest.raises(WorkflowError) as no_reason:
        decline_assignment(assignment, by=assignment.reviewer, reason="  ")
    assert no_reason.value.code == "reason_required"
    assert snapshot(assignment.article) == before

    declined = decline_assignment(assignment, by=assignment.reviewer, reason="Conflict of interest.")
    assert (declined.status, declined.decline_reason) == ("declined", "Conflict of interest.")
    assert declined.closed_at is not None
    assert snapshot(assignment.article)["logs"] != before["logs"]


def test_a_declined_assignment_needs_its_reason_in_the_database():
    """The check constraint refuses a declined row without a reason, whatever wrote it."""
    assignment = _assignment()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewAssignment.objects.filter(pk=assignment.pk).update(status="declined")


def test_a_control_character_in_a_workflow_comment_is_refused_and_changes_nothing():
    """Comments reach the log through the services, which apply the field's text rule before writing."""
    article = under_review()
    member = ReviewAssignment.objects.get(article=article).reviewer
    before = snapshot(article)
    with pytest.raises(WorkflowError, match="U\\+0000"):
        perform_transition(article, "request_changes", by=member, comment="Fix\x00 this")
    with pytest.raises(WorkflowError, match="U\\+0007"):
        record_claim_review(article.claims.first(), by=member, verified=False, comment="Bell\x07")
    assert snapshot(article) == before
