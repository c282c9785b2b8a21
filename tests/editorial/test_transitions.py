"""The transition table agrees with the state machine and with everything that reads it."""

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article
from editorial import notifications, services
from editorial.review import available_actions
from editorial.transitions import TRANSITIONS
from tests import workflow

pytestmark = pytest.mark.django_db


def test_the_table_names_exactly_the_state_machines_transitions():
    """A transition added to Article's state machine without a row here (or the reverse) fails."""
    declared = {transition.name for transition in Article._meta.get_field("state").get_all_transitions(Article)}
    assert set(TRANSITIONS) == declared


def test_every_transition_has_a_way_to_apply_it_and_a_distinct_button():
    assert set(services._APPLY) == set(TRANSITIONS)
    buttons = [transition.button for transition in TRANSITIONS.values()]
    assert len(buttons) == len(set(buttons))


def test_a_transition_tells_someone_exactly_when_it_has_a_message():
    """`notifies` in the table and the messages in notifications name the same transitions."""
    with_message = {name for name in TRANSITIONS if name in notifications._MESSAGES}
    assert with_message == {name for name, transition in TRANSITIONS.items() if transition.notifies}


def test_buttons_and_comment_prompts_come_from_the_table():
    """The admin's withdraw button asks the table's question, and the service refuses without it."""
    article = workflow.approved()
    editor = workflow.editor()
    withdraw = next(action for action in available_actions(article, editor) if action.name == "withdraw")
    assert (withdraw.label, withdraw.comment_prompt) == (
        TRANSITIONS["withdraw"].button,
        TRANSITIONS["withdraw"].comment_prompt,
    )
    with pytest.raises(services.WorkflowError, match=TRANSITIONS["withdraw"].comment_prompt):
        services.perform_transition(article, "withdraw", by=editor)


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_the_workspace_offers_only_the_transitions_the_table_gives_it(name):
    """Posting any other transition to the workspace is refused, and nothing moves."""
    writer = workflow.author()
    article = workflow.ready_article(by=writer)
    client = Client()
    client.force_login(writer)
    response = client.post(reverse("writing:transition", args=[article.pk, name]))
    state = Article.objects.get(pk=article.pk).state
    if TRANSITIONS[name].in_workspace:
        assert response.status_code == 302
    else:
        assert response.status_code == 403
        assert state == Article.State.DRAFT
