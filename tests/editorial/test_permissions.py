"""Who may perform each workflow action on which article: every role, allowed and refused."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_fsm import has_transition_perm

from accounts.models import User
from articles.models import Article, Claim
from editorial import permissions, roles
from editorial.exceptions import TransitionForbiddenError, WorkflowError
from editorial.models import ArticleVersion, ClaimReview, ReviewAssignment, TransitionLog
from editorial.services import assign_reviewer, change_authors, perform_transition, record_claim_review
from tests.factories import ArticleFactory, BoardMemberFactory, UserFactory
from tests.workflow import (
    approved,
    author,
    declare_authors,
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

COMMENT = "Checked against the cited guideline."


@dataclass
class Scene:
    """An article in a given state, with its author and the board member of its latest round."""

    article: Article
    author: User
    reviewer: User | None
    candidate: User  # a board member an editor could assign next


def build_scene(name: str) -> Scene:
    """Walk a fresh article to the named point of the workflow."""
    writer = author(first_name="Ada", last_name="Author")
    board_member = reviewer(first_name="Rui", last_name="Reviewer", credentials="MD")
    candidate = reviewer(first_name="Cai", last_name="Candidate")
    article = ready_article(by=writer)
    assigned = board_member
    if name == "draft":
        assigned = None
    elif name == "changes_requested":
        article = under_review(article, by=board_member)
        perform_transition(article, "request_changes", by=board_member, comment="Cite a trial.")
    elif name == "queue":
        article = submitted(article)
        assigned = None
    elif name == "assigned":
        article = submitted(article)
        assign_reviewer(article, reviewer=board_member, by=editor(), due_at=in_days(7))
    elif name == "under_review":
        article = under_review(article, by=board_member)
    elif name == "verified":
        article = under_review(article, by=board_member)
        verify_all(article, board_member)
    elif name == "approved":
        article = approved(article, by=board_member)
    elif name == "withdrawn":
        article = withdrawn(approved(article, by=board_member))
    else:
        raise AssertionError(f"unknown scene {name}")
    article.refresh_from_db()
    return Scene(article=article, author=writer, reviewer=assigned, candidate=candidate)


def make_actor(role: str, scene: Scene):
    """Create (or pick) the user playing ``role`` on the scene's article."""
    article = scene.article
    if role == "author":
        return scene.author
    if role == "other_author":
        user = author()
        ArticleFactory().authors.add(user)
        return user
    if role == "assigned_reviewer":
        return scene.reviewer
    if role == "other_reviewer":
        return reviewer()
    if role == "reviewer_author":
        user = UserFactory(groups=[roles.AUTHORS, roles.REVIEWERS])
        article.authors.add(user)
        return user
    if role == "editor":
        return editor()
    if role == "editor_reviewer":
        return UserFactory(groups=[roles.EDITORS, roles.REVIEWERS])
    if role == "superuser_author":
        user = superuser()
        article.authors.add(user)
        return user
    if role == "superuser":
        return superuser()
    if role == "inactive_author":
        user = author(is_active=False)
        article.authors.add(user)
        return user
    if role == "inactive_superuser":
        return superuser(is_active=False)
    if role == "anonymous":
        return AnonymousUser()
    raise AssertionError(f"unknown role {role}")


def act(action: str, scene: Scene, actor):
    """Perform ``action`` through the service every caller uses."""
    if action == "assign":
        return assign_reviewer(scene.article, reviewer=scene.candidate, by=actor, due_at=in_days(5))
    if action == "record_claim_review":
        claim = Claim.objects.filter(article=scene.article).in_sections().first()
        return record_claim_review(claim, by=actor, verified=True)
    return perform_transition(scene.article, action, by=actor, comment=COMMENT)


LOGIN = "Log in with an active account to do this."
BOARD = "Only a member of the Medical Advisory Board can review articles."
WROTE_IT = "You wrote or edited this article, so another board member must review it."
ASSIGNED_ELSEWHERE = "This article is assigned to {reviewer}."
ASSIGN = "Only an editor can assign reviewers."
NOBODY_INACTIVE = {"inactive_author": LOGIN, "inactive_superuser": LOGIN, "anonymous": LOGIN}


def author_or_editor(verb: str) -> str:
    return f"Only an author of this article or an editor can {verb} it."


def editor_only(verb: str) -> str:
    return f"Only an editor can {verb} an article."


