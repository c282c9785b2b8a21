"""Settings shared by every environment, read from the environment with developer defaults.

Environment variables (all optional on a developer machine):

- ``DATABASE_URL``: e.g. ``postgres://postgres@127.0.0.1:5432/vetted``; default a SQLite file.
- ``REDIS_URL``: Celery broker and cache; without it Celery uses an embedded broker in ``var/``.
- ``SECRET_KEY``, ``DEBUG``, ``ALLOWED_HOSTS``, ``EMAIL_URL``, ``DEFAULT_FROM_EMAIL``, ``SITE_URL``.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

SECRET_KEY = env("SECRET_KEY", default="django-insecure-vetted-development-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "config.admin.VettedAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_fsm",
    "nested_admin",
    "simple_history",
    "axes",
    "csp",
    "accounts",
    "references",
    "articles",
    "integrity",
    "editorial",
    "pages",
    "writing",
    "reader",
    "api",
    "ninja",  # its templates and static files: the API docs page serves Swagger UI from this origin
    "corsheaders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything that can answer: a CORS preflight to /api/ is answered here.
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HEAD under /api/ is answered as GET without its body, problems included.
    "api.middleware.HeadAsGetMiddleware",
    # Around everything that can answer an /api/ request with an error: it becomes a problem.
    "api.middleware.ProblemDetailsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.control_characters.RefuseControlCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a login refused during a lock-out into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "editorial:landing"  # each role to its work: editorial.permissions.work_url
LOGOUT_REDIRECT_URL = "home"

# Login throttling (django-axes), for the site's and the admin's login alike: after
# AXES_FAILURE_LIMIT failures for one account from one client address, that account cannot log in
# from that address, even with the right password, until AXES_COOLOFF_MINUTES after the last
# failure. A success resets the count. Other accounts, and the account from elsewhere, are unaffected.
AUTHENTICATION_BACKENDS = ["accounts.backends.ThrottledModelBackend"]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
# Lock-outs expire by themselves; `manage.py axes_reset_username NAME` lifts one sooner. Axes's own
# admin pages stay off (every admin page goes through editorial.permissions), and so does its log
# of every successful login, which nothing here reads.
AXES_ENABLE_ADMIN = False
AXES_DISABLE_ACCESS_LOG = True

# Content-Security-Policy (django-csp): everything from this origin, no inline or injected script.
# A script that must be inline carries nonce="{{ request.csp_nonce }}" (never on a cached reader
# page: the nonce changes with every response). JSON-LD is a data block, which CSP does not block.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        # style="…" attributes only (the review page's progress bar is as wide as the share verified):
        # no <style> element and no stylesheet from elsewhere; url() in them still obeys img-src.
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],  # nested_admin's drag handle is a data: PNG in its stylesheet
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

REDIS_URL = env("REDIS_URL", default="")
# Connect and read timeout of every cache call: a stopped or hung Redis costs a request little more.
VETTED_CACHE_TIMEOUT_SECONDS = env.float("VETTED_CACHE_TIMEOUT_SECONDS", default=0.25)


def redis_cache(url: str) -> dict:
    """django-redis at ``url``, degrading: with Redis down a read is a miss and a write does nothing.

    The errors it ignores are logged (``DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS``); the health check
    reports the outage (Redis is the broker too).
    """
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": VETTED_CACHE_TIMEOUT_SECONDS,
            "SOCKET_TIMEOUT": VETTED_CACHE_TIMEOUT_SECONDS,
        },
    }


if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# Celery: Redis when REDIS_URL is set; otherwise kombu's filesystem transport, a broker
# embedded in var/ that lets a separate worker and beat work on one machine without servers.
EMBEDDED_BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A task a dead worker had taken (unacknowledged: tasks ack late) goes back to the queue after this.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
else:
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(EMBEDDED_BROKER_DIR / "queue"),
        "data_folder_out": str(EMBEDDED_BROKER_DIR / "queue"),
        "control_folder": str(EMBEDDED_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Two queues, each with workers of its own in production (Procfile.production): a long scan never
# holds up a notice. Delivery and its sweep go to "notifications"; every periodic scan is a task
# named scan_… and goes to "scans". A task with no route lands in "celery", which only the
# development worker consumes (a test fails for a task left unrouted).
CELERY_TASK_ROUTES = {
    "editorial.tasks.deliver_notification": {"queue": "notifications"},
    "editorial.tasks.requeue_unsent_notifications": {"queue": "notifications"},
    "editorial.tasks.send_purges": {"queue": "notifications"},
    "editorial.tasks.requeue_unsent_purges": {"queue": "notifications"},
    "*.scan_*": {"queue": "scans"},
    "reader.tasks.fold_reads": {"queue": "scans"},
}


EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
EMAIL_BACKEND = env("EMAIL_BACKEND", default=EMAIL_CONFIG["EMAIL_BACKEND"])  # a custom backend class, if any
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Vetted <editorial@vetted.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Editorial workflow.
VETTED_REQUIRED_APPROVALS = env.int("VETTED_REQUIRED_APPROVALS", default=1)
VETTED_REVIEW_DUE_DAYS = env.int("VETTED_REVIEW_DUE_DAYS", default=7)

# Notifications (the outbox in editorial.notifications).
VETTED_NOTIFICATION_MAX_ATTEMPTS = env.int("VETTED_NOTIFICATION_MAX_ATTEMPTS", default=5)
VETTED_NOTIFICATION_LEASE_SECONDS = env.int("VETTED_NOTIFICATION_LEASE_SECONDS", default=300)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
# A stopped broker must not hold up the request that queued the work: the sweep catches up.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}

# Reminders (editorial.reminders). Each fires once its threshold has passed, so a scheduler that
# was down catches up at its next scan instead of skipping; the scan runs every few minutes.
VETTED_REMINDER_SCAN_MINUTES = env.int("VETTED_REMINDER_SCAN_MINUTES", default=15)
VETTED_OVERDUE_REMINDER_EVERY_DAYS = env.int("VETTED_OVERDUE_REMINDER_EVERY_DAYS", default=2)
VETTED_OVERDUE_REMINDER_LIMIT = env.int("VETTED_OVERDUE_REMINDER_LIMIT", default=5)
VETTED_ESCALATE_OVERDUE_AFTER_DAYS = env.int("VETTED_ESCALATE_OVERDUE_AFTER_DAYS", default=3)
VETTED_ESCALATE_UNASSIGNED_AFTER_HOURS = env.int("VETTED_ESCALATE_UNASSIGNED_AFTER_HOURS", default=48)
VETTED_REREVIEW_INTERVAL_MONTHS = env.int("VETTED_REREVIEW_INTERVAL_MONTHS", default=12)
VETTED_REREVIEW_REMINDER_EVERY_DAYS = env.int("VETTED_REREVIEW_REMINDER_EVERY_DAYS", default=7)
VETTED_REREVIEW_REMINDER_LIMIT = env.int("VETTED_REREVIEW_REMINDER_LIMIT", default=6)
# Readers may open the texts of superseded approved versions (the history always lists them).
VETTED_PUBLISH_OLD_VERSIONS = env.bool("VETTED_PUBLISH_OLD_VERSIONS", default=False)
VETTED_DIGEST_HOUR = env.int("VETTED_DIGEST_HOUR", default=7)
VETTED_SCAN_BATCH_SIZE = env.int("VETTED_SCAN_BATCH_SIZE", default=200)

# Reader site.
VETTED_FEEDBACK_PER_HOUR = env.int("VETTED_FEEDBACK_PER_HOUR", default=5)
# Each web process keeps which version an article address serves, forgotten when a workflow change
# commits (PostgreSQL LISTEN/NOTIFY, reader.live); off: every read asks the database.
VETTED_LIVE_CACHE = env.bool("VETTED_LIVE_CACHE", default=True)
# How long a shared cache (Varnish) keeps a reader page, purged by surrogate key when it changes,
# and serves a stored one while Django is failing (reader.http); browsers always revalidate.
VETTED_SHARED_CACHE_SECONDS = env.int("VETTED_SHARED_CACHE_SECONDS", default=60 * 60 * 24)
VETTED_STALE_IF_ERROR_SECONDS = env.int("VETTED_STALE_IF_ERROR_SECONDS", default=60 * 60 * 24)
# Page views are counted in the cache and folded into DailyReads this often (reader.reads).
VETTED_READS_FLUSH_SECONDS = env.int("VETTED_READS_FLUSH_SECONDS", default=300)
# The shared caches (Varnish) to purge when what readers see changes (editorial.purges), e.g.
# "http://127.0.0.1:6081/"; empty: no shared cache, purges are recorded and marked not sent.
VETTED_VARNISH_URLS = env.list("VETTED_VARNISH_URLS", default=[])

# The read API (/api/v1/, app api): requests per client address a minute (0: no limit), and CORS,
# open to every origin for reading, on /api/ only (django-cors-headers).
VETTED_API_REQUESTS_PER_MINUTE = env.int("VETTED_API_REQUESTS_PER_MINUTE", default=600)
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "OPTIONS"]
CORS_ALLOW_HEADERS = ["if-none-match", "if-modified-since", "accept"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]
CORS_PREFLIGHT_MAX_AGE = 86400

# The client's address (config.client_ip), for the feedback limit, login throttling and /healthz.
# Behind a reverse proxy, name the header it appends the client to, how many proxies append to
# it, and where the nearest one connects from; without a header, REMOTE_ADDR is the client.
VETTED_TRUSTED_PROXY_HEADER = env("VETTED_TRUSTED_PROXY_HEADER", default="")
VETTED_TRUSTED_PROXY_COUNT = env.int("VETTED_TRUSTED_PROXY_COUNT", default=1)
VETTED_TRUSTED_PROXY_NETWORKS = env.list("VETTED_TRUSTED_PROXY_NETWORKS", default=["127.0.0.0/8", "::1/128"])
# /healthz names hosts and errors only to staff and to callers from these networks.
VETTED_HEALTH_DETAIL_NETWORKS = env.list("VETTED_HEALTH_DETAIL_NETWORKS", default=["127.0.0.0/8", "::1/128"])

# The nightly retraction scan (editorial.evidence.scan), at this hour UTC; an import scans at once too.
VETTED_RETRACTION_SCAN_HOUR = env.int("VETTED_RETRACTION_SCAN_HOUR", default=2)

CELERY_BEAT_SCHEDULE = {
    "scan-retractions": {
        "task": "editorial.tasks.scan_retractions",
        "schedule": crontab(minute=0, hour=VETTED_RETRACTION_SCAN_HOUR),
    },
    "requeue-unsent-notifications": {"task": "editorial.tasks.requeue_unsent_notifications", "schedule": 300.0},
    "scan-reminders": {"task": "editorial.tasks.scan_reminders", "schedule": VETTED_REMINDER_SCAN_MINUTES * 60.0},
    "fold-reads": {"task": "reader.tasks.fold_reads", "schedule": float(VETTED_READS_FLUSH_SECONDS)},
    # Purges a stopped broker or cache left unsent (editorial.purges.requeue_unsent).
    "requeue-unsent-purges": {
        "task": "editorial.tasks.requeue_unsent_purges",
        "schedule": env.float("VETTED_PURGE_SWEEP_SECONDS", default=60.0),
    },
}
