import io

from django.conf import settings
from django.core.management import call_command


def test_committed_workflow_diagram_matches_the_state_machine():
    """docs/workflow.dot is what django-fsm's graph command draws now (regenerate with `make diagram`)."""
    output = io.StringIO()
    call_command("graph_transitions", "articles.Article.state", stdout=output)
    committed = (settings.BASE_DIR / "docs" / "workflow.dot").read_text()
    # The command lists nodes and edges in set order, which varies between runs.
    assert sorted(output.getvalue().split("\n")) == sorted(committed.split("\n"))
