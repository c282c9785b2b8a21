"""Tasks go to the queue whose workers run them: notices to "notifications", scans to "scans"."""

import re

import pytest
from django.conf import settings

from config.celery import app as celery_app

PRODUCTION_QUEUES = {"notifications", "scans"}


def queue_of(task_name: str, options: dict | None = None) -> str:
    """The queue Celery's router picks for a task sent by name, as `delay` and beat send it."""
    return celery_app.amqp.router.route(dict(options or {}), task_name)["queue"].name


def processes(procfile: str) -> dict[str, str]:
    lines = (settings.BASE_DIR / procfile).read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if re.match(r"^[\w-]+: ", line))


def consumed_queues(command: str) -> set[str]:
    match = re.search(r"--queues (\S+)", command)
    assert match, f"a worker that names no queue consumes only 'celery': {command}"
    return set(match.group(1).split(","))


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("editorial.tasks.deliver_notification", "notifications"),
        ("editorial.tasks.requeue_unsent_notifications", "notifications"),
        ("editorial.tasks.scan_reminders", "scans"),
        ("editorial.tasks.scan_anything_added_later", "scans"),
    ],
)
def test_task_goes_to_its_queue(task_name, queue):
    """CELERY_TASK_ROUTES sends delivery and its sweep to notifications and every scan_… task to scans."""
    assert queue_of(task_name) == queue


def test_every_task_of_the_project_goes_to_a_queue_a_production_worker_consumes():
    """No task of ours lands in the default queue, which no production worker reads."""
    celery_app.loader.import_default_modules()
    ours = [name for name in celery_app.tasks if not name.startswith("celery.")]
    assert "editorial.tasks.scan_reminders" in ours
    unrouted = {name: queue_of(name) for name in ours if queue_of(name) not in PRODUCTION_QUEUES}
    assert unrouted == {}, "route these tasks in CELERY_TASK_ROUTES (config/settings/base.py)"


def test_every_beat_entry_goes_to_a_queue_a_production_worker_consumes():
    """What beat sends, including the scan it sends as it starts, reaches a production worker."""
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert queue_of(entry["task"], entry.get("options")) in PRODUCTION_QUEUES, name


def test_production_procfile_runs_a_worker_per_queue_and_exactly_one_beat():
    """Procfile.production: gunicorn, a worker on each queue, one beat; all on production settings."""
    production = processes("Procfile.production")
    assert set(production) == {"web", "worker-notifications", "worker-scans", "beat"}
    assert "gunicorn --config config/gunicorn.conf.py" in production["web"]
    assert consumed_queues(production["worker-notifications"]) == {"notifications"}
    assert consumed_queues(production["worker-scans"]) == {"scans"}
    beats = [command for command in production.values() if re.search(r"\bcelery .*\bbeat\b", command)]
    assert len(beats) == 1
    for command in production.values():
        assert command.startswith("DJANGO_SETTINGS_MODULE=config.settings.production ")


def test_development_procfile_worker_consumes_every_queue():
    """`make run`'s single worker reads both queues and the default one."""
    development = processes("Procfile")
    assert consumed_queues(development["worker"]) == {"notifications", "scans", "celery"}
