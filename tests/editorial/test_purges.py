"""The shared cache's purge outbox: written with the change, sent after the commit, never lost."""

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from editorial import purges
from editorial.exceptions import WorkflowError
from editorial.models import PurgeRequest
from editorial.services import perform_transition
from editorial.tasks import send_purges
from tests import workflow
from tests.factories import (
    BoardMemberFactory,
    ClaimFactory,
    EditorialPolicyFactory,
    ReferenceFactory,
    SectionFactory,
    TopicFactory,
    cite,
)

pytestmark = pytest.mark.django_db


class FakeVarnish(BaseHTTPRequestHandler):
    """Answers PURGE like deploy/varnish/vetted.vcl: 200 with the number purged in X-Purged."""

    received: list[str]

    def do_PURGE(self):  # noqa: N802 - the HTTP method's name
        self.received.append(self.headers["xkey-purge"])
        self.send_response(200)
        self.send_header("X-Purged", "3")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def varnish():
    """A loopback server standing in for Varnish; yields its URL and the xkey-purge headers it got."""
    received: list[str] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (FakeVarnish,), {"received": received}))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/", received
    server.shutdown()
    server.server_close()


def closed_port_url() -> str:
    """A loopback URL where nothing listens: connecting is refused at once."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = server.server_port
    server.server_close()
    return f"http://127.0.0.1:{port}/"


def keys_of(purge: PurgeRequest) -> set[str]:
    return set(purge.keys.split())


def test_approval_purges_the_article_the_listings_and_its_topic():
    """Publishing writes one purge naming the article, the listings and the live version's topic."""
    article = workflow.approved()
    purge = PurgeRequest.objects.get()
    assert keys_of(purge) == {f"article-{article.pk}", "listings", f"topic-{article.topic_id}"}
    assert purge.reason.startswith(f"approve of article {article.pk}")
    assert purge.sent_at is None  # sent only after the commit


def test_purge_is_written_in_the_transitions_transaction():
    """A transition rolled back by its caller leaves no purge behind, like its log entry."""
    article = workflow.approved()
    PurgeRequest.objects.all().delete()
    written = []

    def withdraw_then_fail():
        with transaction.atomic():
            perform_transition(article, "withdraw", by=workflow.editor(), comment="Superseded dose advice.")
            written.append(PurgeRequest.objects.count())
            raise RuntimeError("the caller's transaction fails after the transition")

    with pytest.raises(RuntimeError):
        withdraw_then_fail()
    assert written == [1]
    assert not PurgeRequest.objects.exists()
    article.refresh_from_db()
    assert article.state == "approved"


def test_refused_transition_purges_nothing():
    """A withdrawal refused for want of a reason writes no purge."""
    article = workflow.approved()
    PurgeRequest.objects.all().delete()
    with pytest.raises(WorkflowError):
        perform_transition(article, "withdraw", by=workflow.editor(), comment="")
    assert not PurgeRequest.objects.exists()


def test_withdrawal_and_reinstatement_each_purge_the_article_and_listings():
    """Both change what readers get at the article's address and in every listing."""
    article = workflow.approved()
    editor = workflow.editor()
    perform_transition(article, "withdraw", by=editor, comment="Superseded dose advice.")
    perform_transition(article, "reinstate", by=editor, comment="Dose advice confirmed.")
    expected = {f"article-{article.pk}", "listings", f"topic-{article.topic_id}"}
    reasons = [purge.reason.split(" ")[0] for purge in PurgeRequest.objects.order_by("id")]
    assert reasons == ["approve", "withdraw", "reinstate"]
    assert all(keys_of(purge) == expected for purge in PurgeRequest.objects.all())


def test_new_version_on_another_topic_purges_both_topics():
    """A revision approved under another topic leaves the old topic's page and the new one's."""
    article = workflow.approved()
    old_topic = article.topic
    perform_transition(article, "revise", by=article.authors.get())
    article.refresh_from_db()
    article.topic = TopicFactory()
    article.save()
    article = workflow.approved(article)
    latest = PurgeRequest.objects.order_by("-id").first()
    topics = {f"topic-{old_topic.pk}", f"topic-{article.topic_id}"}
    assert keys_of(latest) == {f"article-{article.pk}", "listings", *topics}


@override_settings(VETTED_REQUIRED_APPROVALS=2)
def test_first_of_two_approvals_purges_nothing():
    """Nothing is published yet, so nothing cached is out of date."""
    article = workflow.under_review()
    reviewer = article.assignments.get().reviewer
    workflow.verify_all(article, reviewer)
    perform_transition(article, "approve", by=reviewer)
    assert not PurgeRequest.objects.exists()


def test_revision_entering_review_purges_only_the_article_page():
    """A published article's page says an update is under review; a never-published one has no page."""
    never_published = workflow.submitted()
    assert not PurgeRequest.objects.exists()
    article = workflow.approved()
    perform_transition(article, "revise", by=article.authors.get())
    PurgeRequest.objects.all().delete()
    workflow.submitted(article)
    assert [purge.keys for purge in PurgeRequest.objects.all()] == [f"article-{article.pk}"]
    assert never_published.pk != article.pk


def test_reference_correction_purges_the_reference_and_published_articles_citing_it():
    """The reference's key and each published citing article's, never a draft's."""
    published = workflow.approved()
    reference = published.claims.first().citations.get().reference
    draft = workflow.ready_article()
    cite(ClaimFactory(section=SectionFactory(article=draft), position=5), reference)
    PurgeRequest.objects.all().delete()
    with transaction.atomic():
        reference.title = "A corrected title"
        reference.save()
        assert PurgeRequest.objects.count() == 1  # inside the save's transaction
    purge = PurgeRequest.objects.get()
    assert keys_of(purge) == {f"reference-{reference.uuid}", f"article-{published.pk}"}
    assert purge.reason == f"reference {reference.pk} corrected"


