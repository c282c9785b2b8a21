"""The Celery app. The broker is Redis when REDIS_URL is set, else an embedded one (see settings)."""

import logging
import os
import sys

from celery import Celery
from celery.signals import beat_init, celeryd_init

# The Celery command line (`celery --app config worker`, as in the development Procfile) runs on the
# development settings unless told otherwise, as manage.py does. Everything else that imports this
# package keeps its own default: config.wsgi and config.asgi mean production, and a web server
# started without DJANGO_SETTINGS_MODULE must not run the development settings (DEBUG on).
if "celery.bin.celery" in sys.modules:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("vetted")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


def broker_mode() -> str:
    """Describe the broker in words for logs and the health check."""
    from django.conf import settings

    if settings.REDIS_URL:
        return "redis"
    return "embedded (filesystem queue in var/broker; REDIS_URL is not set)"


def ensure_embedded_broker_dirs() -> None:
    """Create the embedded broker's folders; kombu's filesystem transport expects them."""
    from django.conf import settings

    if settings.REDIS_URL:
        return
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        os.makedirs(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key], exist_ok=True)


@app.on_after_configure.connect
def prepare_embedded_broker(**_kwargs) -> None:
    # Commands that queue tasks (load_demo, runserver) may run before any worker has started.
    ensure_embedded_broker_dirs()


@celeryd_init.connect
def announce_broker(**_kwargs) -> None:
    ensure_embedded_broker_dirs()
    logger.warning("Celery broker: %s", broker_mode())


@beat_init.connect
def scan_at_start(sender=None, **_kwargs) -> None:
    # Interval schedules first fire one interval after beat starts; a scheduler coming back
    # from downtime should catch up on due reminders at once instead.
    sender.app.send_task("editorial.tasks.scan_reminders")
