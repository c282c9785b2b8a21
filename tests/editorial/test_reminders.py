"""Reminder scans, driven by an explicit clock: each scan is given the moment it runs at."""

from datetime import datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from articles.models import Article
from editorial import notifications, reminders, schedule
from editorial.models import Notification
from editorial.services import assign_reviewer, decline_assignment, perform_transition
from editorial.tasks import scan_reminders
from tests import workflow
from tests.factories import ReferenceFactory

pytestmark = pytest.mark.django_db

HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def assigned(*, due_in_days: float = 1, reviewer=None):
    """A submitted article assigned by an editor; the event notices are cleared away."""
    article = workflow.submitted()
    assignment = assign_reviewer(
        article,
        reviewer=reviewer or workflow.reviewer(first_name="Maya"),
        by=workflow.editor(first_name="Sam"),
        due_at=workflow.in_days(due_in_days),
    )
    Notification.objects.all().delete()
    return assignment


def sent(kind: str):
    return list(Notification.objects.filter(kind=kind).order_by("id"))


def test_nothing_is_sent_before_the_due_date():
    """An assignment that is not yet due causes no reminder."""
    assignment = assigned()
    assert reminders.scan_overdue_reviews(assignment.due_at - timedelta(minutes=1)) == 0
    assert reminders.scan_overdue_reviews(assignment.due_at) == 0  # due, not yet overdue
    assert not Notification.objects.exists()


def test_overdue_reviewer_is_reminded_once_per_period():
    """Two scans in the same period send one reminder; the next period sends the next one."""
    assignment = assigned()
    assert reminders.scan(assignment.due_at + HOUR)["overdue"] == 1
    assert reminders.scan(assignment.due_at + 2 * HOUR)["overdue"] == 0
    assert reminders.scan(assignment.due_at + 2 * DAY + HOUR)["overdue"] == 1
    first, second = sent("overdue")
    assert (first.recipient, first.period, second.period) == (assignment.reviewer, 0, 1)
    assert first.subject == f"Overdue review (less than a day): {assignment.article.title}"
    assert "This is reminder 1 of 5; the next goes" in first.body_text
    assert f"/admin/articles/article/{assignment.article.pk}/change/" in first.body_text
    assert f"{timezone.localtime(assignment.due_at):%B %d, %Y}" in first.body_text


def test_a_scan_after_downtime_sends_the_current_reminder_not_every_missed_one():
    """A scheduler that was down for days catches up with one reminder, not a burst."""
    assignment = assigned()
    reminders.scan(assignment.due_at + 5 * DAY)
    (reminder,) = sent("overdue")
    assert reminder.period == 2
    assert "5 days overdue" in reminder.body_text


@override_settings(VETTED_OVERDUE_REMINDER_LIMIT=2)
def test_overdue_reminders_stop_at_the_limit():
    """After the last allowed reminder, later scans send the reviewer nothing more."""
    assignment = assigned()
    for days in (0.1, 2.1, 4.1, 8.1, 30):
        reminders.scan(assignment.due_at + days * DAY)
    assert [notice.period for notice in sent("overdue")] == [0, 1]
    assert "This is the last of 2 reminders" in sent("overdue")[1].body_text


def test_editors_hear_once_when_a_review_is_long_overdue():
    """Escalation goes to every editor once the review is M days overdue, and only once."""
    assignment = assigned()
    other_editor = workflow.editor()
    reminders.scan(assignment.due_at + 2 * DAY)
    assert not sent("overdue_escalated")
    reminders.scan(assignment.due_at + 3 * DAY + HOUR)
    reminders.scan(assignment.due_at + 9 * DAY)
    escalations = sent("overdue_escalated")
    assert {notice.recipient for notice in escalations} == {assignment.assigned_by, other_editor}
    assert "Maya" in escalations[0].body_text
    assert f"/admin/articles/article/{assignment.article.pk}/assign/" in escalations[0].body_text


