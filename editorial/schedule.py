"""When reminders are due: date arithmetic over the settings (and the review-due filter built on it).

A rule starts at a threshold (a due date, a re-review date) and repeats every so often up to a
limit. `repeat_number` says which repeat is due at a moment, so a scan that ran late sends the
current one instead of every one it missed, and a second scan of the same repeat finds its key
taken.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone

from articles.document import Document
from articles.evidence import EvidenceSearch, evidence_searches


def overdue_every() -> timedelta:
    return timedelta(days=settings.VETTED_OVERDUE_REMINDER_EVERY_DAYS)


def escalate_overdue_after() -> timedelta:
    return timedelta(days=settings.VETTED_ESCALATE_OVERDUE_AFTER_DAYS)


def escalate_unassigned_after() -> timedelta:
    return timedelta(hours=settings.VETTED_ESCALATE_UNASSIGNED_AFTER_HOURS)


def rereview_every() -> timedelta:
    return timedelta(days=settings.VETTED_REREVIEW_REMINDER_EVERY_DAYS)


def rereview_due_on(approved_at: datetime) -> datetime:
    """When an approval needs the board's fresh look: the review interval after it."""
    return approved_at + relativedelta(months=settings.VETTED_REREVIEW_INTERVAL_MONTHS)


def rereview_cutoff(now: datetime) -> datetime:
    """Approvals at or before this moment are due for re-review at ``now``."""
    return now - relativedelta(months=settings.VETTED_REREVIEW_INTERVAL_MONTHS)


def searches(document: Document) -> dict[str, EvidenceSearch]:
    """The document's dated evidence searches, claims without an interval of their own or their
    section's searched again at the article's re-review interval."""
    return evidence_searches(document, default_months=settings.VETTED_REREVIEW_INTERVAL_MONTHS)


def evidence_search_due(document: Document) -> date | None:
    """The earliest date one of the document's evidence searches falls due (kept on its version)."""
    return min((search.due_on for search in searches(document).values()), default=None)


def review_due(articles, now: datetime | None = None):
    """Of ``articles``, the published ones whose live version is older than the re-review interval.

    The one definition of "review due": the admin's filter and column, the reminder scan and the
    reader page's "next review due" all use it (or `rereview_due_on` for the date it gives).
    """
    return articles.approved_before(rereview_cutoff(now or timezone.now()))


def repeat_number(start: datetime, now: datetime, every: timedelta, limit: int) -> int | None:
    """Which repeat (0, 1, …, limit - 1) of a rule starting at ``start`` is due at ``now``."""
    if now < start or limit < 1:
        return None
    return min(int((now - start) / every), limit - 1)


@dataclass(frozen=True)
class Upcoming:
    """A reminder still to go: ``at`` None means it is due and leaves with the next scan."""

    at: datetime | None
    to: str
    what: str


def upcoming_for_assignment(assignment, *, now: datetime, last_sent: int | None, escalated: bool) -> list[Upcoming]:
    """The reminders an open assignment will still cause, earliest first.

    ``last_sent`` is the number of the latest overdue reminder written for it (None if none);
    ``escalated`` whether the editors were told it is overdue.
    """
    if assignment.status != "active":
        return []
    every, limit = overdue_every(), settings.VETTED_OVERDUE_REMINDER_LIMIT
    reviewer = str(assignment.reviewer)
    upcoming = []
    current = repeat_number(assignment.due_at, now, every, limit)
    if current is None:
        if limit:
            upcoming.append(Upcoming(assignment.due_at, reviewer, f"overdue reminder 1 of {limit}"))
    elif last_sent is None or last_sent < current:
        upcoming.append(Upcoming(None, reviewer, f"overdue reminder {current + 1} of {limit}"))
    elif current + 1 < limit:
        upcoming.append(
            Upcoming(assignment.due_at + (current + 1) * every, reviewer, f"overdue reminder {current + 2} of {limit}")
        )
    if not escalated:
        at = assignment.due_at + escalate_overdue_after()
        upcoming.append(Upcoming(at if at > now else None, "the editors", "escalation: review overdue"))
    return sorted(upcoming, key=lambda item: (item.at is not None, item.at))
