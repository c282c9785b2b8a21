"""The board's reminder-related admin: assigning, declining, next reminders, review due, the outbox."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from editorial import reminders
from editorial.models import Notification, ReviewAssignment
from editorial.services import assign_reviewer
from tests import workflow
from tests.editorial.test_admin import logged_in

pytestmark = pytest.mark.django_db


def assign_url(article) -> str:
    return reverse("admin:articles_article_assign", args=[article.pk])


def decline_url(assignment) -> str:
    return reverse("admin:editorial_reviewassignment_decline", args=[assignment.pk])


def assigned(**kwargs) -> ReviewAssignment:
    article = workflow.submitted()
    return assign_reviewer(
        article,
        reviewer=workflow.reviewer(first_name="Maya", last_name="Okafor"),
        by=workflow.editor(first_name="Sam"),
        due_at=workflow.in_days(2),
        **kwargs,
    )


def test_editor_assigns_a_board_member_with_a_due_date():
    """The form lists eligible members; posting assigns one and tells them."""
    article = workflow.submitted()
    member = workflow.reviewer(first_name="Maya", last_name="Okafor")
    editor = workflow.editor()
    client = logged_in(editor)
    page = client.get(assign_url(article))
    assert page.status_code == 200
    assert "Maya Okafor" in page.content.decode()
    assert article.authors.get().username not in page.content.decode()  # authors cannot review their own work
    due = timezone.localtime() + timedelta(days=4)
    response = client.post(assign_url(article), {"reviewer": member.pk, "due_at": f"{due:%Y-%m-%dT%H:%M}"})
    assert response.status_code == 302
    assignment = ReviewAssignment.objects.get(article=article)
    assert (assignment.reviewer, assignment.assigned_by) == (member, editor)
    assert Notification.objects.filter(kind="assigned", recipient=member).exists()


def test_assignment_with_a_past_due_date_is_refused_and_changes_nothing():
    """A due date in the past gets a clear error on the form; no assignment, no notice."""
    article = workflow.submitted()
    member = workflow.reviewer()
    past = timezone.localtime() - timedelta(days=1)
    response = logged_in(workflow.editor()).post(
        assign_url(article), {"reviewer": member.pk, "due_at": f"{past:%Y-%m-%dT%H:%M}"}
    )
    assert response.status_code == 200
    assert "Choose a due date in the future." in response.content.decode()
    assert not ReviewAssignment.objects.exists()
    assert not Notification.objects.filter(kind="assigned").exists()


@pytest.mark.parametrize(("who", "status"), [("reviewer", 403), ("its author", 403), ("another author", 404)])
def test_only_editors_may_assign(who, status):
    """Board members and the article's author are refused; an author of other articles cannot even see it."""
    article = workflow.submitted()
    user = {
        "reviewer": workflow.reviewer,
        "its author": article.authors.get,
        "another author": workflow.author,
    }[who]()
    client = logged_in(user)
    assert client.get(assign_url(article)).status_code == status
    assert client.post(assign_url(article), {"reviewer": workflow.reviewer().pk}).status_code == status
    assert not ReviewAssignment.objects.exists()


def test_assigned_reviewer_declines_with_a_reason_and_editors_are_told():
    """Declining needs a reason; with one, the assignment closes and every editor hears."""
    assignment = assigned()
    client = logged_in(assignment.reviewer)
    assert client.get(decline_url(assignment)).status_code == 200
    blank = client.post(decline_url(assignment), {"reason": "   "})
    assert blank.status_code == 200
    assert "This field is required." in blank.content.decode()
    assignment.refresh_from_db()
    assert assignment.status == "active"

    response = client.post(decline_url(assignment), {"reason": "On leave until next month."})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert (assignment.status, assignment.decline_reason) == ("declined", "On leave until next month.")
    assert Notification.objects.get(kind="declined").recipient == assignment.assigned_by
    log = assignment.article.transition_logs.get(transition="decline")
    assert (log.comment, log.actor) == ("On leave until next month.", assignment.reviewer)


@pytest.mark.parametrize("who", ["another reviewer", "editor"])
def test_nobody_else_may_decline_an_assignment(who):
    """Only the assigned reviewer can decline; others get 403 and nothing changes."""
    assignment = assigned()
    other = workflow.reviewer() if who == "another reviewer" else assignment.assigned_by
    client = logged_in(other)
    assert client.get(decline_url(assignment)).status_code == 403
    assert client.post(decline_url(assignment), {"reason": "Not mine"}).status_code == 403
    assignment.refresh_from_db()
    assert assignment.status == "active"