def test_reminders_stop_once_the_review_is_decided():
    """Requesting changes closes the assignment: no more reminders, and a queued one is not sent."""
    assignment = assigned()
    reminders.scan(assignment.due_at + HOUR)
    (queued,) = sent("overdue")
    article = workflow.under_review(assignment.article, by=assignment.reviewer)
    perform_transition(article, "request_changes", by=assignment.reviewer, comment="Cite the guideline.")
    assert reminders.scan(assignment.due_at + 3 * DAY)["overdue"] == 0
    assert notifications.deliver(queued.pk) == "cancelled"
    queued.refresh_from_db()
    assert (queued.status, queued.cancelled_because) == ("cancelled", "The assignment is changes requested.")
    assert mail.outbox == []


def test_declining_stops_reminders_tells_editors_and_allows_reassignment():
    """A decline reaches the editors with the reason; the same or another member can be assigned."""
    assignment = assigned()
    reminders.scan(assignment.due_at + HOUR)
    decline_assignment(assignment, by=assignment.reviewer, reason="I advised the manufacturer last year.")
    (notice,) = sent("declined")
    assert notice.recipient == assignment.assigned_by
    assert "Reason: I advised the manufacturer last year." in notice.body_text
    assert f"/admin/articles/article/{assignment.article.pk}/assign/" in notice.body_text
    assert notifications.deliver(sent("overdue")[0].pk) == "cancelled"
    assert reminders.scan(assignment.due_at + 3 * DAY)["overdue"] == 0

    again = assign_reviewer(
        assignment.article, reviewer=assignment.reviewer, by=assignment.assigned_by, due_at=workflow.in_days(3)
    )
    assert again.status == "active"
    assert assignment.article.assignments.count() == 2


def test_a_reviewer_who_declined_can_still_take_the_article_from_the_queue():
    """A declined assignment does not stop the same reviewer starting the review later."""
    assignment = assigned()
    decline_assignment(assignment, by=assignment.reviewer, reason="Away this week.")
    article = perform_transition(assignment.article, "start_review", by=assignment.reviewer)
    assert article.state == Article.State.UNDER_REVIEW
    assert article.assignments.filter(status="active").get().reviewer == assignment.reviewer


def test_submission_waiting_for_a_reviewer_is_escalated_once_per_round():
    """After K hours with nobody assigned the editors are told, once; assigning someone stops it."""
    editor = workflow.editor()
    article = workflow.submitted()
    Notification.objects.all().delete()
    submitted_at = Article.objects.get(pk=article.pk).submitted_at
    assert reminders.scan(submitted_at + 47 * HOUR)["unassigned"] == 0
    assert reminders.scan(submitted_at + 48 * HOUR)["unassigned"] == 1
    assert reminders.scan(submitted_at + 72 * HOUR)["unassigned"] == 0
    (notice,) = sent("unassigned")
    assert (notice.recipient, notice.subject) == (editor, f"Waiting 48 hours for a reviewer: {article.title}")

    assign_reviewer(article, reviewer=workflow.reviewer(), by=editor, due_at=workflow.in_days(3))
    assert notifications.deliver(notice.pk) == "cancelled"
    assert reminders.scan(submitted_at + 96 * HOUR)["unassigned"] == 0


def test_submission_notice_reaches_editors_and_the_board_but_not_the_author():
    """Nobody is assigned when an article is submitted, so the board hears of it with the editors."""
    editor, member = workflow.editor(), workflow.reviewer()
    writer = workflow.author()
    writer.groups.add(*workflow.reviewer().groups.all())  # an author who also sits on the board
    article = workflow.submitted(workflow.ready_article(by=writer))
    recipients = {notice.recipient for notice in Notification.objects.filter(article=article, kind="submitted")}
    assert recipients == {editor, member, *[user for user in _board() if user != writer]}
    assert writer not in recipients


def _board():
    from editorial.notifications import board_members

    return list(board_members())


def approved_long_ago():
    """An approved article, and the moment its re-review fell due."""
    article = workflow.approved()
    Notification.objects.all().delete()
    return article, article.live_version.approved_at + relativedelta(months=12)


