"""The workflow's single entry points. Views, admin, commands, tasks and tests call these.

Each one locks the article row, checks permission and conditions, applies the change, writes
the transition log and history, and commits all of it at once or nothing at all.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from articles.document import (
    build_document,
    claim_fingerprint,
    claim_fingerprints,
    content_hash,
    search_headings,
    search_text,
)
from articles.models import Article, Claim
from articles.text import one_line
from editorial import conditions, notifications, permissions, purges, schedule
from editorial.credits import credited_checks, review_credits
from editorial.exceptions import ArticleMovedOnError, TransitionForbiddenError, WorkflowError
from editorial.models import ArticleVersion, ClaimReview, ReviewAssignment, TransitionLog
from editorial.transitions import TRANSITIONS
from integrity.models import Declaration
from integrity.selectors import latest_declarations, round_declarations
from reader.live import notify_workflow_change
from reader.models import ReaderMessage


def perform_transition(
    article: Article,
    transition: str,
    *,
    by,
    comment: str = "",
    due_at: datetime | None = None,
    change_note: str = "",
) -> Article:
    """Move ``article`` along the workflow as ``by``, or raise a WorkflowError and change nothing.

    ``due_at`` applies to ``start_review`` when the reviewer takes the article from the queue;
    ``change_note`` to ``approve``: what changed, for readers (required from the second version on).
    Returns the article as saved; the instance passed in is refreshed too.
    """
    if transition not in TRANSITIONS:
        raise WorkflowError(f"“{transition}” is not a workflow action.", code="unknown_transition")
    facts = TRANSITIONS[transition]
    comment = _checked_text(comment, TransitionLog, "comment")
    change_note = _checked_text(change_note, ArticleVersion, "change_note")
    with transaction.atomic():
        locked = _lock(article)
        method = getattr(locked, transition)
        if not can_proceed(method):
            raise WorkflowError(
                f"You cannot {facts.verb} an article that is {locked.get_state_display().lower()}.",
                code="wrong_state",
            )
        _require_permission(transition, by, locked)
        if facts.needs_comment and not comment:
            raise WorkflowError(facts.comment_prompt, code="comment_required")
        from_state = locked.state
        log_fields = _APPLY[transition](locked, by=by, comment=comment, due_at=due_at, change_note=change_note)
        locked._history_user = by
        locked._change_reason = f"{transition}: {comment}" if comment else transition
        locked.save(update_fields=[*Article.WORKFLOW_FIELDS, "updated_at"])
        entry = _log(locked, transition, from_state=from_state, by=by, comment=comment, **log_fields)
        notifications.queue_for_event(locked, entry)
        purges.queue_for_transition(locked, entry)
        # Web processes forget the live versions they kept, as this commits (reader.live).
        notify_workflow_change()
    article.refresh_from_db()
    return locked


def assign_reviewer(article: Article, *, reviewer, by, due_at: datetime) -> ReviewAssignment:
    """Make ``reviewer`` responsible for the current round of ``article`` by ``due_at``."""
    with transaction.atomic():
        locked = _lock(article)
        if locked.state not in (Article.State.SUBMITTED, Article.State.UNDER_REVIEW):
            raise WorkflowError(
                f"Reviewers are assigned to submitted articles; this one is {locked.get_state_display().lower()}.",
                code="wrong_state",
            )
        _require_permission("assign", by, locked)
        if not permissions.is_reviewer(reviewer):
            raise WorkflowError(f"{reviewer} is not a member of the Medical Advisory Board.", code="not_a_reviewer")
        if permissions.is_contributor(reviewer, locked):
            raise WorkflowError(f"{reviewer} wrote or edited this article and cannot review it.", code="own_article")
        if due_at <= timezone.now():
            raise WorkflowError("Choose a due date in the future.", code="due_in_past")
        if ReviewAssignment.objects.current_round(locked).active().filter(reviewer=reviewer).exists():
            raise WorkflowError(f"{reviewer} is already assigned to this round.", code="already_assigned")
        assignment = ReviewAssignment.objects.create(
            article=locked, round=locked.review_round, reviewer=reviewer, assigned_by=by, due_at=due_at
        )
        entry = _log(
            locked,
            "assign",
            from_state=locked.state,
            by=by,
            comment=f"Assigned to {reviewer}, due {due_at:%Y-%m-%d %H:%M %Z}.",
        )
        notifications.queue_for_event(locked, entry, assignment=assignment)
    return assignment


def change_authors(article: Article, *, authors, by) -> Article:
    """Make ``authors`` the article's authors: an editor's decision, logged with who was before.

    Authorship is never changed by an author's own form. Whoever was an author stays unable to
    review the article (`permissions.is_contributor` reads the history), so handing an article
    to a reviewer cannot make its writer its approver.
    """
    authors = list(authors)
    with transaction.atomic():
        locked = _lock(article, check_moved_on=False)
        _require_permission("change_authors", by, locked)
        if not authors:
            raise WorkflowError("An article needs at least one author.", code="no_author")
        not_writers = [str(user) for user in authors if not permissions.is_writer(user)]
        if not_writers:
            raise WorkflowError(
                f"{', '.join(not_writers)} cannot write articles (not in the Authors or Editors role).",
                code="not_a_writer",
            )
        reviewing = ReviewAssignment.objects.current_round(locked).active().filter(reviewer__in=authors)
        if reviewing.exists():
            names = ", ".join(str(assignment.reviewer) for assignment in reviewing.select_related("reviewer"))
            raise WorkflowError(f"{names} is reviewing this article, so cannot become its author.", code="reviewing")
        before = list(locked.authors.all())
        if {user.pk for user in before} == {user.pk for user in authors}:
            return locked
        locked._history_user = by
        locked._change_reason = "change_authors"  # a workflow save: not an edit of the content
        locked.authors.set(authors)
        _log(
            locked,
            "change_authors",
            from_state=locked.state,
            by=by,
            comment=f"Authors: {_names(authors)} (were: {_names(before)}).",
        )
    return locked


def _names(users) -> str:
    return ", ".join(user.display_name for user in users) or "nobody"


def decline_assignment(assignment: ReviewAssignment, *, by, reason: str) -> ReviewAssignment:
    """The assigned reviewer hands an assignment back, saying why; the editors are told at once.

    The article keeps its state; an editor assigns someone else (or, while it is still
    submitted, another board member takes it from the queue).
    """
    reason = _checked_text(reason, ReviewAssignment, "decline_reason")
    with transaction.atomic():
        article = _lock(assignment.article, check_moved_on=False)
        current = ReviewAssignment.objects.select_related("reviewer").get(pk=assignment.pk)
        if current.status != ReviewAssignment.Status.ACTIVE:
            raise WorkflowError(
                f"This assignment is {current.get_status_display().lower()}, so it cannot be declined.",
                code="not_open",
            )
        refusal = permissions.decline_refusal(by, current)
        if refusal:
            raise TransitionForbiddenError(refusal)
        if not reason:
            raise WorkflowError("Say why you decline, so the editors can plan.", code="reason_required")
        current.status = ReviewAssignment.Status.DECLINED
        current.decline_reason = reason
        current.closed_at = timezone.now()
        current.save(update_fields=["status", "decline_reason", "closed_at"])
        entry = _log(article, "decline", from_state=article.state, by=by, comment=reason)
        notifications.queue_for_event(article, entry, assignment=current)
    assignment.refresh_from_db()
    return current


def record_claim_review(claim: Claim, *, by, verified: bool, comment: str = "") -> ClaimReview:
    """Mark one claim verified, or as needing change (a comment then says what)."""
    comment = _checked_text(comment, ClaimReview, "comment")
    with transaction.atomic():
        article = _lock(claim.article, check_moved_on=False)
        if article.state != Article.State.UNDER_REVIEW:
            raise WorkflowError(
                f"Claims are checked while the article is under review; it is {article.get_state_display().lower()}.",
                code="wrong_state",
            )
        _require_permission("review_claims", by, article)
        if not verified and not comment:
            raise WorkflowError("Say what needs to change in this claim.", code="comment_required")
        return ClaimReview.objects.create(
            assignment=permissions.active_assignment(by, article),
            claim=claim,
            claim_uuid=claim.uuid,
            claim_fingerprint=claim_fingerprint(claim),
            verified=verified,
            comment=comment,
        )


def carry_over_verifications(article: Article, *, by) -> int:
    """Mark verified, for ``by``, each claim that an earlier round verified and that has not
    changed since (same text, plain-language text and sources). Returns how many were carried.

    Each carried mark is a new claim review linked to the mark where the claim was checked
    (``carried_from``), so the record and the credits show the reviewer adopted it rather than
    checked it again.
    """
    with transaction.atomic():
        locked = _lock(article, check_moved_on=False)
        if locked.state != Article.State.UNDER_REVIEW:
            raise WorkflowError(
                f"Claims are checked while the article is under review; it is {locked.get_state_display().lower()}.",
                code="wrong_state",
            )
        _require_permission("review_claims", by, locked)
        assignment = permissions.active_assignment(by, locked)
        fingerprints = claim_fingerprints(build_document(locked))
        earlier: dict[str, ClaimReview] = {}
        mine: dict[str, ClaimReview] = {}
        reviews = (
            ClaimReview.objects.filter(assignment__article=locked)
            .select_related("assignment__reviewer")
            .order_by("created_at", "id")
        )
        for review in reviews:
            uuid = str(review.claim_uuid)
            if review.claim_fingerprint != fingerprints.get(uuid):
                continue
            if review.assignment.round < locked.review_round:
                earlier[uuid] = review
            if review.assignment.reviewer_id == by.pk:
                mine[uuid] = review
        wanted = {
            uuid: review
            for uuid, review in earlier.items()
            if review.verified and not (uuid in mine and mine[uuid].verified)
        }
        claims = {str(claim.uuid): claim for claim in Claim.objects.filter(article=locked, uuid__in=list(wanted))}
        ClaimReview.objects.bulk_create(
            ClaimReview(
                assignment=assignment,
                claim=claims[uuid],
                claim_uuid=claims[uuid].uuid,
                claim_fingerprint=fingerprints[uuid],
                verified=True,
                carried_from_id=review.carried_from_id or review.pk,
            )
            for uuid, review in wanted.items()
            if uuid in claims
        )
    return len([uuid for uuid in wanted if uuid in claims])


def _checked_text(text: str, model, field_name: str) -> str:
    """``text`` stripped, or a WorkflowError naming what its field refuses (rows here are created unvalidated)."""
    text = text.strip()
    try:
        model._meta.get_field(field_name).run_validators(text)
    except ValidationError as error:
        raise WorkflowError(" ".join(error.messages), code="invalid_text") from error
    return text


def _require_permission(action: str, by, article: Article) -> None:
    reason = permissions.refusal(action, by, article)
    if reason:
        raise TransitionForbiddenError(reason)


def _lock(article: Article, *, check_moved_on: bool = True) -> Article:
    """Lock the article row; refuse if its state moved since the caller read it."""
    locked = Article.objects.select_for_update().prefetch_related("authors").get(pk=article.pk)
    if check_moved_on and locked.state != article.state:
        raise ArticleMovedOnError(
            f"This article moved on: it is now {locked.get_state_display().lower()}. Reload it and try again.",
            code="moved_on",
        )
    return locked


def _log(article: Article, transition: str, *, from_state: str, by, comment: str = "", **fields) -> TransitionLog:
    return TransitionLog.objects.create(
        article=article,
        transition=transition,
        from_state=from_state,
        to_state=article.state,
        actor=by,
        # A full name with credentials can be longer than the column; PostgreSQL would refuse it.
        actor_name=by.display_name[: TransitionLog._meta.get_field("actor_name").max_length],
        comment=comment,
        **fields,
    )


def _submit(article: Article, *, by, comment, due_at, change_note) -> dict:
    problems = [problem.message for problem in conditions.readiness(article, build_document(article))]
    if problems:
        raise WorkflowError(
            f"The article is not ready for review ({len(problems)} to fix).", code="not_ready", problems=problems
        )
    article.submit()
    article.review_round += 1
    article.submitted_at = timezone.now()
    return {}


def _start_review(article: Article, *, by, comment, due_at, change_note) -> dict:
    if permissions.active_assignment(by, article) is None:
        due_at = due_at or timezone.now() + timedelta(days=settings.VETTED_REVIEW_DUE_DAYS)
        if due_at <= timezone.now():
            raise WorkflowError("Choose a due date in the future.", code="due_in_past")
        ReviewAssignment.objects.create(
            article=article, round=article.review_round, reviewer=by, assigned_by=by, due_at=due_at
        )
    article.start_review()
    return {}


def _request_changes(article: Article, *, by, comment, due_at, change_note) -> dict:
    _close_round(article, decided_by=by, status=ReviewAssignment.Status.CHANGES_REQUESTED)
    article.request_changes()
    return {}


def _approve(article: Article, *, by, comment, due_at, change_note) -> dict:
    if article.live_version_id and not change_note:
        raise WorkflowError(
            "Write a short change note for readers: what changed since the version they see now.",
            code="change_note_required",
        )
    document = build_document(article)
    marks = conditions.verified_marks(article, by, document)
    problems = conditions.unverified_problems(marks, document)
    if problems:
        raise WorkflowError("Verify every claim before approving.", code="claims_not_verified", problems=problems)
    problems = [problem.message for problem in conditions.retraction_problems(document)]
    if problems:
        raise WorkflowError(
            "A claim cites a retracted source without saying why.", code="retracted_source", problems=problems
        )
    problems = conditions.credit_problems(marks)
    if problems:
        raise WorkflowError(
            "Everyone this version credits needs a public profile on the board page.",
            code="credit_without_profile",
            problems=problems,
        )
    # An article in a revision keeps its live address while its draft has another slug, so that
    # slug can be free among the articles' own slugs and still be taken on the reader site.
    if ArticleVersion.objects.live().filter(slug=article.slug).exclude(article=article).exists():
        raise WorkflowError(
            f"The slug “{article.slug}” is the live address of another article: "
            "request changes so the authors choose another.",
            code="slug_taken",
        )
    digest = content_hash(document)
    ReviewAssignment.objects.filter(pk=permissions.active_assignment(by, article).pk).update(
        status=ReviewAssignment.Status.APPROVED, approved_content_hash=digest, closed_at=timezone.now()
    )
    approvals = list(
        ReviewAssignment.objects.current_round(article)
        .filter(status=ReviewAssignment.Status.APPROVED, approved_content_hash=digest)
        .select_related("reviewer")
        .order_by("closed_at", "id")
    )
    if len(approvals) < settings.VETTED_REQUIRED_APPROVALS:
        return {"content_hash": digest}  # recorded; the state waits for the next independent approval
    _close_round(article, decided_by=None, status=ReviewAssignment.Status.CLOSED)
    article.approve()
    previous = article.versions.order_by("-number").values_list("number", flat=True).first() or 0
    now = timezone.now()
    started = (
        TransitionLog.objects.filter(article=article, transition="start_review", created_at__gte=article.submitted_at)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    approvers = [approval.reviewer for approval in approvals]
    checks = credited_checks(article, document, approvers)
    # Each credited reviewer's newest declaration on this article: this round's for the approvers,
    # the one made in their own round for someone whose checks were carried over.
    reviewer_declarations = latest_declarations(article, [check.person.pk for check in checks])
    author_declarations = round_declarations(article, article.review_round, role=Declaration.Role.AUTHOR)
    # Frozen with the content, as the round's facts: who wrote it and what each declared.
    document["authors"] = [
        {"name": author.display_name, "declaration": _sentence(author_declarations.get(author.pk))}
        for author in article.authors.all()
    ]
    version = ArticleVersion.objects.create(
        article=article,
        number=previous + 1,
        slug=article.slug,
        topic_id=article.topic_id,
        document=document,
        content_hash=digest,
        approved_at=now,
        approved_by=by,
        reviewers=review_credits(
            checks,
            document,
            approvers,
            declarations={check.person.pk: _sentence(reviewer_declarations.get(check.person.pk)) for check in checks},
        ),
        timeline={
            "submitted": article.submitted_at.isoformat() if article.submitted_at else None,
            "review_started": started.isoformat() if started else None,
            "approved": now.isoformat(),
        },
        search_text=search_text(document),
        search_headings=search_headings(document),
        change_note=change_note,
        evidence_search_due=schedule.evidence_search_due(document),
    )
    article.live_version = version
    return {"content_hash": digest, "version": version}


def _sentence(declaration: Declaration | None) -> str:
    return declaration.sentence if declaration is not None else "made no declaration of competing interests"


def _close_round(article: Article, *, decided_by, status: str) -> None:
    """Close the round's open assignments: the decider's with ``status``, the others as closed."""
    open_assignments = ReviewAssignment.objects.current_round(article).active()
    now = timezone.now()
    if decided_by is not None:
        open_assignments.filter(reviewer=decided_by).update(status=status, closed_at=now)
    open_assignments.update(status=ReviewAssignment.Status.CLOSED, closed_at=now)


def _state_only(name: str):
    def apply(article: Article, *, by, comment, due_at, change_note) -> dict:
        getattr(article, name)()
        return {}

    return apply


_APPLY = {
    "submit": _submit,
    "start_review": _start_review,
    "request_changes": _request_changes,
    "approve": _approve,
    "revise": _state_only("revise"),
    "withdraw": _state_only("withdraw"),
    "reinstate": _state_only("reinstate"),
}


def draft_title(text: str) -> str:
    """A question's first line, as one line of single spaces, cut to what an article's title holds."""
    lines = text.strip().splitlines()
    first_line = one_line(lines[0]) if lines else ""
    return first_line[: Article._meta.get_field("title").max_length]


def start_draft_from_question(message: ReaderMessage, *, by) -> Article:
    """Start a draft article answering a reader's question, with ``by`` as its author.

    The message links to the draft and is marked as being handled by ``by``. Refused for error
    reports and for a question that already has a draft.
    """
    with transaction.atomic():
        locked = ReaderMessage.objects.select_for_update().get(pk=message.pk)
        if locked.kind != ReaderMessage.Kind.QUESTION:
            raise WorkflowError("Drafts start from questions; this message is an error report.", code="not_question")
        if locked.draft_article_id is not None:
            raise WorkflowError("A draft has already been started from this question.", code="draft_exists")
        if not by.has_perm("articles.add_article"):
            raise TransitionForbiddenError("Only an editor can start a draft article from a question.")
        draft = Article(title=draft_title(locked.text), topic_id=locked.article.topic_id)
        draft._history_user = by
        draft._change_reason = f"Started from reader question {locked.pk}"
        draft.save()
        draft.authors.add(by)
        locked.draft_article = draft
        locked.status = ReaderMessage.Status.IN_PROGRESS
        locked.handled_by = by
        locked.save(update_fields=["draft_article", "status", "handled_by"])
    message.refresh_from_db()
    return draft
