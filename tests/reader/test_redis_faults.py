"""Redis stops: reader pages, search and the question form keep answering; /healthz says 503.

The test runs a Redis server of its own on a free loopback port and stops it by its PID, with the
cache configured exactly as production configures it (``config.settings.base.redis_cache``).
"""

import shutil
import socket
import time

import pytest
from django.core.cache import caches
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from articles.models import DailyReads
from config.celery import app as celery_app
from config.settings.base import redis_cache
from reader import tasks
from reader.models import ReaderMessage
from tests import workflow
from tests.editorial.test_worker import PrivateRedis

pytestmark = [pytest.mark.redis, pytest.mark.django_db]

OWN_ORIGIN = {"HTTP_ORIGIN": "http://testserver"}
QUESTION = "Does the treatment also help children under twelve?"
# Connect and read timeouts are 0.25 s: even a Redis that hangs costs a page well under this.
SLOWEST_ANSWER_SECONDS = 2.0


@pytest.fixture
def server(tmp_path):
    if not shutil.which("redis-server"):
        pytest.fail("needs redis-server on PATH to start and stop a Redis of its own")
    redis = PrivateRedis(tmp_path)
    redis.start()
    broker = celery_app.conf.broker_url
    celery_app.conf.broker_url = redis.url  # /healthz checks the broker, which is this Redis too
    with override_settings(CACHES={"default": redis_cache(redis.url)}):
        yield redis
    celery_app.conf.broker_url = broker
    if redis.process.poll() is None:
        redis.stop()


def timed(request, *args, **kwargs):
    started = time.monotonic()
    response = request(*args, **kwargs)
    took = time.monotonic() - started
    print(f"{args[0]}: {response.status_code} in {took:.3f} s")
    assert took < SLOWEST_ANSWER_SECONDS
    return response


def test_with_redis_stopped_readers_still_read_search_and_ask(server, settings, caplog):
    """Article, home, topic and search 200; questions 302 and still limited; /healthz 503; no 500."""
    settings.VETTED_FEEDBACK_PER_HOUR = 2
    article = workflow.approved()
    reader = Client()
    url = article.get_absolute_url()
    assert reader.get(url).status_code == 200  # rendered into Redis
    assert Client().get(reverse("healthz")).status_code == 200

    server.stop()
    for path in (url, "/", reverse("reader:topic", args=[article.topic.slug]), "/search/?q=answer"):
        response = timed(reader.get, path)
        assert response.status_code == 200, path
    assert "The short answer." in reader.get(url).content.decode()
    question_url = reverse("reader:question", args=[article.live_version.slug])
    for _ in range(2):
        assert timed(reader.post, question_url, {"text": QUESTION}, **OWN_ORIGIN).status_code == 302
    assert timed(reader.post, question_url, {"text": QUESTION}, **OWN_ORIGIN).status_code == 429
    assert ReaderMessage.objects.count() == 2
    assert tasks.fold_reads() == 0  # nothing reachable to fold; logged, not raised
    health = Client().get(reverse("healthz"))  # its broker check waits up to 2 s (config.views)
    assert health.status_code == 503
    assert health.json()["broker"]["ok"] is False
    assert "Redis" in caplog.text or "Connection" in caplog.text  # ignored errors are logged

    server.start()
    assert reader.get(url).status_code == 200
    assert reader.get(reverse("reader:read", args=[article.pk])).status_code == 200  # the view counter
    assert caches["default"].get(f"reads:{timezone.localdate():%Y-%m-%d}:{article.pk}") == 1
    assert tasks.fold_reads() == 1
    assert DailyReads.objects.get(article=article).count == 1


@pytest.fixture
def hung_redis():
    """A "Redis" that accepts connections and never answers, as a hung server or a dropped route does."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)  # connections complete in the backlog; nothing ever reads or replies
        url = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
        with override_settings(CACHES={"default": redis_cache(url)}):
            yield url


def test_a_hung_redis_costs_a_page_its_timeouts_not_an_error(hung_redis, settings):
    """Each cache call gives up after VETTED_CACHE_TIMEOUT_SECONDS: pages and questions still answer."""
    article = workflow.approved()
    reader = Client()
    for path in (article.get_absolute_url(), "/", "/search/?q=answer"):
        assert timed(reader.get, path).status_code == 200, path
    question_url = reverse("reader:question", args=[article.live_version.slug])
    assert timed(reader.post, question_url, {"text": QUESTION}, **OWN_ORIGIN).status_code == 302
