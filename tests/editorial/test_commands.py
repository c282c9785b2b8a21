import pytest
from django.core.management import CommandError, call_command

from articles.models import Article
from tests import workflow

pytestmark = pytest.mark.django_db


def test_transition_command_goes_through_the_workflow(capsys):
    """`manage.py transition` submits as the named author and logs it."""
    article = workflow.ready_article()
    author = article.authors.get()
    call_command("transition", article.slug, "submit", "--as", author.username)
    article.refresh_from_db()
    assert article.state == Article.State.SUBMITTED
    assert article.transition_logs.get(transition="submit").actor == author
    assert "now submitted" in capsys.readouterr().out


def test_transition_command_reports_a_refusal_and_changes_nothing():
    """The same rules hold on the command line: a reviewer cannot submit someone's draft."""
    article = workflow.ready_article()
    reviewer = workflow.reviewer()
    logged = list(article.transition_logs.values_list("pk", flat=True))
    with pytest.raises(CommandError, match="Only an author of this article or an editor can submit it."):
        call_command("transition", article.slug, "submit", "--as", reviewer.username)
    article.refresh_from_db()
    assert article.state == Article.State.DRAFT
    assert list(article.transition_logs.values_list("pk", flat=True)) == logged
