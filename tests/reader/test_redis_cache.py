"""The page cache, read counts and the readers' rate limit on the real Redis server production uses."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_redis import get_redis_connection

from articles.models import DailyReads
from config.settings.base import redis_cache as redis_cache_settings
from editorial.services import perform_transition
from reader import feedback, reads, tasks
from tests import workflow

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


@pytest.fixture
def redis_cache():
    """The default cache as production configures it (django-redis), on a database of its own, emptied."""
    location = settings.REDIS_URL.rsplit("/", 1)[0] + "/14"
    with override_settings(CACHES={"default": redis_cache_settings(location)}):
        caches["default"].clear()
        yield caches["default"]
        caches["default"].clear()


def stored_keys() -> list[str]:
    return [key.decode() for key in get_redis_connection("default").keys("*")]


def test_a_withdrawn_or_re_approved_article_is_never_served_from_redis(redis_cache):
    """The rendered page is in Redis; a new approval and a withdrawal still show at once."""
    article = workflow.approved()
    url = article.get_absolute_url()
    reader = Client()
    first = reader.get(url).content
    assert any("article-page:" in key for key in stored_keys())
    perform_transition(article, "revise", by=article.authors.get())
    article = workflow.approved(article)
    assert reader.get(url).content != first
    perform_transition(article, "withdraw", by=workflow.editor(), comment="Superseded.")
    assert reader.get(url).status_code == 410


def test_the_hourly_limit_holds_under_simultaneous_posts_on_redis(redis_cache):
    """Twenty clients' worth of simultaneous counts from one address: exactly the allowance passes."""
    key = "203.0.113.9-test"
    with ThreadPoolExecutor(max_workers=8) as pool:
        allowed = list(pool.map(lambda _: feedback.allow_submission(key), range(20)))
    assert allowed.count(True) == settings.VETTED_FEEDBACK_PER_HOUR
    ttl = redis_cache.ttl(f"reader:feedback-rate:{key}")
    assert 0 < ttl <= 3600


def test_reads_are_counted_in_redis_with_a_few_days_to_live(redis_cache):
    """reads:<day>:<pk> is an integer Redis key that expires in three days; the fold empties it."""
    article = workflow.approved()
    reader = Client()
    for _ in range(3):
        reader.get(article.get_absolute_url())
        reader.get(reverse("reader:read", args=[article.pk]))  # the page's view counter
    key = f"reads:{timezone.localdate():%Y-%m-%d}:{article.pk}"
    assert redis_cache.get(key) == 3
    assert 2 * 24 * 3600 < redis_cache.ttl(key) <= 3 * 24 * 3600
    assert not DailyReads.objects.exists()
    assert tasks.fold_reads() == 3
    assert DailyReads.objects.get(article=article).count == 3
    assert redis_cache.get(key) is None


def test_no_read_is_lost_or_counted_twice_while_folds_run_alongside(redis_cache):
    """Eight threads count 2,000 reads while the fold runs again and again: exactly 2,000 land."""
    article = workflow.approved()
    with ThreadPoolExecutor(max_workers=8) as pool:
        counting = [pool.submit(lambda: [reads.count(article.pk) for _ in range(250)]) for _ in range(8)]
        folded = 0
        while not all(future.done() for future in counting):
            folded += tasks.fold_reads()
        for future in counting:
            future.result()
    folded += tasks.fold_reads()
    assert folded == 2000
    assert DailyReads.objects.get(article=article).count == 2000
