"""Periodic reminder scans: overdue reviews, escalations, re-reviews due and daily digests.

Celery beat runs `scan` every few minutes (`editorial.tasks.scan_reminders`); each rule fires
once its threshold has passed, so a scan after a day of downtime catches up. Every notice has a
key naming its rule, its object, its repeat and its recipient: a second scan of the same period,
or a second scheduler, finds the key taken and writes nothing. Scans read indexed rows of work
that is due, in batches, so their cost follows the work due, not the size of the archive.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.digest import opt_out_path
from articles.document import build_document
from articles.evidence import EvidenceSearch
from articles.models import Article
from config.site import absolute
from editorial import schedule
from editorial.changes import compare
from editorial.conditions import located_claims
from editorial.models import Notification, ReviewAssignment
from editorial.notifications import Item, Message, admin_url, board_members, editors, write


def scan(now: datetime | None = None) -> dict[str, int]:
    """Run every rule once at ``now``; return how many notices each wrote."""
    now = now or timezone.now()
    return {
        "overdue": scan_overdue_reviews(now),
        "unassigned": scan_unassigned_submissions(now),
        "rereview_due": scan_rereviews_due(now),
        "evidence_due": scan_evidence_searches_due(now),
        "digest": scan_digests(now),
    }


@dataclass
class _Candidate:
    """A notice a rule wants to exist: built only when its key is not taken yet."""

    key: str
    recipients: list
    build: Callable[[], Message]
    article: Article | None = None
    assignment: ReviewAssignment | None = None
    period: int | None = None


def _batches(queryset: QuerySet) -> Iterator[list]:
    """Walk ``queryset`` by primary key, one bounded query per batch."""
    size, last = settings.VETTED_SCAN_BATCH_SIZE, 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if batch:
            yield batch
        if len(batch) < size:
            return
        last = batch[-1].pk


def _write_missing(candidates: list[_Candidate]) -> int:
    """Write the candidates whose keys are free, in one lookup of the keys taken."""
    keys = {f"{c.key}:{person.pk}" for c in candidates for person in c.recipients}
    taken = set(Notification.objects.filter(key__in=keys).values_list("key", flat=True))
    written = 0
    for candidate in candidates:
        missing = [person for person in candidate.recipients if f"{candidate.key}:{person.pk}" not in taken]
        if missing:
            written += write(
                candidate.build(),
                missing,
                key=candidate.key,
                article=candidate.article,
                assignment=candidate.assignment,
                period=candidate.period,
            )
    return written


def _when(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%A %B %d, %Y, %H:%M %Z}"


def _overdue_for(now: datetime, since: datetime) -> str:
    days = (now - since).days
    return "less than a day" if days < 1 else f"{days} day{'s' if days != 1 else ''}"


def scan_overdue_reviews(now: datetime) -> int:
    """Remind reviewers of overdue assignments, repeatedly; tell editors once it is long overdue."""
    every, limit = schedule.overdue_every(), settings.VETTED_OVERDUE_REMINDER_LIMIT
    escalate_after = schedule.escalate_overdue_after()
    editor_list = None
    written = 0
    overdue = ReviewAssignment.objects.overdue(now).select_related("article", "reviewer")
    for batch in _batches(overdue):
        candidates = []
        for assignment in batch:
            article, number = assignment.article, schedule.repeat_number(assignment.due_at, now, every, limit)
            if number is not None:
                candidates.append(
                    _Candidate(
                        f"{Notification.Kind.OVERDUE}:{assignment.pk}:{number}",
                        [assignment.reviewer],
                        lambda a=assignment, n=number: _overdue_message(a, n, now),
                        article=article,
                        assignment=assignment,
                        period=number,
                    )
                )
            if now >= assignment.due_at + escalate_after:
                editor_list = editor_list if editor_list is not None else list(editors())
                candidates.append(
                    _Candidate(
                        f"{Notification.Kind.OVERDUE_ESCALATED}:{assignment.pk}",
                        [person for person in editor_list if person.pk != assignment.reviewer_id],
                        lambda a=assignment: _escalation_message(a, now),
                        article=article,
                        assignment=assignment,
                    )
                )
        written += _write_missing(candidates)
    return written


def _overdue_message(assignment: ReviewAssignment, number: int, now: datetime) -> Message:
    title, limit = assignment.article.title, settings.VETTED_OVERDUE_REMINDER_LIMIT
    following = assignment.due_at + (number + 1) * schedule.overdue_every()
    lines = [
        f"Your review of “{title}” was due {_when(assignment.due_at)}; "
        f"it is {_overdue_for(now, assignment.due_at)} overdue.",
        "Readers are waiting for this article. Finish the review, or decline the assignment with a reason "
        "so an editor can reassign it.",
    ]
    if number + 1 < limit:
        lines.append(f"This is reminder {number + 1} of {limit}; the next goes {_when(following)}.")
    else:
        lines.append(f"This is the last of {limit} reminders; the editors have been told the review is overdue.")
    return Message(
        Notification.Kind.OVERDUE,
        f"Overdue review ({_overdue_for(now, assignment.due_at)}): {title}",
        lines,
        "Open the review",
        admin_url(assignment.article),
    )


def _escalation_message(assignment: ReviewAssignment, now: datetime) -> Message:
    title = assignment.article.title
    return Message(
        Notification.Kind.OVERDUE_ESCALATED,
        f"Review {_overdue_for(now, assignment.due_at)} overdue: {title}",
        [
            f"{assignment.reviewer}'s review of “{title}” was due {_when(assignment.due_at)} "
            f"and is {_overdue_for(now, assignment.due_at)} overdue.",
            "Contact the reviewer, or assign another member of the Medical Advisory Board.",
        ],
        "Assign a reviewer",
        absolute(reverse("admin:articles_article_assign", args=[assignment.article.pk])),
    )


def waiting_for_reviewer(now: datetime) -> QuerySet:
    """Submissions that have waited longer than the threshold with nobody assigned."""
    assigned = ReviewAssignment.objects.filter(
        article=OuterRef("pk"), round=OuterRef("review_round"), status=ReviewAssignment.Status.ACTIVE
    )
    return Article.objects.filter(
        state=Article.State.SUBMITTED, submitted_at__lte=now - schedule.escalate_unassigned_after()
    ).exclude(Exists(assigned))


def scan_unassigned_submissions(now: datetime) -> int:
    """Tell the editors, once per round, about a submission nobody has taken."""
    editor_list = None
    written = 0
    for batch in _batches(waiting_for_reviewer(now).prefetch_related("authors")):
        editor_list = editor_list if editor_list is not None else list(editors())
        candidates = [
            _Candidate(
                f"{Notification.Kind.UNASSIGNED}:{article.pk}:{article.review_round}",
                [person for person in editor_list if not any(a.pk == person.pk for a in article.authors.all())],
                lambda a=article: _unassigned_message(a, now),
                article=article,
            )
            for article in batch
        ]
        written += _write_missing(candidates)
    return written


def _unassigned_message(article: Article, now: datetime) -> Message:
    hours = int((now - article.submitted_at).total_seconds() // 3600)
    return Message(
        Notification.Kind.UNASSIGNED,
        f"Waiting {hours} hours for a reviewer: {article.title}",
        [
            f"“{article.title}” was submitted {_when(article.submitted_at)} and no board member has been "
            "assigned or has taken it from the queue.",
            "Assign a member of the Medical Advisory Board.",
        ],
        "Assign a reviewer",
        absolute(reverse("admin:articles_article_assign", args=[article.pk])),
    )


def rereview_due(now: datetime) -> QuerySet:
    """The review-due articles (`schedule.review_due`, the one definition) the board can act on now:
    approved ones. A revision in progress keeps its live version review due, but gives the board
    nothing to review until it is submitted, so it is not reminded of it."""
    approved = Article.objects.filter(state=Article.State.APPROVED).select_related("live_version", "topic")
    return schedule.review_due(approved, now)


def scan_rereviews_due(now: datetime) -> int:
    """Remind the board and editors of approvals that are due for re-review, repeatedly."""
    every, limit = schedule.rereview_every(), settings.VETTED_REREVIEW_REMINDER_LIMIT
    recipients = None
    written = 0
    for batch in _batches(rereview_due(now)):
        if recipients is None:
            recipients = list({person.pk: person for person in [*editors(), *board_members()]}.values())
        candidates = []
        for article in batch:
            version = article.live_version
            number = schedule.repeat_number(schedule.rereview_due_on(version.approved_at), now, every, limit)
            if number is None:  # the cutoff and the month arithmetic disagree by a day at a month's end
                continue
            candidates.append(
                _Candidate(
                    f"{Notification.Kind.REREVIEW_DUE}:{version.pk}:{number}",
                    recipients,
                    lambda a=article: _rereview_message(a),
                    article=article,
                    period=number,
                )
            )
        written += _write_missing(candidates)
    return written


def _rereview_message(article: Article) -> Message:
    version = article.live_version
    due = schedule.rereview_due_on(version.approved_at)
    changes = compare(version.document, build_document(article))
    months = settings.VETTED_REREVIEW_INTERVAL_MONTHS
    lines = [
        f"“{article.title}” (version {version.number}) was approved {_when(version.approved_at)} "
        f"by {version.reviewer_names or 'the board'}. Articles are re-reviewed every {months} months; "
        f"this one was due {_when(due)}.",
    ]
    if changes:
        lines.append("Changed since that approval:")
        lines.extend(f"• {line}" for line in changes.lines())
    else:
        lines.append("Nothing in the article or its cited references has changed since that approval.")
    lines.append(
        "To re-review it, an editor or an author starts a revision and submits it; "
        "a board member then reviews it from the queue."
    )
    return Message(
        Notification.Kind.REREVIEW_DUE, f"Re-review due: {article.title}", lines, "Open the article", admin_url(article)
    )


def evidence_search_due(now: datetime) -> QuerySet:
    """Approved articles whose live version has an evidence search due by ``now`` (an indexed date
    kept on the version at approval). As for re-reviews, a revision in progress is not reminded."""
    return Article.objects.filter(
        state=Article.State.APPROVED, live_version__evidence_search_due__lte=timezone.localdate(now)
    ).select_related("live_version")


def scan_evidence_searches_due(now: datetime) -> int:
    """Tell the board and editors, claim by claim, which claims' evidence is due to be searched again.

    One notice per article and due date: the key names the latest due date among the overdue
    claims, so a claim falling due later brings a new notice and a second scan brings none.
    """
    today = timezone.localdate(now)
    recipients = None
    written = 0
    for batch in _batches(evidence_search_due(now)):
        if recipients is None:
            recipients = list({person.pk: person for person in [*editors(), *board_members()]}.values())
        candidates = []
        for article in batch:
            overdue = overdue_searches(article.live_version.document, today)
            if not overdue:
                continue
            latest = max(search.due_on for _, _, search in overdue)
            candidates.append(
                _Candidate(
                    f"{Notification.Kind.EVIDENCE_DUE}:{article.live_version_id}:{latest:%Y-%m-%d}",
                    recipients,
                    lambda a=article, found=overdue: _evidence_message(a, found),
                    article=article,
                )
            )
        written += _write_missing(candidates)
    return written


def overdue_searches(document, today) -> list[tuple[str, dict, EvidenceSearch]]:
    """(place, claim, search) for each claim of ``document`` whose evidence search is due by ``today``."""
    searches = schedule.searches(document)
    return [
        (place, claim, searches[claim["uuid"]])
        for place, claim in located_claims(document)
        if claim["uuid"] in searches and searches[claim["uuid"]].due_on <= today
    ]


def _evidence_message(article: Article, overdue: list[tuple[str, dict, EvidenceSearch]]) -> Message:
    count = len(overdue)
    lines = [
        f"The evidence behind {count} claim{'s' if count != 1 else ''} of “{article.title}” "
        f"(version {article.live_version.number}) is due to be searched again:",
        *(
            f"• {place}: “{_excerpt(claim['text'])}”, last searched {search.searched_on:%B %d, %Y}, "
            f"due {search.due_on:%B %d, %Y} (every {search.every_months} months)."
            for place, claim, search in overdue
        ),
        "Only these claims need a fresh literature search. An editor or author starts a revision, updates "
        "the search dates (and the claims, if the evidence changed) and submits it; the board checks those "
        "claims and carries over the rest.",
    ]
    return Message(
        Notification.Kind.EVIDENCE_DUE,
        f"Evidence search due ({count} claim{'s' if count != 1 else ''}): {article.title}",
        lines,
        "Open the article",
        admin_url(article),
    )


def _excerpt(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def scan_digests(now: datetime) -> int:
    """Once a day, after the digest hour, send each board member a list of their open assignments."""
    local = timezone.localtime(now)
    if local.hour < settings.VETTED_DIGEST_HOUR:
        return 0
    day = local.date()
    open_work = ReviewAssignment.objects.filter(reviewer=OuterRef("pk"), status=ReviewAssignment.Status.ACTIVE)
    members = (
        get_user_model()
        .objects.filter(receives_digest=True, is_active=True)
        .exclude(email="")
        .filter(Exists(open_work))
    )
    written = 0
    for batch in _batches(members):
        assignments: dict[int, list[ReviewAssignment]] = {}
        for assignment in (
            ReviewAssignment.objects.active().filter(reviewer__in=batch).select_related("article").order_by("due_at")
        ):
            assignments.setdefault(assignment.reviewer_id, []).append(assignment)
        candidates = [
            _Candidate(
                f"{Notification.Kind.DIGEST}:{day:%Y-%m-%d}",
                [member],
                lambda m=member, found=assignments: _digest_message(m, found.get(m.pk, []), now),
            )
            for member in batch
        ]
        written += _write_missing(candidates)
    return written


def _digest_message(member, assignments: list[ReviewAssignment], now: datetime) -> Message:
    overdue = sum(1 for assignment in assignments if assignment.due_at < now)
    count = len(assignments)
    items = [
        Item(
            f"{assignment.article.title} — due {timezone.localtime(assignment.due_at):%b %d}"
            + (f" (overdue by {_overdue_for(now, assignment.due_at)})" if assignment.due_at < now else ""),
            admin_url(assignment.article),
        )
        for assignment in assignments
    ]
    summary = f"You have {count} open review{'s' if count != 1 else ''}"
    return Message(
        Notification.Kind.DIGEST,
        f"Your reviews today: {count} open" + (f", {overdue} overdue" if overdue else ""),
        [f"{summary}{f', {overdue} of them overdue' if overdue else ''}:"],
        "Open your review queue",
        absolute(reverse("admin:articles_article_changelist")),
        items=items,
        footer="You get this digest each morning. Stop it (assignment notices and reminders still arrive)",
        footer_url=absolute(opt_out_path(member)),
    )
