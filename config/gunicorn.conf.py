"""Gunicorn's settings for the web process: `gunicorn --config config/gunicorn.conf.py` (Procfile.production).

Read from the environment:

- ``GUNICORN_BIND``: where to listen, e.g. ``unix:/run/vetted.sock``; else ``0.0.0.0:$PORT`` when the
  platform sets ``PORT``, else ``127.0.0.1:8000`` (behind a reverse proxy on the same host).
- ``WEB_CONCURRENCY``: worker processes (default 2). Sync workers handle one request at a time each.
- ``GUNICORN_TIMEOUT`` (30 s): a worker silent this long is killed and replaced.
- ``GUNICORN_GRACEFUL_TIMEOUT`` (30 s): on SIGTERM or a restart, time to finish the requests in hand.
- ``GUNICORN_MAX_REQUESTS`` (1000) and ``GUNICORN_MAX_REQUESTS_JITTER`` (100): each worker is replaced
  after that many requests, give or take the jitter, so slow leaks stay small and workers never
  restart all at once. 0 turns it off.
"""

# ruff: noqa: N999 -- gunicorn's conventional file name; gunicorn reads it as a file, never imports it.
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def _bind() -> str:
    if os.environ.get("GUNICORN_BIND"):
        return os.environ["GUNICORN_BIND"]
    if os.environ.get("PORT"):
        return f"0.0.0.0:{os.environ['PORT']}"
    return "127.0.0.1:8000"


wsgi_app = "config.wsgi:application"  # production settings unless DJANGO_SETTINGS_MODULE says otherwise

bind = [_bind()]
workers = _int("WEB_CONCURRENCY", 2)
worker_class = "sync"
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# Workers import the app after the fork: each opens its own database pool and Redis connections.
preload_app = False
# The heartbeat file in memory, not on a disk that may stall (the usual advice for containers).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Processes are stopped by signals; no control socket that a second instance on the host would take over.
control_socket_disable = True

# Access log and errors on stdout/stderr, for the platform to collect. The access log leaves out
# the client's address and user agent: what a reader looks up about their health stays theirs.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'
