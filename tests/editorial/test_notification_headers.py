"""A notice's subject is always one line that fits: no title can make delivery fail forever."""

import pytest
from django.core import mail

from articles.models import Article
from editorial import notifications
from editorial.models import Notification
from editorial.reminders import scan
from editorial.services import assign_reviewer, perform_transition
from tests import workflow

pytestmark = pytest.mark.django_db

BROKEN_TITLE = "What is the treatment\r\nfor essential\ttremor?\x07"


def written_before_the_rule(article: Article, title: str = BROKEN_TITLE) -> Article:
    """Store a title the validators refuse, as rows saved before them may hold (an UPDATE skips validation)."""
    Article.objects.filter(pk=article.pk).update(title=title)
    return Article.objects.get(pk=article.pk)


def test_subject_line_is_one_line_without_control_characters():
    """Line breaks, tabs and runs of spaces become single spaces; control characters go."""
    subject = notifications.subject_line("Submitted: What is\r\n the\ttreatment\x00?")
    assert subject == "Submitted: What is the treatment ?"


def test_subject_line_is_cut_to_what_the_outbox_holds():
    """A 300-character question still fits the subject column, ending with an ellipsis."""
    limit = Notification._meta.get_field("subject").max_length
    subject = notifications.subject_line("Submitted for review: " + "word " * 100)
    assert len(subject) <= limit
    assert subject.endswith("…")


def test_a_question_with_a_line_break_still_gets_its_notices_delivered(django_capture_on_commit_callbacks):
    """Submitting an article whose stored title holds CRLF, a tab and BEL sends every editor a one-line subject."""
    editor = workflow.editor()
    article = written_before_the_rule(workflow.ready_article())
    with django_capture_on_commit_callbacks(execute=True):
        perform_transition(article, "submit", by=article.authors.get())
    notice = Notification.objects.get(article=article, recipient=editor)
    assert notice.status == Notification.Status.SENT
    assert notice.subject == "Submitted for review: What is the treatment for essential tremor?"
    assert [message.subject for message in mail.outbox] == [notice.subject]


def test_every_kind_of_notice_about_such_an_article_is_delivered(django_capture_on_commit_callbacks):
    """Submission, assignment, reminders and changes requested all build their subjects the same way."""
    workflow.editor()
    board_member = workflow.reviewer()
    with django_capture_on_commit_callbacks(execute=True):
        article = workflow.submitted(written_before_the_rule(workflow.ready_article()))
    with django_capture_on_commit_callbacks(execute=True):
        assign_reviewer(article, reviewer=board_member, by=workflow.editor(), due_at=workflow.in_days(1))
    with django_capture_on_commit_callbacks(execute=True):
        scan(workflow.in_days(10))
    with django_capture_on_commit_callbacks(execute=True):
        workflow.under_review(Article.objects.get(pk=article.pk), by=board_member)
        perform_transition(Article.objects.get(pk=article.pk), "request_changes", by=board_member, comment="Cite.")
    kinds = set(Notification.objects.filter(article=article).values_list("kind", flat=True))
    assert {"submitted", "assigned", "overdue", "changes_requested"} <= kinds
    assert set(Notification.objects.filter(article=article).values_list("status", flat=True)) == {"sent"}
    assert all("\r" not in message.subject and "\n" not in message.subject for message in mail.outbox)


def test_an_outbox_row_written_before_the_rule_is_delivered_with_a_one_line_subject():
    """A pending row whose stored subject holds a line break is sent, not retried until it fails."""
    workflow.editor()
    article = workflow.submitted()
    notice = Notification.objects.get(article=article)
    Notification.objects.filter(pk=notice.pk).update(subject="Submitted for review: What is\r\nthe answer?")
    assert notifications.deliver(notice.pk) == "sent"
    assert mail.outbox[0].subject == "Submitted for review: What is the answer?"
    notice.refresh_from_db()
    assert (notice.status, notice.last_error) == (Notification.Status.SENT, "")


def test_a_question_as_long_as_the_title_allows_can_be_submitted(django_capture_on_commit_callbacks):
    """The subject is cut to its column, so a 300-character question does not stop the submission."""
    workflow.editor()
    title = ("Is it safe to take propranolol " * 10)[: Article._meta.get_field("title").max_length]
    article = workflow.ready_article(title=title)
    with django_capture_on_commit_callbacks(execute=True):
        perform_transition(article, "submit", by=article.authors.get())
    notice = Notification.objects.get(article=article)
    assert notice.status == Notification.Status.SENT
    assert notice.subject.startswith("Submitted for review: Is it safe to take propranolol")
    assert notice.subject.endswith("…")
