"""A real Celery worker, consuming from the real Redis broker, delivers a notice end to end."""

import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import timedelta
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from articles.models import Article
from config.celery import app as celery_app
from editorial.models import Notification, ReviewAssignment
from editorial.services import assign_reviewer
from tests import workflow

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def process_env(*, redis_url: str, mail_dir) -> dict:
    """What a Vetted process (worker, management command) needs to share this test's database."""
    database = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": (
            f"postgres://{quote(database['USER'])}:{quote(database['PASSWORD'] or '')}"
            f"@{database['HOST']}:{database['PORT']}/{database['NAME']}"
        ),
        "REDIS_URL": redis_url,
        "EMAIL_URL": "filemail://",
        "EMAIL_FILE_PATH": str(mail_dir),
    }


# The queues production's two workers consume (Procfile.production): delivery and sweeps, scans.
QUEUES = ["notifications", "scans"]


def start_worker(env: dict) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "celery",
        "--app",
        "config",
        "worker",
        "--queues",
        ",".join(QUEUES),
        "--pool",
        "solo",
        "--loglevel",
        "INFO",
        "--without-mingle",
        "--without-gossip",
        "--without-heartbeat",
    ]
    return subprocess.Popen(
        command, env=env, cwd=settings.BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def stop(process: subprocess.Popen) -> str:
    process.terminate()
    output, _ = process.communicate(timeout=30)
    return output


def wait_until_sent(notice: Notification, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        notice.refresh_from_db()
        if notice.status == Notification.Status.SENT:
            return
        time.sleep(0.5)
    raise AssertionError(f"still {notice.status} after {seconds} s: {notice.last_error}")


def request_changes(article, board_member, env: dict) -> None:
    """Request changes from the command line, as another process (with its own broker settings)."""
    command = [
        sys.executable,
        "manage.py",
        "transition",
        article.slug,
        "request_changes",
        "--as",
        board_member.username,
        "--comment",
        "Cite the 2019 guideline.",
    ]
    result = subprocess.run(command, env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def run_sweep(env: dict) -> None:
    """Queue the sweep task on the worker's broker, as beat does every five minutes."""
    command = [
        sys.executable,
        "-m",
        "celery",
        "--app",
        "config",
        "call",
        "editorial.tasks.requeue_unsent_notifications",
    ]
    subprocess.run(command, env=env, cwd=settings.BASE_DIR, check=True, capture_output=True, timeout=60)


@pytest.fixture
def worker(tmp_path):
    """Start `celery worker` on this test database and the configured Redis; stop it afterwards."""
    with celery_app.connection_for_write() as broker:
        for queue in QUEUES:
            broker.default_channel.queue_purge(queue)  # what an earlier run left behind
    process = start_worker(process_env(redis_url=settings.REDIS_URL, mail_dir=tmp_path))
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield tmp_path
    celery_app.conf.task_always_eager = eager
    print(stop(process))  # shown by pytest when the test fails


def test_worker_delivers_an_assignment_notice_through_redis(worker):
    """Assigning a reviewer commits an outbox row; the worker sends it and marks it sent."""
    article = workflow.submitted()
    board_member = workflow.reviewer(email="maya@example.org")
    assign_reviewer(
        article, reviewer=board_member, by=workflow.editor(email=""), due_at=timezone.now() + timedelta(days=3)
    )
    notice = Notification.objects.get(kind="assigned")
    wait_until_sent(notice)
    messages = [path.read_text() for path in worker.iterdir()]
    assert len(messages) == 1
    assert "To: maya@example.org" in messages[0]
    assert "Review assigned, due" in messages[0]


class PrivateRedis:
    """A Redis server of this test's own, on a free port, that the test can stop and start."""

    def __init__(self, directory):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.directory = directory
        self.process = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.directory),
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.1)
        raise AssertionError("the private Redis did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def test_transition_commits_while_redis_is_down_and_its_notice_goes_out_when_it_is_back(tmp_path):
    """Broker down: the change commits, the notice waits in the outbox; broker back: the sweep sends it."""
    if not shutil.which("redis-server"):
        pytest.fail("needs redis-server on PATH to stop and start a broker of its own")
    article = workflow.under_review()
    board_member = article.assignments.get().reviewer
    broker = PrivateRedis(tmp_path)
    broker.start()
    env = process_env(redis_url=broker.url, mail_dir=tmp_path)
    worker = start_worker(env)
    try:
        broker.stop()
        request_changes(article, board_member, env)
        article.refresh_from_db()
        assert article.state == Article.State.CHANGES_REQUESTED
        notice = Notification.objects.get(kind="changes_requested")
        assert notice.status == Notification.Status.PENDING

        broker.start()
        # The sweep takes rows older than two minutes; age this one instead of waiting.
        Notification.objects.filter(pk=notice.pk).update(created_at=timezone.now() - timedelta(minutes=5))
        run_sweep(env)
        wait_until_sent(notice)
        assert len(list(tmp_path.glob("*.log"))) == 1
    finally:
        print(stop(worker))
        if broker.process.poll() is None:
            broker.stop()


def test_worker_killed_mid_delivery_sends_the_notice_exactly_once_after_restart(tmp_path):
    """SIGKILL during a send: the unacknowledged task comes back, the row's lease runs out, one email."""
    if not shutil.which("redis-server"):
        pytest.fail("needs redis-server on PATH to run a broker of its own")
    article = workflow.under_review()
    board_member = article.assignments.get().reviewer
    broker = PrivateRedis(tmp_path)
    broker.start()
    mail_dir = tmp_path / "mail"
    env = {
        **process_env(redis_url=broker.url, mail_dir=mail_dir),
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "VETTED_NOTIFICATION_LEASE_SECONDS": "2",
    }
    slow = start_worker({**env, "EMAIL_BACKEND": "tests.editorial.slow_mail.EmailBackend"})
    restarted = None
    try:
        request_changes(article, board_member, env)
        notice = Notification.objects.get(kind="changes_requested")
        deadline = time.monotonic() + 60
        while notice.status != Notification.Status.SENDING and time.monotonic() < deadline:
            time.sleep(0.2)
            notice.refresh_from_db()
        assert notice.status == Notification.Status.SENDING, "the first worker never started sending"
        slow.kill()
        slow.wait(timeout=10)
        assert not mail_dir.exists() or not list(mail_dir.iterdir())

        restarted = start_worker(env)
        # Two ways back, as in production: Redis hands the unacknowledged task to the new worker
        # after the visibility timeout, and beat's sweep re-queues rows whose lease ran out.
        # Whichever arrives first sends; the other finds the row sent and does nothing.
        time.sleep(3)
        run_sweep(env)
        wait_until_sent(notice, seconds=60)
        assert len(list(mail_dir.iterdir())) == 1
        assert notice.attempts == 2
    finally:
        if slow.poll() is None:
            slow.kill()
        print(slow.communicate(timeout=10)[0])
        if restarted is not None:
            print(stop(restarted))
        broker.stop()


def start_beat(env: dict, schedule_file) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "--app", "config", "beat", "--schedule", str(schedule_file)]
    return subprocess.Popen(
        command, env=env, cwd=settings.BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def test_beat_scans_as_it_starts_and_the_worker_sends_the_overdue_reminder(worker):
    """A scheduler coming back catches up at once: beat queues a scan, the worker sends the reminder."""
    article = workflow.submitted()
    board_member = workflow.reviewer(email="maya@example.org")
    assignment = assign_reviewer(
        article, reviewer=board_member, by=workflow.editor(email=""), due_at=timezone.now() + timedelta(days=3)
    )
    ReviewAssignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(hours=1))
    beat = start_beat(process_env(redis_url=settings.REDIS_URL, mail_dir=worker), worker / "beat-schedule")
    try:
        deadline = time.monotonic() + 60
        while not Notification.objects.filter(kind="overdue").exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        wait_until_sent(Notification.objects.get(kind="overdue"))
    finally:
        print(stop(beat))
    reminders = [path.read_text() for path in worker.glob("*.log") if "Overdue review" in path.read_text()]
    assert len(reminders) == 1
    assert "To: maya@example.org" in reminders[0]
