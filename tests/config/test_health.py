import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings

from config.celery import app as celery_app
from config.celery import broker_mode

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker():
    """With the configured database and broker up, /healthz is 200 and says which they are."""
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "vendor": connection.vendor}
    assert body["broker"]["ok"] is True
    assert body["broker"]["mode"] == broker_mode()
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.redis
def test_healthz_reports_a_broker_that_does_not_answer():
    """A broker that refuses connections makes /healthz 503 with the error, the database still ok."""
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
            response = Client().get("/healthz")
    finally:
        celery_app.conf.broker_url = original
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is False
    assert body["broker"]["error"]


def test_healthz_refuses_other_methods():
    """Only GET is answered."""
    assert Client().post("/healthz").status_code == 405


def test_embedded_broker_is_named_when_redis_is_not_configured():
    """Without REDIS_URL the health check says the broker is the embedded one."""
    with override_settings(REDIS_URL=""):
        assert broker_mode().startswith("embedded")
    with override_settings(REDIS_URL="redis://127.0.0.1:6379/0"):
        assert broker_mode() == "redis"


def test_production_settings_pass_the_deploy_check():
    """`manage.py check --deploy` with production settings reports no issue at all."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": "a-long-random-production-secret-key-that-is-not-the-development-one-1234567890",
            "ALLOWED_HOSTS": "vetted.example",
        },
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