def wrote(verb: str) -> str:
    return f"You wrote or edited this article, so you cannot {verb} it."


def only_assigned(verb: str) -> str:
    return f"Only the reviewer assigned to this article can {verb} it."


def assigned_reviewer_rule(verb: str) -> dict:
    return {
        "author": wrote(verb),
        "other_author": only_assigned(verb),
        "assigned_reviewer": None,
        "other_reviewer": only_assigned(verb),
        "reviewer_author": wrote(verb),
        "editor": only_assigned(verb),
        "editor_reviewer": only_assigned(verb),
        "superuser_author": wrote(verb),
        "superuser": only_assigned(verb),
        **NOBODY_INACTIVE,
    }


def writers_rule(verb: str, *, with_reviewer: bool) -> dict:
    rule = {
        "author": None,
        "other_author": author_or_editor(verb),
        "other_reviewer": author_or_editor(verb),
        "reviewer_author": None,
        "editor": None,
        "editor_reviewer": None,
        "superuser_author": None,
        "superuser": None,
        **NOBODY_INACTIVE,
    }
    if with_reviewer:
        rule["assigned_reviewer"] = author_or_editor(verb)
    return rule


def editors_rule(message: str, *, with_reviewer: bool) -> dict:
    rule = {
        "author": message,
        "other_author": message,
        "other_reviewer": message,
        "reviewer_author": message,
        "editor": None,
        "editor_reviewer": None,
        "superuser_author": None,
        "superuser": None,
        **NOBODY_INACTIVE,
    }
    if with_reviewer:
        rule["assigned_reviewer"] = message
    return rule


# (action, scene) -> {role: None when allowed, else the refusal message}. A role missing from
# a row does not exist in that scene (no reviewer is assigned to a draft or a queued article).
MATRIX = {
    ("submit", "draft"): writers_rule("submit", with_reviewer=False),
    ("submit", "changes_requested"): writers_rule("submit", with_reviewer=True),
    ("start_review", "queue"): {
        "author": BOARD,
        "other_author": BOARD,
        "other_reviewer": None,
        "reviewer_author": WROTE_IT,
        "editor": BOARD,
        "editor_reviewer": None,
        "superuser_author": WROTE_IT,
        "superuser": None,
        **NOBODY_INACTIVE,
    },
    ("start_review", "assigned"): {
        "author": BOARD,
        "other_author": BOARD,
        "assigned_reviewer": None,
        "other_reviewer": ASSIGNED_ELSEWHERE,
        "reviewer_author": WROTE_IT,
        "editor": BOARD,
        "editor_reviewer": ASSIGNED_ELSEWHERE,
        "superuser_author": WROTE_IT,
        "superuser": ASSIGNED_ELSEWHERE,
        **NOBODY_INACTIVE,
    },
    ("request_changes", "under_review"): assigned_reviewer_rule("request changes to"),
    ("approve", "verified"): assigned_reviewer_rule("approve"),
    ("record_claim_review", "under_review"): assigned_reviewer_rule("review the claims of"),
    ("revise", "approved"): writers_rule("revise", with_reviewer=True),
    ("withdraw", "approved"): editors_rule(editor_only("withdraw"), with_reviewer=True),
    ("reinstate", "withdrawn"): editors_rule(editor_only("reinstate"), with_reviewer=True),
    ("assign", "queue"): editors_rule(ASSIGN, with_reviewer=False),
    ("assign", "under_review"): editors_rule(ASSIGN, with_reviewer=True),
}

ALLOWED = [(action, scene, role) for (action, scene), rule in MATRIX.items() for role, why in rule.items() if not why]
REFUSED = [(action, scene, role, why) for (action, scene), rule in MATRIX.items() for role, why in rule.items() if why]

REFUSED_IDS = [f"{action}-{scene}-{role}" for action, scene, role, _ in REFUSED]

TARGETS = {
    "submit": Article.State.SUBMITTED,
    "start_review": Article.State.UNDER_REVIEW,
    "request_changes": Article.State.CHANGES_REQUESTED,
    "approve": Article.State.APPROVED,
    "revise": Article.State.DRAFT,
    "withdraw": Article.State.WITHDRAWN,
    "reinstate": Article.State.APPROVED,
}