def test_new_reference_purges_nothing():
    """A reference nobody cites yet is on no page."""
    ReferenceFactory()
    assert not PurgeRequest.objects.exists()


def test_policy_and_board_edits_purge_their_pages():
    """Saving the policy purges page-policy; adding, editing or removing a member purges page-board."""
    policy = EditorialPolicyFactory()
    member = BoardMemberFactory()
    member.specialty = "Neurology"
    member.save()
    member.delete()
    policy.delete()
    keys = list(PurgeRequest.objects.order_by("id").values_list("keys", flat=True))
    assert keys == ["page-policy", "page-board", "page-board", "page-board", "page-policy"]


def test_topic_edit_purges_its_page_and_the_listings():
    """A renamed topic changes its page and the lists that name it."""
    topic = TopicFactory()
    topic.description = "Movement disorders."
    topic.save()
    assert keys_of(PurgeRequest.objects.get()) == {f"topic-{topic.pk}", "listings"}


def test_send_purges_every_cache_and_marks_the_row_sent(varnish, settings):
    """Each cache gets PURGE with the keys in xkey-purge; the row records what each answered."""
    url, received = varnish
    settings.VETTED_VARNISH_URLS = [url, url]
    purge = purges.queue(["article-1", "listings"], reason="test")
    assert send_purges.apply(args=[purge.pk]).get() == "sent"
    assert received == ["article-1 listings", "article-1 listings"]
    purge.refresh_from_db()
    assert purge.sent_at is not None
    assert (purge.attempts, purge.last_error) == (1, "")
    assert purge.note == f"{url}: 3 purged; {url}: 3 purged"
    assert purges.send(purge.pk) == "skipped"


def test_long_key_lists_go_in_several_requests(varnish, settings):
    """Keys are split so that no header exceeds what Varnish accepts."""
    url, received = varnish
    settings.VETTED_VARNISH_URLS = [url]
    keys = [f"article-{pk}" for pk in range(purges.KEYS_PER_REQUEST + 1)]
    purge = purges.queue(keys, reason="test")
    assert purges.send(purge.pk) == "sent"
    assert [len(header.split()) for header in received] == [purges.KEYS_PER_REQUEST, 1]


def test_without_caches_the_row_is_marked_sent_with_a_note(settings):
    """Purging is off when VETTED_VARNISH_URLS is empty: nothing waits in the outbox."""
    settings.VETTED_VARNISH_URLS = []
    purge = purges.queue(["listings"], reason="test")
    assert purges.send(purge.pk) == "off"
    purge.refresh_from_db()
    assert purge.sent_at is not None
    assert "purging is off" in purge.note


def test_unreachable_cache_is_retried_then_left_for_the_sweep(settings):
    """A refused connection is retried with backoff; after the last retry the row stays unsent with the error."""
    settings.VETTED_VARNISH_URLS = [closed_port_url()]
    purge = purges.queue(["article-7"], reason="test")
    # Eager tasks run their retries at once, without the countdown.
    assert send_purges.apply(args=[purge.pk]).get() == "unsent"
    purge.refresh_from_db()
    assert purge.sent_at is None
    assert purge.attempts == send_purges.max_retries + 1
    assert "ConnectionRefusedError" in purge.last_error


def test_sweep_requeues_unsent_purges_once_their_retries_are_over(varnish, settings):
    """A purge the broker or the cache missed is sent by the sweep; fresh or just-tried ones are left alone."""
    url, received = varnish
    settings.VETTED_VARNISH_URLS = [url]
    purge = purges.queue(["article-9"], reason="test")
    assert purges.requeue_unsent() == 0  # too fresh: its own task may still be on its way
    long_ago = timezone.now() - timedelta(minutes=10)
    PurgeRequest.objects.filter(pk=purge.pk).update(created_at=long_ago, last_attempt_at=timezone.now())
    assert purges.requeue_unsent() == 0  # tried just now: its retries are on their way
    PurgeRequest.objects.filter(pk=purge.pk).update(last_attempt_at=long_ago)
    assert purges.requeue_unsent() == 1
    purge.refresh_from_db()
    assert purge.sent_at is not None
    assert received == ["article-9"]
    assert purges.requeue_unsent() == 0


def test_commit_hands_the_purge_to_celery(django_capture_on_commit_callbacks, varnish, settings):
    """Once the approval commits, the purge is sent (tasks run in-process in tests)."""
    url, received = varnish
    settings.VETTED_VARNISH_URLS = [url]
    with django_capture_on_commit_callbacks(execute=True):
        article = workflow.approved()
    assert PurgeRequest.objects.get().sent_at is not None
    assert f"article-{article.pk}" in received[-1].split()


def test_editors_see_the_purge_list_read_only(client):
    """Editors list the purges; nobody adds or changes one; authors do not see the list."""
    purges.queue(["page-policy"], reason="policy edited")
    editor = workflow.editor(is_staff=True)
    client.force_login(editor)
    changelist = client.get(reverse("admin:editorial_purgerequest_changelist"))
    assert changelist.status_code == 200
    assert "policy edited" in changelist.text
    assert client.get(reverse("admin:editorial_purgerequest_add")).status_code == 403
    client.force_login(workflow.author(is_staff=True))
    assert client.get(reverse("admin:editorial_purgerequest_changelist")).status_code == 403
