"""The page cache and the readers' rate limit on the real Redis server production uses."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client, override_settings

from editorial import feedback
from editorial.services import perform_transition
from tests import workflow

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


@pytest.fixture
def redis_cache():
    """The default cache pointed at Redis (a database of its own), emptied before and after."""
    location = settings.REDIS_URL.rsplit("/", 1)[0] + "/14"
    backend = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location}}
    with override_settings(CACHES=backend):
        caches["default"].clear()
        yield caches["default"]
        caches["default"].clear()


def test_a_withdrawn_or_re_approved_article_is_never_served_from_redis(redis_cache):
    """The rendered page is in Redis; a new approval and a withdrawal still show at once."""
    article = workflow.approved()
    url = article.get_absolute_url()
    reader = Client()
    first = reader.get(url).content
    stored = [key.decode() for key in redis_cache._cache.get_client().keys("*")]
    assert any("article-page:" in key for key in stored)
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
    ttl = redis_cache._cache.get_client().ttl(redis_cache.make_key(f"editorial:feedback-rate:{key}"))
    assert 0 < ttl <= 3600