def test_rereview_is_due_after_the_interval_and_reminds_the_board():
    """Twelve months after approval the board and editors are reminded, with what changed."""
    article, due = approved_long_ago()
    editor, member = workflow.editor(), workflow.reviewer()
    assert reminders.scan(due - DAY)["rereview_due"] == 0
    assert not schedule.review_due(Article.objects.all(), due - DAY).exists()
    assert list(schedule.review_due(Article.objects.all(), due + HOUR)) == [article]

    reminders.scan(due + HOUR)
    notices = sent("rereview_due")
    assert {editor, member} <= {notice.recipient for notice in notices}
    assert "Nothing in the article or its cited references has changed since that approval." in notices[0].body_text
    assert "Articles are re-reviewed every 12 months" in notices[0].body_text
    assert reminders.scan(due + 2 * HOUR)["rereview_due"] == 0


def test_rereview_reminder_lists_what_changed_since_approval():
    """A corrected reference shows up in the next reminder, old value and new."""
    article, due = approved_long_ago()
    workflow.reviewer()
    reference = article.live_version.document["references"][0]
    from references.models import Reference

    cited = Reference.objects.get(uuid=reference["uuid"])
    cited.year = cited.year + 1
    cited.save()
    reminders.scan(due + HOUR)
    body = sent("rereview_due")[0].body_text
    assert f"year changed from “{cited.year - 1}” to “{cited.year}”" in body


@override_settings(VETTED_REREVIEW_REMINDER_LIMIT=2)
def test_rereview_reminders_repeat_weekly_up_to_the_limit_and_stop_on_revision():
    """Reminders repeat every 7 days up to the limit; starting a revision stops them."""
    article, due = approved_long_ago()
    member = workflow.reviewer()
    for days in (0.1, 7.1, 14.1):
        reminders.scan(due + days * DAY)
    assert [notice.period for notice in sent("rereview_due") if notice.recipient == member] == [0, 1]

    article, due = approved_long_ago()
    perform_transition(article, "revise", by=article.authors.get())
    reminders.scan(due + DAY)
    assert not Notification.objects.filter(kind="rereview_due", article=article).exists()
    assert (
        schedule.review_due(Article.objects.all(), due + DAY).filter(pk=article.pk).exists()
    )  # still flagged in the admin


def test_rereview_reminder_is_not_sent_once_the_article_is_approved_again():
    """A reminder still queued when a new version is approved is cancelled at delivery."""
    article, due = approved_long_ago()
    member = workflow.reviewer()
    reminders.scan(due + HOUR)
    notice = Notification.objects.get(kind="rereview_due", recipient=member)
    Notification.objects.filter(pk=notice.pk).update(created_at=timezone.now() - HOUR)
    article = perform_transition(article, "revise", by=article.authors.get())
    workflow.approved(article)
    assert notifications.deliver(notice.pk) == "cancelled"


def digest_day() -> datetime:
    return (timezone.now() + 2 * DAY).replace(hour=6, minute=59, second=0, microsecond=0)


def test_daily_digest_lists_open_assignments_once_a_day_after_the_digest_hour():
    """One digest per member per day, from 07:00, with each open review, its due date and link."""
    member = workflow.reviewer(first_name="Maya")
    overdue = assigned(reviewer=member, due_in_days=1)
    later = assigned(reviewer=member, due_in_days=5)
    Notification.objects.all().delete()
    morning = digest_day()
    assert reminders.scan_digests(morning) == 0
    assert reminders.scan_digests(morning + timedelta(minutes=1)) == 1
    assert reminders.scan_digests(morning + 5 * HOUR) == 0
    (digest,) = sent("digest")
    assert digest.subject == "Your reviews today: 2 open, 1 overdue"
    assert f"{overdue.article.title} — due" in digest.body_text
    assert "(overdue by" in digest.body_text
    assert later.article.title in digest.body_text
    assert "/account/digest/stop/" in digest.body_text
    assert reminders.scan_digests(morning + DAY + HOUR) == 1