def test_matrix_names_every_role_for_every_action():
    """Each row of the matrix decides every role that exists in its scene, so no case is forgotten."""
    everyone = {
        "author",
        "other_author",
        "assigned_reviewer",
        "other_reviewer",
        "reviewer_author",
        "editor",
        "editor_reviewer",
        "superuser_author",
        "superuser",
        "inactive_author",
        "inactive_superuser",
        "anonymous",
    }
    without_reviewer = {("submit", "draft"), ("start_review", "queue"), ("assign", "queue")}
    for key, rule in MATRIX.items():
        expected = everyone - {"assigned_reviewer"} if key in without_reviewer else everyone
        assert set(rule) == expected, key
    assert {action for action, _ in MATRIX} == {*TARGETS, "assign", "record_claim_review"}


@pytest.mark.parametrize(("action", "scene_name", "role", "reason"), REFUSED, ids=REFUSED_IDS)
def test_refused_role_gets_forbidden_and_nothing_changes(action, scene_name, role, reason):
    """A role the rules exclude gets TransitionForbiddenError with the reason; state, log, assignments stay."""
    scene = build_scene(scene_name)
    actor = make_actor(role, scene)
    before = snapshot(scene.article)
    state_before = scene.article.state

    with pytest.raises(TransitionForbiddenError) as caught:
        act(action, scene, actor)

    assert caught.value.code == "forbidden"
    assert isinstance(caught.value, PermissionDenied)
    assert caught.value.message == reason.format(reviewer=scene.reviewer)
    assert snapshot(scene.article) == before
    assert scene.article.state == state_before


@pytest.mark.parametrize(("action", "scene_name", "role"), [row for row in ALLOWED if row[0] in TARGETS])
def test_allowed_role_moves_the_article_and_logs_it(action, scene_name, role):
    """A role the rules admit moves the article to the target state and one log row names them."""
    scene = build_scene(scene_name)
    actor = make_actor(role, scene)
    from_state = scene.article.state
    if action == "submit":
        declare_authors(scene.article)  # ready for review: a condition, not a permission
    logs_before = TransitionLog.objects.filter(article=scene.article).count()

    returned = act(action, scene, actor)

    assert returned.state == TARGETS[action]
    assert scene.article.state == TARGETS[action]
    assert Article.objects.get(pk=scene.article.pk).state == TARGETS[action]
    assert TransitionLog.objects.filter(article=scene.article).count() == logs_before + 1
    log = TransitionLog.objects.filter(article=scene.article).last()
    assert (log.transition, log.from_state, log.to_state, log.comment) == (action, from_state, TARGETS[action], COMMENT)
    assert (log.actor, log.actor_name) == (actor, actor.display_name)


@pytest.mark.parametrize(("action", "scene_name", "role"), [row for row in ALLOWED if row[0] == "assign"])
def test_allowed_role_assigns_a_reviewer_and_logs_it(action, scene_name, role):
    """An editor (or superuser) assigns a board member to the current round; the log says who and when."""
    scene = build_scene(scene_name)
    actor = make_actor(role, scene)
    state = scene.article.state

    assignment = act(action, scene, actor)

    assert (assignment.reviewer, assignment.assigned_by, assignment.round) == (scene.candidate, actor, 1)
    assert assignment.status == ReviewAssignment.Status.ACTIVE
    assert assignment.due_at > timezone.now() + timedelta(days=4)
    assert Article.objects.get(pk=scene.article.pk).state == state
    log = TransitionLog.objects.filter(article=scene.article).last()
    assert (log.transition, log.from_state, log.to_state, log.actor) == ("assign", state, state, actor)
    assert log.comment.startswith("Assigned to Cai Candidate, due ")


@pytest.mark.parametrize(("action", "scene_name", "role"), [row for row in ALLOWED if row[0] == "record_claim_review"])
def test_allowed_role_records_a_claim_review(action, scene_name, role):
    """Only the assigned reviewer marks claims; the mark belongs to their assignment and writes no log row."""
    scene = build_scene(scene_name)
    actor = make_actor(role, scene)
    logs_before = TransitionLog.objects.filter(article=scene.article).count()

    review = act(action, scene, actor)

    assert review.assignment == ReviewAssignment.objects.get(article=scene.article, reviewer=actor)
    assert review.verified is True
    assert ClaimReview.objects.filter(assignment__article=scene.article).count() == 1
    assert TransitionLog.objects.filter(article=scene.article).count() == logs_before


