"""Two people acting on one article at the same moment, on real PostgreSQL connections.

Each test runs its actors in threads, each thread on its own database connection. Where the
overlap must be certain, one thread holds the article's row lock until the other is seen
waiting for it in ``pg_stat_activity``; where the tests race through a barrier, every actor
read the article before the barrier, so the outcome is the same whoever wins.
"""

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import override_settings

from articles.models import Article, Claim
from editorial import reminders
from editorial.exceptions import ArticleMovedOnError, WorkflowError
from editorial.models import ArticleVersion, ClaimReview, Notification, ReviewAssignment, TransitionLog
from editorial.services import assign_reviewer, perform_transition, record_claim_review
from tests.workflow import (
    declare_none,
    editor,
    in_days,
    ready_article,
    reviewer,
    submitted,
    under_review,
    verify_all,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WAIT = 15  # seconds; generous, since a hung test is worse than a slow one


def on_own_connection(action: Callable):
    """Run ``action`` as a separate session: its own connection, closed when it ends."""

    def run():
        try:
            return action()
        finally:
            connection.close()

    return run


def as_session(pk: int, act: Callable[[Article], object], barrier: threading.Barrier | None = None):
    """A person who loads the article page (their own read of it), then acts on what they saw."""

    def run():
        article = Article.objects.get(pk=pk)
        if barrier is not None:
            barrier.wait(timeout=WAIT)
        return act(article)

    return on_own_connection(run)


def holding_the_row(pk: int, held: threading.Event, release: threading.Event, act: Callable[[Article], object]):
    """A session that reads the article, locks its row, waits to be released, then acts and commits."""

    def run():
        article = Article.objects.get(pk=pk)
        with transaction.atomic():
            Article.objects.select_for_update().get(pk=pk)
            held.set()
            assert release.wait(timeout=WAIT), "never released"
            return act(article)

    return on_own_connection(run)


def wait_until_sessions_wait_for_a_lock(count: int = 1) -> None:
    """Block until ``count`` other sessions are waiting on a lock in this database."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0] >= count:
                return
        time.sleep(0.02)
    raise AssertionError(f"{count} session(s) never waited for the article's row lock")


def outcomes(futures: list[Future]) -> tuple[list, list[BaseException]]:
    """Split finished sessions into results and the errors they raised."""
    results, errors = [], []
    for future in futures:
        error = future.exception(timeout=WAIT)
        if error is None:
            results.append(future.result())
        else:
            errors.append(error)
    return results, errors


def race(pk: int, *acts: Callable[[Article], object]) -> tuple[list, list[BaseException]]:
    """Every session reads the article, meets at a barrier, then all act at once."""
    barrier = threading.Barrier(len(acts), timeout=WAIT)
    with ThreadPoolExecutor(max_workers=len(acts)) as pool:
        futures = [pool.submit(as_session(pk, act, barrier)) for act in acts]
        return outcomes(futures)


def first_holds_the_lock(pk: int, first: Callable, second: Callable) -> tuple[object, BaseException | None]:
    """``first`` locks the row; ``second`` starts and is seen waiting; then ``first`` acts and commits."""
    held, release = threading.Event(), threading.Event()
    with ThreadPoolExecutor(max_workers=2) as pool:
        winner = pool.submit(holding_the_row(pk, held, release, first))
        assert held.wait(timeout=WAIT), "the first session never locked the row"
        loser = pool.submit(as_session(pk, second))
        try:
            wait_until_sessions_wait_for_a_lock()
        finally:
            release.set()
        assert winner.exception(timeout=WAIT) is None, winner.exception()
        return winner.result(), loser.exception(timeout=WAIT)


def test_author_submitting_twice_at_once_submits_once():
    """Two sessions of the same author submit together: one succeeds, the other is told it moved on."""
    article = ready_article()
    writer = article.authors.first()

    results, errors = race(article.pk, *[lambda a: perform_transition(a, "submit", by=writer)] * 2)

    assert len(results) == 1
    assert len(errors) == 1
    assert isinstance(errors[0], ArticleMovedOnError)
    assert errors[0].code == "moved_on"
    assert "moved on: it is now submitted" in errors[0].message
    assert TransitionLog.objects.filter(article=article, transition="submit").count() == 1
    article.refresh_from_db()
    assert (article.state, article.review_round) == (Article.State.SUBMITTED, 1)


def test_two_reviewers_taking_the_same_article_from_the_queue_get_one_assignment():
    """Two board members start reviewing one queued article at once: one gets it, the other moved on."""
    article = submitted()
    first, second = reviewer(), reviewer()

    results, errors = race(
        article.pk,
        lambda a: perform_transition(a, "start_review", by=first),
        lambda a: perform_transition(a, "start_review", by=second),
    )

    assert len(results) == 1
    assert [type(error) for error in errors] == [ArticleMovedOnError]
    assignment = ReviewAssignment.objects.get(article=article)
    log = TransitionLog.objects.get(article=article, transition="start_review")
    assert assignment.reviewer == log.actor
    assert Article.objects.get(pk=article.pk).state == Article.State.UNDER_REVIEW


def test_approve_and_request_changes_at_once_only_the_first_counts():
    """One reviewer approves while the other requests changes: the approval wins, the request moved on."""
    first, second = reviewer(), reviewer()
    article = under_review(by=first)
    assign_reviewer(article, reviewer=second, by=editor(), due_at=in_days(3))
    declare_none(article, second, role="reviewer")
    verify_all(article, first)

    winner, error = first_holds_the_lock(
        article.pk,
        lambda a: perform_transition(a, "approve", by=first),
        lambda a: perform_transition(a, "request_changes", by=second, comment="The dose is wrong."),
    )

    assert isinstance(error, ArticleMovedOnError)
    assert error.message == "This article moved on: it is now approved. Reload it and try again."
    article.refresh_from_db()
    assert article.state == Article.State.APPROVED
    assert article.live_version == winner.live_version
    assert ArticleVersion.objects.filter(article=article).count() == 1
    decisions = TransitionLog.objects.filter(article=article, transition__in=["approve", "request_changes"])
    assert list(decisions.values_list("transition", "actor")) == [("approve", first.pk)]
    statuses = dict(ReviewAssignment.objects.filter(article=article).values_list("reviewer", "status"))
    assert statuses == {first.pk: "approved", second.pk: "closed"}


def test_request_changes_first_makes_the_concurrent_approval_move_on():
    """The other order: the request for changes wins and no version is published."""
    first, second = reviewer(), reviewer()
    article = under_review(by=first)
    assign_reviewer(article, reviewer=second, by=editor(), due_at=in_days(3))
    declare_none(article, second, role="reviewer")
    verify_all(article, first)

    _, error = first_holds_the_lock(
        article.pk,
        lambda a: perform_transition(a, "request_changes", by=second, comment="The dose is wrong."),
        lambda a: perform_transition(a, "approve", by=first),
    )

    assert isinstance(error, ArticleMovedOnError)
    assert "it is now changes requested" in error.message
    article.refresh_from_db()
    assert (article.state, article.live_version) == (Article.State.CHANGES_REQUESTED, None)
    assert not ArticleVersion.objects.filter(article=article).exists()
    decisions = TransitionLog.objects.filter(article=article, transition__in=["approve", "request_changes"])
    assert list(decisions.values_list("transition", "actor")) == [("request_changes", second.pk)]


def test_claim_marked_while_changes_are_requested_is_refused():
    """A claim review waiting for the lock finds the review over and records nothing."""
    first, second = reviewer(), reviewer()
    article = under_review(by=first)
    assign_reviewer(article, reviewer=second, by=editor(), due_at=in_days(3))
    declare_none(article, second, role="reviewer")
    claim = Claim.objects.filter(article=article).in_sections().first()

    _, error = first_holds_the_lock(
        article.pk,
        lambda a: perform_transition(a, "request_changes", by=second, comment="Rework it."),
        lambda a: record_claim_review(claim, by=first, verified=True),
    )

    assert isinstance(error, WorkflowError)
    assert error.code == "wrong_state"
    assert error.message.endswith("it is changes requested.")
    assert not ClaimReview.objects.exists()


def test_two_editors_assigning_the_same_reviewer_at_once_make_one_assignment():
    """The second assignment waits for the first and is refused as a duplicate."""
    article = submitted()
    board_member = reviewer()
    first_editor, second_editor = editor(), editor()

    _, error = first_holds_the_lock(
        article.pk,
        lambda a: assign_reviewer(a, reviewer=board_member, by=first_editor, due_at=in_days(3)),
        lambda a: assign_reviewer(a, reviewer=board_member, by=second_editor, due_at=in_days(4)),
    )

    assert isinstance(error, WorkflowError)
    assert error.code == "already_assigned"
    assignment = ReviewAssignment.objects.get(article=article)
    assert assignment.assigned_by == first_editor
    assert TransitionLog.objects.filter(article=article, transition="assign").count() == 1


@override_settings(VETTED_REQUIRED_APPROVALS=2)
def test_two_required_approvals_given_at_once_both_count():
    """With two approvals required, the approval that waited sees the first one and publishes."""
    first, second = reviewer(), reviewer()
    article = under_review(by=first)
    assign_reviewer(article, reviewer=second, by=editor(), due_at=in_days(3))
    declare_none(article, second, role="reviewer")
    verify_all(article, first)
    verify_all(article, second)

    _, error = first_holds_the_lock(
        article.pk,
        lambda a: perform_transition(a, "approve", by=first),
        lambda a: perform_transition(a, "approve", by=second),
    )

    assert error is None
    article.refresh_from_db()
    assert article.state == Article.State.APPROVED
    assert article.live_version.approved_by == second
    assert sorted(entry["name"] for entry in article.live_version.reviewers) == sorted([str(first), str(second)])
    assert TransitionLog.objects.filter(article=article, transition="approve").count() == 2


def test_two_schedulers_scanning_at_once_write_and_send_each_reminder_once():
    """A second beat's scan waits on the first's uncommitted row, then writes nothing; one email goes."""
    article = submitted()
    assignment = assign_reviewer(article, reviewer=reviewer(), by=editor(email=""), due_at=in_days(1))
    late = assignment.due_at + timedelta(hours=1)
    mail.outbox.clear()
    held, release = threading.Event(), threading.Event()

    def first_scheduler():
        with transaction.atomic():
            reminders.scan_overdue_reviews(late)
            held.set()
            assert release.wait(timeout=WAIT), "never released"

    def second_scheduler():
        assert held.wait(timeout=WAIT), "the first scan never wrote"
        reminders.scan_overdue_reviews(late)

    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(on_own_connection(first_scheduler))
        second = pool.submit(on_own_connection(second_scheduler))
        wait_until_sessions_wait_for_a_lock()
        release.set()
        first.result(timeout=WAIT)
        second.result(timeout=WAIT)
    (notice,) = Notification.objects.filter(kind="overdue")
    assert notice.status == "sent"
    assert [message.to for message in mail.outbox if message.subject.startswith("Overdue")] == [[notice.email]]