def test_members_who_opted_out_or_have_nothing_open_get_no_digest():
    """Opting out stops digests (a queued one too); people with no open review get none."""
    quiet = workflow.reviewer()
    member = workflow.reviewer()
    assigned(reviewer=member)
    workflow.reviewer()  # on the board, nothing assigned
    assigned(reviewer=quiet)
    type(quiet).objects.filter(pk=quiet.pk).update(receives_digest=False)
    reminders.scan_digests(digest_day() + HOUR)
    (digest,) = sent("digest")
    assert digest.recipient == member

    type(member).objects.filter(pk=member.pk).update(receives_digest=False)
    assert notifications.deliver(digest.pk) == "cancelled"


def test_assignment_notices_still_reach_members_who_opted_out_of_digests():
    """The opt-out covers digests only."""
    member = workflow.reviewer(receives_digest=False)
    article = workflow.submitted()
    assign_reviewer(article, reviewer=member, by=workflow.editor(), due_at=workflow.in_days(2))
    assert Notification.objects.filter(kind="assigned", recipient=member).exists()


@override_settings(VETTED_SCAN_BATCH_SIZE=2)
def test_scan_cost_follows_the_work_due_not_the_archive(django_assert_num_queries):
    """Closed work and recent approvals add no query; due work costs one read per batch."""
    workflow.editor()
    done = [workflow.approved() for _ in range(3)]  # recent approvals, closed assignments
    now = timezone.now()
    # Queries: one batch read per rule (overdue, unassigned, re-review, evidence search, digest;
    # digests are due after 07:00).
    with django_assert_num_queries(4 if timezone.localtime(now).hour < 7 else 5):
        reminders.scan(now)

    assignments = [assigned(due_in_days=1) for _ in range(3)]
    late = assignments[0].due_at + HOUR
    # Queries: overdue batch 1 (2 rows) + taken keys + 2 writes, batch 2 (1 row) + taken keys + 1 write.
    with django_assert_num_queries(7):
        assert reminders.scan_overdue_reviews(late) == 3
    # The same period again: two batch reads and two key lookups, nothing written.
    with django_assert_num_queries(4):
        assert reminders.scan_overdue_reviews(late) == 0
    assert len(done) == 3


def test_the_scan_task_runs_every_rule():
    """The Celery task is a thin call to the scans and reports what each wrote."""
    assert scan_reminders.delay().get() == {
        "overdue": 0,
        "unassigned": 0,
        "rereview_due": 0,
        "evidence_due": 0,
        "digest": 0,
    }


def test_reminders_in_the_outbox_are_delivered_as_email(django_capture_on_commit_callbacks):
    """A reminder written by a scan goes out as plain text and HTML once its write commits."""
    assignment = assigned()
    with django_capture_on_commit_callbacks(execute=True):
        reminders.scan_overdue_reviews(assignment.due_at + HOUR)
    (email,) = mail.outbox
    assert email.to == [assignment.reviewer.email]
    assert email.subject.startswith("Overdue review")
    assert "<a href=" in email.alternatives[0][0]
    assert sent("overdue")[0].status == "sent"


def test_a_reference_created_elsewhere_changes_nothing_in_the_reminder():
    """Only references the article cites enter its change list."""
    article, due = approved_long_ago()
    workflow.reviewer()
    ReferenceFactory(title="An unrelated trial")
    reminders.scan(due + HOUR)
    assert "An unrelated trial" not in sent("rereview_due")[0].body_text


def test_review_due_is_one_definition_for_the_admin_the_scan_and_the_reader_page():
    """Approved and overdue: due everywhere. Revising: still due (the live page is overdue) but the
    board is not reminded. Withdrawn: due nowhere. The admin's filter and the scan ask one selector."""
    overdue, due = approved_long_ago()
    revising, _ = approved_long_ago()
    perform_transition(revising, "revise", by=revising.authors.get())
    withdrawn = workflow.withdrawn(approved_long_ago()[0])
    later = due + relativedelta(days=2)
    flagged = set(schedule.review_due(Article.objects.all(), later))
    scanned = set(reminders.rereview_due(later))
    assert flagged == {overdue, revising}
    assert scanned == {overdue}
    assert withdrawn not in flagged | scanned