def test_author_cannot_approve_own_article():
    """The article's author is refused with the reason that they wrote it."""
    scene = build_scene("verified")
    with pytest.raises(TransitionForbiddenError, match="You wrote or edited this article, so you cannot approve it."):
        perform_transition(scene.article, "approve", by=scene.author)
    assert Article.objects.get(pk=scene.article.pk).state == Article.State.UNDER_REVIEW


def test_superuser_cannot_approve_article_they_wrote_even_when_assigned_and_verified():
    """Authorship beats every permission: a superuser who took the review and then co-wrote cannot approve."""
    admin = superuser(first_name="Sam", last_name="Root")
    article = under_review(by=admin)
    verify_all(article, admin)
    article.authors.add(admin)
    before = snapshot(article)

    with pytest.raises(TransitionForbiddenError) as caught:
        perform_transition(article, "approve", by=admin)

    assert caught.value.message == "You wrote or edited this article, so you cannot approve it."
    assert snapshot(article) == before
    assert article.live_version is None


def test_superuser_who_is_not_an_author_can_take_review_and_approve():
    """Superusers hold the board's permission, so one who did not write the article can review it."""
    admin = superuser()
    BoardMemberFactory(user=admin)  # credited on the page, so on the board page too
    article = approved(by=admin)
    assert article.state == Article.State.APPROVED
    assert article.live_version.approved_by == admin


def test_reviewer_takes_unassigned_submission_from_queue_with_default_due_date():
    """start_review by an unassigned board member records a self-assignment due in the configured days."""
    board_member = reviewer()
    article = submitted()
    started = timezone.now()

    perform_transition(article, "start_review", by=board_member)

    assignment = ReviewAssignment.objects.get(article=article)
    assert (assignment.reviewer, assignment.assigned_by, assignment.round) == (board_member, board_member, 1)
    assert assignment.status == ReviewAssignment.Status.ACTIVE
    expected_due = started + timedelta(days=settings.VETTED_REVIEW_DUE_DAYS)
    assert expected_due <= assignment.due_at <= timezone.now() + timedelta(days=settings.VETTED_REVIEW_DUE_DAYS)


def test_reviewer_taking_from_queue_may_choose_the_due_date():
    """A due date given with start_review is recorded on the self-assignment."""
    board_member = reviewer()
    article = submitted()
    due = in_days(3)

    perform_transition(article, "start_review", by=board_member, due_at=due)

    assert ReviewAssignment.objects.get(article=article, reviewer=board_member).due_at == due


def test_assigned_reviewer_starts_review_on_the_editors_assignment():
    """The assigned reviewer's start_review uses the editor's assignment and due date; none is added."""
    scene = build_scene("assigned")
    assignment = ReviewAssignment.objects.get(article=scene.article)

    perform_transition(scene.article, "start_review", by=scene.reviewer, due_at=in_days(30))

    assert list(ReviewAssignment.objects.filter(article=scene.article)) == [assignment]
    assert ReviewAssignment.objects.get(pk=assignment.pk).due_at == assignment.due_at


def test_reviewer_cannot_take_a_submission_assigned_to_someone_else():
    """The queue is closed once an editor assigned the article; the refusal names the assigned reviewer."""
    scene = build_scene("assigned")
    with pytest.raises(TransitionForbiddenError, match="This article is assigned to Rui Reviewer, MD."):
        perform_transition(scene.article, "start_review", by=reviewer())
    assert ReviewAssignment.objects.filter(article=scene.article).count() == 1


def test_editor_who_is_also_a_reviewer_can_review_and_approve():
    """Editors do not review by office, but an editor on the board reviews like any board member."""
    board_editor = UserFactory(groups=[roles.EDITORS, roles.REVIEWERS])
    BoardMemberFactory(user=board_editor)
    article = approved(by=board_editor)
    assert article.state == Article.State.APPROVED
    assert ArticleVersion.objects.get(article=article).approved_by == board_editor


def test_reviewer_of_an_earlier_round_cannot_decide_the_current_one():
    """After changes were requested and the article resubmitted, the old assignment no longer counts."""
    first = reviewer()
    article = under_review(by=first)
    verify_all(article, first)
    perform_transition(article, "request_changes", by=first, comment="Add a dose.")
    article = perform_transition(submitted(article), "start_review", by=reviewer())

    for transition in ("approve", "request_changes"):
        with pytest.raises(TransitionForbiddenError, match="Only the reviewer assigned to this article"):
            perform_transition(article, transition, by=first, comment="Still fine.")
    assert Article.objects.get(pk=article.pk).state == Article.State.UNDER_REVIEW


