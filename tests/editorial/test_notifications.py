from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from editorial import notifications
from editorial.exceptions import WorkflowError
from editorial.models import Notification
from editorial.services import assign_reviewer, perform_transition
from tests import workflow

pytestmark = pytest.mark.django_db

FAILING_MAIL = "tests.editorial.failing_mail.EmailBackend"


def test_submission_queues_a_notice_for_each_editor_in_the_same_transaction():
    """Submitting writes one pending outbox row per editor with an email address."""
    first, second = workflow.editor(), workflow.editor()
    workflow.editor(email="")
    article = workflow.submitted()
    rows = Notification.objects.filter(article=article)
    assert sorted(rows.values_list("email", flat=True)) == sorted([first.email, second.email])
    assert set(rows.values_list("kind", "status")) == {("submitted", "pending")}
    notice = rows.first()
    assert notice.subject == f"Submitted for review: {article.title}"
    assert f"/admin/articles/article/{article.pk}/change/" in notice.body_text
    assert f'href="http://127.0.0.1:8000/admin/articles/article/{article.pk}/change/"' in notice.body_html


def test_refused_transition_queues_nothing():
    """A submission that fails its checks writes no notification."""
    workflow.editor()
    article = workflow.ready_article(claims=0)
    article.sections.all().delete()
    with pytest.raises(WorkflowError):
        perform_transition(article, "submit", by=article.authors.get())
    assert not Notification.objects.exists()


def test_assignment_tells_the_reviewer_the_due_date():
    """The assigned reviewer gets a notice naming the article and its due date."""
    article = workflow.submitted()
    board_member = workflow.reviewer(first_name="Maya")
    due = timezone.now() + timedelta(days=5)
    assign_reviewer(article, reviewer=board_member, by=workflow.editor(), due_at=due)
    notice = Notification.objects.get(kind="assigned")
    assert notice.recipient == board_member
    assert f"{timezone.localtime(due):%B %d, %Y}" in notice.body_text
    assert notice.body_text.startswith("Hello Maya,")


def test_authors_hear_of_changes_requested_approval_and_withdrawal():
    """Each decision reaches every author, with the reviewer's or editor's words."""
    article = workflow.under_review()
    reviewer = article.assignments.get().reviewer
    perform_transition(article, "request_changes", by=reviewer, comment="Cite the 2019 guideline.")
    changes = Notification.objects.get(kind="changes_requested")
    assert changes.email == article.authors.get().email
    assert "Cite the 2019 guideline." in changes.body_text

    article = workflow.approved(article)
    approved = Notification.objects.get(kind="approved")
    assert f"http://127.0.0.1:8000{article.get_absolute_url()}" in approved.body_text

    perform_transition(article, "withdraw", by=workflow.editor(email=""), comment="Dose advice superseded.")
    assert "Reason: Dose advice superseded." in Notification.objects.get(kind="withdrawn").body_text


@override_settings(VETTED_REQUIRED_APPROVALS=2)
def test_first_of_two_approvals_announces_nothing():
    """Authors hear of approval only when the article is actually published."""
    article = workflow.under_review()
    reviewer = article.assignments.get().reviewer
    workflow.verify_all(article, reviewer)
    perform_transition(article, "approve", by=reviewer)
    assert not Notification.objects.filter(kind="approved").exists()


def test_queueing_the_same_event_twice_writes_one_row():
    """The idempotency key makes a repeated write of the same notice a no-op."""
    article = workflow.ready_article()
    workflow.editor()
    article = workflow.submitted(article)
    entry = article.transition_logs.get(transition="submit")
    notifications.queue_for_event(article, entry)
    assert Notification.objects.count() == 1


def test_delivery_sends_once_however_often_it_runs():
    """A second delivery of the same row sends nothing."""
    workflow.editor()
    notice = Notification.objects.get(article=workflow.submitted())
    assert notifications.deliver(notice.pk) == "sent"
    assert notifications.deliver(notice.pk) == "skipped"
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [notice.email]
    assert sent.alternatives[0][1] == "text/html"
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("sent", 1)
    assert notice.sent_at is not None


@override_settings(EMAIL_BACKEND=FAILING_MAIL, VETTED_NOTIFICATION_MAX_ATTEMPTS=2)
def test_failed_delivery_is_retried_then_marked_failed_with_the_error():
    """The row goes back to pending with the error, and ends as failed after the last attempt."""
    workflow.editor()
    notice = Notification.objects.get(article=workflow.submitted())
    with pytest.raises(notifications.DeliveryError) as first:
        notifications.deliver(notice.pk)
    assert not first.value.final
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("pending", 1)
    assert notice.last_error == "ConnectionRefusedError: SMTP server refused the connection"
    with pytest.raises(notifications.DeliveryError) as second:
        notifications.deliver(notice.pk)
    assert second.value.final
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("failed", 2)
    assert notifications.deliver(notice.pk) == "skipped"


def test_a_row_abandoned_mid_delivery_is_taken_over_after_its_lease():
    """A worker that died while sending leaves a row another delivery takes once the lease ends."""
    workflow.editor()
    notice = Notification.objects.get(article=workflow.submitted())
    Notification.objects.filter(pk=notice.pk).update(status="sending", claimed_at=timezone.now())
    assert notifications.deliver(notice.pk) == "skipped"
    Notification.objects.filter(pk=notice.pk).update(claimed_at=timezone.now() - timedelta(hours=1))
    assert notifications.deliver(notice.pk) == "sent"
    assert len(mail.outbox) == 1


def test_sweep_requeues_what_was_never_delivered():
    """Rows left pending (say the broker was down at commit) are delivered by the periodic sweep."""
    workflow.editor()
    article = workflow.submitted()
    assert notifications.requeue_unsent() == 0  # too fresh: its own delivery may still be on its way
    Notification.objects.update(created_at=timezone.now() - timedelta(minutes=10))
    assert notifications.requeue_unsent() == 1
    assert Notification.objects.get(article=article).status == "sent"
    assert len(mail.outbox) == 1


def test_commit_hands_the_notice_to_celery(django_capture_on_commit_callbacks):
    """Once the transition commits, its notices are delivered (tasks run in-process in tests)."""
    workflow.editor()
    article = workflow.ready_article()
    with django_capture_on_commit_callbacks(execute=True):
        perform_transition(article, "submit", by=article.authors.get())
    assert Notification.objects.get(article=article).status == "sent"
    assert mail.outbox[0].subject == f"Submitted for review: {article.title}"
