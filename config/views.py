"""Operational endpoints, and the error page for a database that cannot be reached."""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery import app as celery_app
from config.celery import broker_mode, ensure_embedded_broker_dirs
from config.client_ip import address_in, client_ip


def _database_status() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "down"; the message says why
        return {"ok": False, "vendor": connection.vendor, "error": str(error)}
    return {"ok": True, "vendor": connection.vendor}


def _broker_status() -> dict:
    ensure_embedded_broker_dirs()
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "mode": broker_mode(), "error": str(error)}
    return {"ok": True, "mode": broker_mode()}


def _may_see_details(request, *, database_ok: bool) -> bool:
    """Internal callers (by their real address) and signed-in staff; never on a client-written header."""
    if address_in(client_ip(request), settings.VETTED_HEALTH_DETAIL_NETWORKS):
        return True
    # Who is signed in is read from the database: with it down, nobody can be recognised.
    return database_ok and request.user.is_active and request.user.is_staff


@never_cache
@require_GET
def healthz(request):
    """Answer 200 when the database and the broker both answer, else 503.

    Everyone sees whether each check passed; the vendor, broker mode and error messages (which
    name hosts and ports) only internal callers and staff.
    """
    checks = {"database": _database_status(), "broker": _broker_status()}
    healthy = all(check["ok"] for check in checks.values())
    if not _may_see_details(request, database_ok=checks["database"]["ok"]):
        checks = {name: {"ok": check["ok"]} for name, check in checks.items()}
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)


DATABASE_UNREACHABLE = (OperationalError, InterfaceError)
UNAVAILABLE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Vetted is unavailable for a moment</title></head>
<body><main><h1>Vetted is unavailable for a moment</h1>
<p>We cannot reach our database right now. Please try again in a minute.</p></main></body></html>
"""


def server_error(request):
    """Django's 500 page, or a plain 503 when the database cannot be reached.

    A fault of the database is not a bug: the page says to come back, with ``Retry-After``, and
    needs nothing that could fail with it (no template, no database, no cache). In front, the
    shared cache answers a 503 from the app with the approved page it holds (stale-if-error).
    """
    if isinstance(sys.exc_info()[1], DATABASE_UNREACHABLE):
        response = HttpResponse(UNAVAILABLE, status=503)
        response["Retry-After"] = "30"
        response["Cache-Control"] = "no-store"
        return response
    return defaults.server_error(request)