def test_a_closed_assignment_cannot_be_declined():
    """Declining twice gives a clear error the second time."""
    assignment = assigned()
    client = logged_in(assignment.reviewer)
    client.post(decline_url(assignment), {"reason": "Conflict of interest."})
    response = client.post(decline_url(assignment), {"reason": "Again."})
    assert response.status_code == 200
    assert "This assignment is declined, so it cannot be declined." in response.content.decode()


def test_assignment_list_shows_when_the_next_reminder_goes_and_to_whom(django_assert_num_queries):
    """Before the due date the first reminder is at the due date; once sent, the next repeat."""
    assignment = assigned()
    client = logged_in(assignment.assigned_by)
    url = reverse("admin:editorial_reviewassignment_changelist")
    page = client.get(url).content.decode()
    due = timezone.localtime(assignment.due_at)
    assert f"{due:%b %d, %H:%M} → Maya Okafor (overdue reminder 1 of 5)" in page
    escalation = timezone.localtime(assignment.due_at + timedelta(days=3))
    assert f"{escalation:%b %d, %H:%M} → the editors (escalation: review overdue)" in page

    ReviewAssignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assert "within 15 min → Maya Okafor (overdue reminder 1 of 5)" in client.get(url).content.decode()
    reminders.scan_overdue_reviews(timezone.now())
    assignment.refresh_from_db()
    following = timezone.localtime(assignment.due_at + timedelta(days=2))
    assert f"{following:%b %d, %H:%M} → Maya Okafor (overdue reminder 2 of 5)" in client.get(url).content.decode()


def test_assignment_list_costs_the_same_queries_however_many_assignments(django_assert_num_queries):
    """Reminder state comes from annotations, not a query per row."""
    first = assigned()
    client = logged_in(first.assigned_by)
    url = reverse("admin:editorial_reviewassignment_changelist")
    client.get(url)
    # Queries: session, user, groups' permissions ×2 (view check), count ×2, page rows with annotations.
    with django_assert_num_queries(7):
        client.get(url)
    for _ in range(4):
        assigned()
    with django_assert_num_queries(7):
        assert client.get(url).content.decode().count("overdue reminder 1 of 5") == 5


def test_article_page_shows_each_open_assignments_next_reminder():
    """The article's page lists assignments with their next reminder and the assign link for editors."""
    assignment = assigned()
    url = reverse("admin:articles_article_change", args=[assignment.article.pk])
    page = logged_in(assignment.assigned_by).get(url).content.decode()
    assert "Maya Okafor (overdue reminder 1 of 5)" in page
    assert assign_url(assignment.article) in page
    assert decline_url(assignment) not in page


def test_only_the_assigned_reviewer_is_offered_decline_on_the_article_page():
    """The assigned reviewer sees “Decline…” and no assign link; another board member sees neither."""
    assignment = assigned()
    url = reverse("admin:articles_article_change", args=[assignment.article.pk])
    own = logged_in(assignment.reviewer).get(url).content.decode()
    assert decline_url(assignment) in own
    assert assign_url(assignment.article) not in own
    assert "An editor assigns reviewers." in own
    other = logged_in(workflow.reviewer()).get(url).content.decode()
    assert decline_url(assignment) not in other


@override_settings(VETTED_REREVIEW_INTERVAL_MONTHS=0)
def test_articles_due_for_re_review_are_flagged_and_filterable():
    """An approval older than the interval shows “Review due” and appears under the filter."""
    due = workflow.approved()
    draft = workflow.ready_article()
    client = logged_in(workflow.editor())
    url = reverse("admin:articles_article_changelist")
    page = client.get(url).content.decode()
    assert "Review due" in page
    filtered = client.get(url, {"review_due": "yes"}).content.decode()
    assert due.title in filtered
    assert draft.title not in filtered


def test_articles_not_yet_due_show_their_next_review_date():
    """A fresh approval shows the date twelve months on, without the flag."""
    article = workflow.approved()
    page = logged_in(workflow.editor()).get(reverse("admin:articles_article_changelist")).content.decode()
    assert "Review due" not in page.replace("Review due</a>", "")  # the filter's own label is a link
    next_year = timezone.localtime(article.live_version.approved_at).replace(
        year=article.live_version.approved_at.year + 1
    )
    assert f"{next_year:%b %d, %Y}" in page


def test_editors_see_the_notification_log_filtered_by_kind_and_recipient():
    """The outbox is listed with status and filters; board members cannot open it."""
    assignment = assigned()
    editor = assignment.assigned_by
    url = reverse("admin:editorial_notification_changelist")
    client = logged_in(editor)
    by_kind = client.get(url, {"kind": "assigned"}).content.decode()
    assert assignment.reviewer.email in by_kind
    by_recipient = client.get(url, {"recipient__id__exact": editor.pk}).content.decode()
    assert assignment.reviewer.email not in by_recipient
    assert "Pending" in by_kind
    assert logged_in(assignment.reviewer).get(url).status_code == 403