def test_permission_predicates_and_fsm_transition_permissions_give_the_same_answers():
    """Views and templates ask can_*; django-fsm asks the transitions' permission=; both follow the rules."""
    scene = build_scene("verified")
    assert permissions.can_approve(scene.reviewer, scene.article)
    assert has_transition_perm(scene.article.approve, scene.reviewer)
    for outsider in (scene.author, editor(), AnonymousUser()):
        assert not permissions.can_approve(outsider, scene.article)
        assert not has_transition_perm(scene.article.approve, outsider)
    assert not permissions.can_edit_content(scene.author, scene.article)
    draft = ready_article()
    writer = draft.authors.first()
    assert permissions.can_submit(writer, draft)
    assert has_transition_perm(draft.submit, writer)
    assert not permissions.can_submit(reviewer(), draft)
    assert not has_transition_perm(draft.submit, reviewer())
    assert permissions.can_edit_content(writer, draft)
    assert permissions.can_edit_content(editor(), draft)
    assert not permissions.can_edit_content(author(), draft)


def _edit_first_claim(article: Article, by) -> None:
    claim = article.claims.in_sections().first()
    claim.text = f"{claim.text} Edited."
    claim._history_user = by
    claim.save()


def test_board_member_who_edited_this_rounds_content_cannot_review_or_be_assigned():
    """Four-eyes covers editing as well as authorship: a board member who changed a claim reviews none of it."""
    both = UserFactory(groups=[roles.EDITORS, roles.REVIEWERS], first_name="Eve", last_name="Both")
    article = ready_article()
    _edit_first_claim(article, both)
    article = submitted(article)
    before = snapshot(article)

    with pytest.raises(TransitionForbiddenError) as caught:
        perform_transition(article, "start_review", by=both)
    assert caught.value.message == "You wrote or edited this article, so another board member must review it."
    with pytest.raises(WorkflowError, match="wrote or edited this article"):
        assign_reviewer(article, reviewer=both, by=editor(), due_at=in_days(3))
    assert snapshot(article) == before
    assert permissions.can_perform("start_review", reviewer(), article)


def test_edits_approved_in_an_earlier_round_do_not_bar_the_next_review():
    """Only this round's content counts: a board member whose edit was approved before may review the revision."""
    both = UserFactory(groups=[roles.EDITORS, roles.REVIEWERS])
    article = ready_article()
    _edit_first_claim(article, both)
    article = approved(article)
    writer = article.authors.first()
    article = perform_transition(article, "revise", by=writer)
    declare_authors(article)
    article = perform_transition(article, "submit", by=writer)
    assert permissions.refusal("start_review", both, article) is None


def test_someone_who_was_an_author_once_cannot_review_after_leaving_the_authors():
    """Authorship is read from the history: leaving the author list does not make a writer a reviewer."""
    writer = UserFactory(groups=[roles.AUTHORS, roles.REVIEWERS])
    colleague = author()
    article = ready_article(by=writer)
    change_authors(article, authors=[colleague], by=editor())
    article = submitted(Article.objects.get(pk=article.pk))
    assert not permissions.is_author_of(writer, article)
    assert permissions.refusal("start_review", writer, article) == (
        "You wrote or edited this article, so another board member must review it."
    )


def test_only_editors_change_authors_and_the_log_records_it():
    """An author cannot hand their article to someone else; an editor can, and the change is logged."""
    writer = author(first_name="Ada", last_name="Author")
    colleague = author(first_name="Col", last_name="League")
    article = ready_article(by=writer)
    with pytest.raises(TransitionForbiddenError):
        change_authors(article, authors=[colleague], by=writer)
    assert list(article.authors.all()) == [writer]

    change_authors(article, authors=[writer, colleague], by=editor(first_name="Ed", last_name="Itor"))
    entry = TransitionLog.objects.get(article=article, transition="change_authors")
    assert entry.comment == "Authors: Ada Author, Col League (were: Ada Author)."
    assert set(article.authors.all()) == {writer, colleague}
    with pytest.raises(WorkflowError, match="at least one author"):
        change_authors(article, authors=[], by=editor())
    with pytest.raises(WorkflowError, match="cannot write articles"):
        change_authors(article, authors=[reviewer()], by=editor())
