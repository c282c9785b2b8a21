"""Each web process keeps which version an address serves and forgets it as a workflow change commits."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from editorial.services import perform_transition
from reader.live import kept
from tests import workflow

# Committed transactions: NOTIFY is delivered only on commit, which a test transaction never does.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def reads_database(client: Client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code
    return status, len(queries)


def test_a_kept_address_costs_no_query_until_a_workflow_change_commits():
    """Second read: no query. A withdrawal commits: the very next read asks again and answers 410."""
    article = workflow.approved()
    url = article.get_absolute_url()
    reader = Client()
    assert reads_database(reader, url)[0] == 200
    assert reads_database(reader, url) == (200, 0)
    perform_transition(article, "withdraw", by=workflow.editor(), comment="Superseded.")
    status, queries = reads_database(reader, url)
    assert status == 410
    assert queries >= 1
    perform_transition(Article.objects.get(pk=article.pk), "reinstate", by=workflow.editor(), comment="Back.")
    assert reads_database(reader, url)[0] == 200


def test_a_new_approval_is_served_at_once_and_the_old_address_redirects():
    article = workflow.approved(workflow.ready_article(slug="old-address"))
    reader = Client()
    assert reader.get("/articles/old-address/").status_code == 200
    perform_transition(article, "revise", by=article.authors.get())
    Article.objects.filter(pk=article.pk).update(slug="new-address")
    workflow.approved(Article.objects.get(pk=article.pk))
    assert reader.get("/articles/old-address/").status_code == 301
    assert reader.get("/articles/new-address/").status_code == 200


def test_nothing_is_kept_inside_a_transaction_or_when_switched_off(settings):
    """A request whose connection is in a transaction could see uncommitted changes; off means off."""
    from django.db import transaction

    article = workflow.approved()
    url = article.get_absolute_url()
    reader = Client()
    reader.get(url)
    with transaction.atomic():
        assert reads_database(reader, url)[1] >= 1
    settings.VETTED_LIVE_CACHE = False
    assert reads_database(reader, url)[1] >= 1


def test_a_lost_listening_connection_means_asking_the_database():
    article = workflow.approved()
    url = article.get_absolute_url()
    reader = Client()
    reader.get(url)
    assert reads_database(reader, url)[1] == 0
    kept.listener.close()
    assert reads_database(reader, url)[1] >= 1
