"""What retraction notices and competing interests mean for the workflow, and their services.

`integrity` keeps the records (retraction records, notices, declarations); this module applies
them: a notice on a cited source is logged on every citing article, re-review notices go to the
board and the editors through the outbox (once per match), the reader pages showing the source
are purged; editors dismiss false matches and decide on declared interests; reviewers and authors
declare. Every write is keyword-only, atomic and names the acting user, as in `editorial.services`.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Claim
from articles.text import MultiLineValidator
from config.site import absolute
from editorial import notifications, permissions, purges
from editorial.exceptions import TransitionForbiddenError, WorkflowError
from editorial.models import Notification, ReviewAssignment, TransitionLog
from editorial.transitions import Audience
from integrity import retractions
from integrity.models import CitingReason, Declaration, DeclarationDecision, RetractionNotice, RetractionRecord
from integrity.selectors import latest_decision, latest_declaration
from reader.live import notify_workflow_change

WATCH = "Retraction watch"
RELATIONSHIP_LIMIT = 1000


def scan() -> list[RetractionNotice]:
    """Match what is new since the last scan and apply every new notice, in one transaction: a
    notice is never written without its log entries, notices and purges. Safe to run twice."""
    with transaction.atomic():
        notices = retractions.match_new()
        for notice in notices:
            apply_notice(notice)
    return notices


def citing_articles(reference):
    return Article.objects.filter(claims__citations__reference=reference).distinct().prefetch_related("authors")


def apply_notice(notice: RetractionNotice) -> None:
    """Log a new notice on every article citing its source; tell the board (and, for a retraction or
    an expression of concern, the editors) about each published one; purge the readers' pages."""
    record = notice.record
    published = set(Article.objects.published().values_list("pk", flat=True))
    with transaction.atomic():
        for article in citing_articles(notice.reference):
            _log(article, "retraction_notice", by=None, comment=_notice_line(notice))
            if article.pk not in published:
                continue  # the author's checklist and the review page show it
            audiences = [Audience.BOARD, Audience.EDITORS] if notice.is_under_notice else [Audience.BOARD]
            notifications.write(
                _rereview_message(article, notice),
                notifications.audience(article, audiences),
                key=f"retraction:{notice.pk}:{article.pk}",
                article=article,
            )
        if record.nature in RetractionRecord.UNDER_NOTICE:
            notify_workflow_change()  # web processes forget the notices they kept (reader.live)
            purges.queue(
                purges.keys_for_reference(notice.reference),
                reason=f"{record.get_nature_display().lower()} notice {notice.pk} on reference {notice.reference_id}",
            )


def _notice_line(notice: RetractionNotice) -> str:
    record = notice.record
    when = f" on {record.notice_date:%Y-%m-%d}" if record.notice_date else ""
    reasons = f" Reasons: {'; '.join(record.reasons)}." if record.reasons else ""
    return (
        f"{record.get_nature_display()}{when} of cited source “{notice.reference.title}” "
        f"(Retraction Watch record {record.record_id}, matched by {notice.matched_on.upper()}).{reasons}"
    )


def _rereview_message(article: Article, notice: RetractionNotice) -> notifications.Message:
    record = notice.record
    if notice.is_under_notice:
        lines = [
            f"“{article.title}” is live and cites a source under notice. {_notice_line(notice)}",
            "The claims citing it have lost their verification and readers see a dated notice on them. "
            "Start a revision and re-review the article, or, if the match is wrong, an editor dismisses "
            "the notice with a reason.",
        ]
    else:
        lines = [
            f"“{article.title}” is live and cites a corrected source. {_notice_line(notice)}",
            "Check whether the correction changes what the article says; readers are not shown it.",
        ]
    return notifications.Message(
        Notification.Kind.SOURCE_UNDER_NOTICE,
        f"{record.get_nature_display()} of a cited source: {article.title}",
        lines,
        "Open the article",
        notifications.admin_url(article),
    )


