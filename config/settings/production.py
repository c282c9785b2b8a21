"""Production: secrets and hosts must come from the environment; HTTPS everywhere.

Database connections (PostgreSQL), one of:

- ``DB_POOL=true`` (the default): each process keeps a psycopg pool of ``DB_POOL_MIN_SIZE`` (1) to
  ``DB_POOL_MAX_SIZE`` (4) connections; a request waits at most ``DB_POOL_TIMEOUT`` (10) seconds
  for one. A sync gunicorn worker or a Celery child uses one at a time, so the server must
  accept (web workers + worker children) x ``DB_POOL_MAX_SIZE`` connections at worst.
- ``DB_PGBOUNCER=true``: PgBouncer in transaction mode does the pooling. Each request connects to
  PgBouncer and lets go at its end, and no server-side cursor outlives a transaction.
- ``DB_POOL=false``: Django's own connections (``CONN_MAX_AGE`` from ``DATABASE_URL``'s
  ``?conn_max_age=``, else closed after each request).
"""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DB_PGBOUNCER = env.bool("DB_PGBOUNCER", default=False)
DB_POOL = env.bool("DB_POOL", default=not DB_PGBOUNCER)
if DB_POOL and DB_PGBOUNCER:
    raise ImproperlyConfigured("DB_POOL and DB_PGBOUNCER exclude each other: with PgBouncer, set DB_POOL=false.")

# A copy: base's dictionary is shared with every module that star-imports it.
DATABASES = {"default": {**DATABASES["default"], "OPTIONS": {**DATABASES["default"].get("OPTIONS", {})}}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    if DB_POOL:
        pool = {
            "min_size": env.int("DB_POOL_MIN_SIZE", default=1),
            "max_size": env.int("DB_POOL_MAX_SIZE", default=4),
            # A request gives up on the database after this: with it down, readers get the 503 page
            # (config.views.server_error) quickly instead of waiting out a worker's timeout.
            "timeout": env.float("DB_POOL_TIMEOUT", default=3.0),
        }
        if not 0 <= pool["min_size"] <= pool["max_size"] or pool["max_size"] < 1:
            raise ImproperlyConfigured(f"DB_POOL_MIN_SIZE must lie between 0 and DB_POOL_MAX_SIZE (>= 1): {pool}")
        DATABASES["default"]["OPTIONS"]["pool"] = pool
        # The pool keeps connections open; Django refuses persistent connections of its own on top.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        # A connection the server dropped (restart, failover) is replaced before a request gets it.
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    elif DB_PGBOUNCER:
        # Transaction mode gives each transaction any server connection: nothing may outlive one.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
