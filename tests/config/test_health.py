import subprocess
import sys
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings

from config.celery import app as celery_app
from config.celery import broker_mode
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


PUBLIC = {"REMOTE_ADDR": "203.0.113.7"}
DEAD_BROKER = "redis://127.0.0.1:1/0"


@contextmanager
def broker_down():
    """The broker refuses connections for the duration."""
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = DEAD_BROKER
    try:
        with override_settings(REDIS_URL=DEAD_BROKER):
            yield
    finally:
        celery_app.conf.broker_url = original


def test_healthz_reports_database_and_broker():
    """With the configured database and broker up, /healthz is 200 and, on this machine, says which they are."""
    response = Client().get("/healthz")  # the test client's REMOTE_ADDR is 127.0.0.1: an internal caller
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "vendor": connection.vendor}
    assert body["broker"]["ok"] is True
    assert body["broker"]["mode"] == broker_mode()
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_public_sees_only_ok_or_not():
    """From outside, /healthz says whether each check passed and nothing about what runs behind it."""
    response = Client().get("/healthz", **PUBLIC)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": {"ok": True}, "broker": {"ok": True}}


@pytest.mark.redis
def test_healthz_reports_a_broker_that_does_not_answer():
    """A broker that refuses connections makes /healthz 503 with the error, the database still ok."""
    with broker_down():
        response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is False
    assert body["broker"]["error"]


@pytest.mark.redis
def test_the_public_is_told_what_is_down_but_not_why():
    """A failing check is 503 with ok false; the connection error (hosts, ports) stays inside."""
    with broker_down():
        response = Client().get("/healthz", **PUBLIC)
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": {"ok": True}, "broker": {"ok": False}}
    assert b"127.0.0.1" not in response.content


@pytest.mark.redis
def test_staff_see_the_error_from_anywhere():
    """A logged-in staff member gets the details from an outside address."""
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    with broker_down():
        body = client.get("/healthz", **PUBLIC).json()
    assert body["broker"]["error"]
    assert body["database"] == {"ok": True, "vendor": connection.vendor}


def test_a_logged_in_person_who_is_not_staff_sees_the_public_answer():
    """Being signed in is not enough: an author from outside gets only the booleans."""
    client = Client()
    client.force_login(UserFactory())
    assert client.get("/healthz", **PUBLIC).json() == {"status": "ok", "database": {"ok": True}, "broker": {"ok": True}}


def test_internal_networks_follow_the_setting(settings):
    """VETTED_HEALTH_DETAIL_NETWORKS names who gets the details: a monitor on the private network, say."""
    settings.VETTED_HEALTH_DETAIL_NETWORKS = ["10.0.0.0/8"]
    assert "vendor" in Client().get("/healthz", REMOTE_ADDR="10.1.2.3").json()["database"]
    assert "vendor" not in Client().get("/healthz", REMOTE_ADDR="127.0.0.1").json()["database"]


def test_a_forwarded_for_header_does_not_make_a_caller_internal(settings):
    """Without a trusted proxy, an outside caller writing X-Forwarded-For: 127.0.0.1 is still outside."""
    settings.VETTED_TRUSTED_PROXY_HEADER = ""
    body = Client().get("/healthz", **PUBLIC, HTTP_X_FORWARDED_FOR="127.0.0.1").json()
    assert body == {"status": "ok", "database": {"ok": True}, "broker": {"ok": True}}


def test_behind_a_proxy_on_this_machine_the_forwarded_client_decides(settings):
    """With the proxy on loopback, its own address is not what counts: the client it forwards is."""
    settings.VETTED_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.VETTED_TRUSTED_PROXY_COUNT = 1
    settings.VETTED_TRUSTED_PROXY_NETWORKS = ["127.0.0.0/8"]
    outside = Client().get("/healthz", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1, 203.0.113.7")
    assert "vendor" not in outside.json()["database"]
    local_monitor = Client().get("/healthz", REMOTE_ADDR="127.0.0.1")  # straight to the app, no proxy header
    assert "vendor" in local_monitor.json()["database"]


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