def dismiss_notice(notice: RetractionNotice, *, by, reason: str) -> RetractionNotice:
    """An editor dismisses a false match, saying why: logged on every citing article, pages purged."""
    reason = _checked(reason, "reason")
    refusal = permissions.notice_refusal(by)
    if refusal:
        raise TransitionForbiddenError(refusal)
    if not reason:
        raise WorkflowError("Say why this is a false match.", code="reason_required")
    with transaction.atomic():
        current = RetractionNotice.objects.select_for_update().select_related("record", "reference").get(pk=notice.pk)
        if current.status != RetractionNotice.Status.ACTIVE:
            raise WorkflowError("This notice is already dismissed.", code="not_active")
        current.status = RetractionNotice.Status.DISMISSED
        current.dismissed_at = timezone.now()
        current.dismissed_by = by
        current.dismissal_reason = reason
        current.save(update_fields=["status", "dismissed_at", "dismissed_by", "dismissal_reason"])
        for article in citing_articles(current.reference):
            _log(
                article,
                "dismiss_notice",
                by=by,
                comment=f"Dismissed as a false match: {_notice_line(current)} {reason}",
            )
        if current.record.nature in RetractionRecord.UNDER_NOTICE:
            notify_workflow_change()
            purges.queue(
                purges.keys_for_reference(current.reference),
                reason=f"notice {current.pk} dismissed on reference {current.reference_id}",
            )
    return current


def state_citing_reason(claim: Claim, *, reference, by, reason: str) -> CitingReason:
    """Say why ``claim`` still cites a retracted ``reference`` (it may discuss the retraction)."""
    reason = _checked(reason, "reason")
    with transaction.atomic():
        article = Article.objects.select_for_update().prefetch_related("authors").get(pk=claim.article_id)
        if not permissions.can_edit_content(by, article):
            raise TransitionForbiddenError("Only an author or an editor of an article open for editing can do this.")
        if not claim.citations.filter(reference=reference).exists():
            raise WorkflowError("This claim does not cite that reference.", code="not_cited")
        if not RetractionNotice.objects.retractions().filter(reference=reference).exists():
            raise WorkflowError("This reference has no retraction notice.", code="not_retracted")
        if not reason:
            raise WorkflowError("Say why the claim cites a retracted source.", code="reason_required")
        return CitingReason.objects.create(claim=claim, reference=reference, reason=reason, by=by)


# Competing interests


def clean_relationships(relationships: dict[str, str]) -> dict[str, str]:
    """The declared relationships, stripped, in the categories' order; a WorkflowError for bad input."""
    labels = dict(Declaration.Category.choices)
    unknown = [code for code in relationships if code not in labels]
    if unknown:
        raise WorkflowError(f"“{unknown[0][:40]}” is not a category of competing interests.", code="bad_category")
    cleaned = {}
    for code in labels:
        text = _checked(relationships.get(code, "") or "", str(labels[code]))
        if len(text) > RELATIONSHIP_LIMIT:
            raise WorkflowError(f"{labels[code]}: keep it under {RELATIONSHIP_LIMIT} characters.", code="too_long")
        if text:
            cleaned[code] = text
    return cleaned


