"""make bench only: the floor under the article page, a Django view with nothing to do.

It answers /bench-floor/ with the article page's own bytes (read once from
``VETTED_BENCH_FLOOR_FILE``): no query, no template, no cache, but the same gunicorn, settings
and middleware. The URL exists only under `benchmarks.http_settings`; production's URLs never
have it.
"""

from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.urls import include, path

PAGE = Path(settings.VETTED_BENCH_FLOOR_FILE).read_bytes()


def floor(request):
    return HttpResponse(PAGE, content_type="text/html; charset=utf-8")


urlpatterns = [path("bench-floor/", floor), path("", include("config.urls"))]
