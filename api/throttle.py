"""The per-client rate limit: ``VETTED_API_REQUESTS_PER_MINUTE`` requests per client address a minute.

Counted in the shared cache (Redis in production, so every web node counts together) in fixed
one-minute windows: one atomic ``incr`` per request (and an ``add`` for a window's first). The client is
`config.client_ip`'s address. A cache that does not answer (Redis stopped) counts nothing and
refuses nothing: the API degrades to no limit rather than to errors. Responses a shared cache
(Varnish) serves never reach the app and are not counted.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from config.client_ip import client_ip

WINDOW_SECONDS = 60


class ClientRateThrottle(BaseThrottle):
    """Ninja's throttle hook; one instance serves every request, so the wait is kept on the request."""

    def allow_request(self, request: HttpRequest) -> bool:
        limit = settings.VETTED_API_REQUESTS_PER_MINUTE
        if limit <= 0:
            return True
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        key = f"api-rate:{window}:{client_ip(request)}"
        try:
            count = cache.incr(key)  # one round trip for every request but a window's first
        except ValueError:  # the window's first request (or the key expired a moment ago)
            if cache.add(key, 1, WINDOW_SECONDS + 1):
                return True
            count = cache.incr(key)  # another request opened the window meanwhile
        if count is None or count <= limit:  # None: the cache did not answer
            return True
        request.retry_after = max(1, int((window + 1) * WINDOW_SECONDS - now + 0.999))
        return False

    def wait(self) -> float | None:
        return None  # `api.views` answers ninja's Throttled with the request's retry_after