def declare_interests(article: Article, *, by, role: str, relationships: dict[str, str], none: bool) -> Declaration:
    """Record ``by``'s competing interests for the article's current round (a reviewer's) or the
    round the next submission opens (an author's). ``none``: the explicit "no competing interests".

    A reviewer's declared interest goes to the editors, who decide whether they may continue.
    """
    cleaned = clean_relationships(relationships)
    if none == bool(cleaned):
        raise WorkflowError(
            "Either declare your relationships or confirm you have no competing interests, not both."
            if none
            else "Declare your relationships, or confirm you have no competing interests.",
            code="declaration_incomplete",
        )
    with transaction.atomic():
        locked = Article.objects.select_for_update().prefetch_related("authors").get(pk=article.pk)
        if role == Declaration.Role.REVIEWER:
            assignment = permissions.active_assignment(by, locked)
            if assignment is None:
                raise TransitionForbiddenError("Only the reviewer assigned to this article declares for its review.")
            round_ = locked.review_round
        elif role == Declaration.Role.AUTHOR:
            if not permissions.is_author_of(by, locked):
                raise TransitionForbiddenError("Only an author of this article declares as its author.")
            if locked.state not in Article.EDITABLE_STATES:
                raise WorkflowError(
                    "Authors declare when they submit; this article is with the board.", code="wrong_state"
                )
            assignment, round_ = None, locked.review_round + 1
        else:
            raise WorkflowError(f"“{role}” is not a role that declares.", code="bad_role")
        declaration = Declaration.objects.create(
            article=locked,
            round=round_,
            role=role,
            person=by,
            person_name=by.display_name[: Declaration._meta.get_field("person_name").max_length],
            relationships=cleaned,
        )
        _log(
            locked,
            "declare_interests",
            by=by,
            comment=_full_stop(f"{declaration.get_role_display()} {declaration.sentence}"),
        )
        if assignment is not None and cleaned:
            notifications.write(
                _declared_message(locked, declaration),
                notifications.editors(),
                key=f"declared:{declaration.pk}",
                article=locked,
                assignment=assignment,
            )
    return declaration


def _declared_message(article: Article, declaration: Declaration) -> notifications.Message:
    return notifications.Message(
        Notification.Kind.INTEREST_DECLARED,
        f"Competing interest declared, decide: {article.title}",
        [
            _full_stop(f"{declaration.person_name}, assigned to review “{article.title}”, {declaration.sentence}"),
            "They cannot mark claims or approve until an editor decides, with a reason, whether they may continue.",
        ],
        "Decide",
        absolute(reverse("admin:integrity_declaration_change", args=[declaration.pk])),
    )


def decide_declaration(declaration: Declaration, *, by, allowed: bool, reason: str) -> DeclarationDecision:
    """An editor decides whether a reviewer with a declared interest may continue; refused closes the assignment."""
    reason = _checked(reason, "reason")
    refusal = permissions.notice_refusal(by)
    if refusal:
        raise TransitionForbiddenError("Only an editor decides on a declared competing interest.")
    if not reason:
        raise WorkflowError("Say why, for the record.", code="reason_required")
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=declaration.article_id)
        if declaration.role != Declaration.Role.REVIEWER or not declaration.declares_interests:
            raise WorkflowError("Only a reviewer's declared interest needs a decision.", code="nothing_to_decide")
        if (
            latest_declaration(article, declaration.person, role=declaration.role, round=declaration.round)
            != declaration
        ):
            raise WorkflowError("A newer declaration supersedes this one.", code="superseded")
        if latest_decision(declaration) is not None:
            raise WorkflowError("An editor already decided on this declaration.", code="decided")
        decision = DeclarationDecision.objects.create(
            declaration=declaration, allowed=allowed, reason=reason, decided_by=by
        )
        verdict = "may continue" if allowed else "may not review this article; the assignment is closed"
        _log(article, "decide_interests", by=by, comment=f"{declaration.person_name} {verdict}: {reason}")
        if not allowed:
            ReviewAssignment.objects.active().filter(
                article=article, round=declaration.round, reviewer_id=declaration.person_id
            ).update(status=ReviewAssignment.Status.CLOSED, closed_at=timezone.now())
    return decision


def _full_stop(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else f"{text}."


def _checked(text: str, label: str) -> str:
    text = (text or "").strip()
    try:
        MultiLineValidator(label)(text)
    except ValidationError as error:
        raise WorkflowError(" ".join(error.messages), code="invalid_text") from error
    return text


def _log(article: Article, transition: str, *, by, comment: str) -> TransitionLog:
    limit = TransitionLog._meta.get_field("actor_name").max_length
    return TransitionLog.objects.create(
        article=article,
        transition=transition,
        from_state=article.state,
        to_state=article.state,
        actor=by,
        actor_name=(by.display_name if by is not None else WATCH)[:limit],
        comment=comment,
    )
