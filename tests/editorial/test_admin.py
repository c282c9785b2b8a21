import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Section
from editorial.models import TransitionLog
from editorial.services import perform_transition
from tests import workflow
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def test_editor_downloads_an_articles_transition_log_as_csv():
    """The per-article export lists every transition with actor, states and comment."""
    article = workflow.approved()
    editor = workflow.editor(username="ed")
    perform_transition(article, "withdraw", by=editor, comment="Superseded, with a comma")
    response = logged_in(editor).get(reverse("admin:editorial_transitionlog_export", args=[article.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:6] == ["article", "slug", "transition", "from", "to", "actor"]
    # The declarations of competing interests are audited with the transitions (integrity.Declaration).
    assert [row[2] for row in rows[1:]] == [
        "declare_interests",
        "submit",
        "start_review",
        "declare_interests",
        "approve",
        "withdraw",
    ]
    assert rows[1][7] == "Author declares no competing interests."
    assert rows[-1][3:6] == ["approved", "withdrawn", "ed"]
    assert rows[-1][7] == "Superseded, with a comma"
    assert rows[5][9] == "1"  # the approval names version 1


def test_user_without_access_to_the_log_cannot_export_it():
    """A staff user with no role gets 403 from the export."""
    article = workflow.approved()
    response = logged_in(UserFactory()).get(reverse("admin:editorial_transitionlog_export", args=[article.pk]))
    assert response.status_code == 403


def test_transition_log_cannot_be_changed_or_deleted_in_the_admin():
    """Even a superuser sees the log read-only: no add, change or delete."""
    article = workflow.submitted()
    admin = logged_in(UserFactory(is_superuser=True))
    entry = TransitionLog.objects.get(article=article, transition="submit")
    change_url = reverse("admin:editorial_transitionlog_change", args=[entry.pk])
    page = admin.get(change_url)
    assert page.status_code == 200
    assert b'type="submit" value="Save"' not in page.content
    assert admin.post(change_url, {"comment": "rewritten"}).status_code == 403
    assert admin.get(reverse("admin:editorial_transitionlog_add")).status_code == 403
    assert (
        admin.post(reverse("admin:editorial_transitionlog_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    )
    entry.refresh_from_db()
    assert entry.comment == ""


def test_sections_are_only_shown_by_their_own_admin_and_edited_on_the_article_page():
    """The section admin refuses changes in every state; the draft's article page offers them."""
    article = workflow.under_review()
    editor = logged_in(workflow.editor())
    section = article.sections.get()
    url = reverse("admin:articles_section_change", args=[section.pk])
    data = {"article": article.pk, "heading": "Changed", "position": 0, "intro": ""}
    assert editor.post(url, data).status_code == 403
    assert Section.objects.get(pk=section.pk).heading == "Treatment"

    draft = workflow.ready_article()
    draft_section = draft.sections.get()
    url = reverse("admin:articles_section_change", args=[draft_section.pk])
    assert editor.post(url, {"article": draft.pk, "heading": "Changed", "position": 0, "intro": ""}).status_code == 403
    assert Section.objects.get(pk=draft_section.pk).heading == "Treatment"
    page = editor.get(reverse("admin:articles_article_change", args=[draft.pk])).content.decode()
    assert 'name="sections-0-heading"' in page
    locked_page = editor.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert 'name="sections-0-heading"' not in locked_page


def test_article_admin_shows_history_with_the_acting_user():
    """The history page lists the transition saves with who made them."""
    article = workflow.submitted()
    admin = logged_in(UserFactory(is_superuser=True))
    response = admin.get(reverse("admin:articles_article_history", args=[article.pk]))
    assert response.status_code == 200
    assert article.authors.first().username.encode() in response.content
    assert b"submit" in response.content
