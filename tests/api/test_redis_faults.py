"""Redis stops: the API keeps answering and limits nobody, rather than failing."""

import pytest
from django.test import Client

from tests import workflow
from tests.reader.test_redis_faults import server, timed  # noqa: F401 - the fixture and its timer

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


def test_with_redis_stopped_the_api_answers_and_the_limit_lets_requests_through(server, settings):  # noqa: F811
    settings.VETTED_API_REQUESTS_PER_MINUTE = 2
    article = workflow.approved()
    api = Client()
    path = f"/api/v1/articles/{article.live_version.slug}"
    assert [api.get(path).status_code for _ in range(3)] == [200, 200, 429]  # counted in this Redis
    server.stop()
    for url in (path, "/api/v1/articles", "/api/v1/topics", "/api/v1/search?q=answer"):
        assert timed(api.get, url).status_code == 200
    assert [timed(api.get, path).status_code for _ in range(3)] == [200, 200, 200]
