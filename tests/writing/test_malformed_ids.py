"""Malformed ids in the workspace's forms get a clear message and change nothing, never a 500."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import workflow
from tests.editorial.test_admin_doors import snapshot
from writing.views import ACTIONS

pytestmark = pytest.mark.django_db

MALFORMED = ["abc", "-1", "9" * 40, "1.5", "", "00000000-0000-0000-0000-00000000000g", "1 OR 1=1"]
ID_FIELDS = ("section", "claim", "parent", "uuid", "reference", "citation", "review", "deletion", "topic")


@pytest.mark.parametrize("value", MALFORMED)
def test_every_workspace_action_refuses_a_malformed_id_without_a_server_error(value):
    """Each action, with every id field set to a malformed value: a 3xx/4xx answer and the database unchanged."""
    writer = workflow.author()
    article = workflow.ready_article(by=writer)
    client = Client()
    client.force_login(writer)
    url = reverse("writing:edit", args=[article.pk])
    actions = [*ACTIONS, "update_reference", "add_reference"]
    problems = []
    for action in actions:
        article.refresh_from_db()
        data = {"action": action, "version": article.edit_version, **dict.fromkeys(ID_FIELDS, value)}
        before = snapshot()
        response = client.post(url, data)
        if response.status_code >= 500 or snapshot() != before and action != "add_reference":
            problems.append(f"{action} with {value!r}: {response.status_code}")
    assert problems == [], "\n".join(problems)
