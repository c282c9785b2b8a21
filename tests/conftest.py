"""Suite-wide fixtures, and the rule that a check needing a real service never skips in CI."""

import os
import shutil

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from reader.live import kept
from reader.views import forget_recent_pages

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = "/usr/bin/chromium"


def _skip_or_fail(reason: str) -> None:
    """Skip with the reason on a developer machine; in CI a missing service is a failure."""
    if IN_CI:
        pytest.fail(f"{reason} — CI must run this test against the real service.")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _required_services(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://… (runs in CI)")
    if request.node.get_closest_marker("redis") and not settings.REDIS_URL:
        _skip_or_fail("needs Redis: set REDIS_URL=redis://… (runs in CI)")
    if request.node.get_closest_marker("browser") and not shutil.which(CHROMIUM):
        _skip_or_fail(f"needs Chromium at {CHROMIUM} (apt-get install chromium; .ci/run installs it)")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: cached pages and rate limits never leak between tests."""
    cache.clear()
    forget_recent_pages()
    kept.reset()  # a flushed test database sends no notification
    yield
    cache.clear()
    forget_recent_pages()
    kept.reset()
