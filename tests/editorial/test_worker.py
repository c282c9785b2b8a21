"""A real Celery worker, consuming from the real Redis broker, delivers a notice end to end."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from editorial.models import Notification
from editorial.services import assign_reviewer
from tests import workflow

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(tmp_path):
    """Start `celery worker` on this test database and broker; stop it afterwards."""
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": (
            f"postgres://{quote(database['USER'])}:{quote(database['PASSWORD'] or '')}"
            f"@{database['HOST']}:{database['PORT']}/{database['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_URL": "filemail://",
        "EMAIL_FILE_PATH": str(tmp_path),
    }
    celery_app.control.purge()
    command = [
        sys.executable,
        "-m",
        "celery",
        "--app",
        "config",
        "worker",
        "--pool",
        "solo",
        "--loglevel",
        "INFO",
        "--without-mingle",
        "--without-gossip",
        "--without-heartbeat",
    ]
    process = subprocess.Popen(
        command, env=env, cwd=settings.BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield tmp_path
    celery_app.conf.task_always_eager = eager
    process.terminate()
    output, _ = process.communicate(timeout=30)
    print(output)  # shown by pytest when the test fails


def test_worker_delivers_an_assignment_notice_through_redis(worker):
    """Assigning a reviewer commits an outbox row; the worker sends it and marks it sent."""
    article = workflow.submitted()
    board_member = workflow.reviewer(email="maya@example.org")
    assign_reviewer(
        article, reviewer=board_member, by=workflow.editor(email=""), due_at=timezone.now() + timedelta(days=3)
    )
    notice = Notification.objects.get(kind="assigned")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        notice.refresh_from_db()
        if notice.status == "sent":
            break
        time.sleep(0.5)
    assert notice.status == "sent", f"still {notice.status} after 60 s: {notice.last_error}"
    messages = [path.read_text() for path in worker.iterdir()]
    assert len(messages) == 1
    assert "To: maya@example.org" in messages[0]
    assert "Review assigned, due" in messages[0]
