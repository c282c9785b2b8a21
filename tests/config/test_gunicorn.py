"""config/gunicorn.conf.py: gunicorn reads it, takes its figures from the environment, and serves the app."""

import json
import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

CONFIG = Path(settings.BASE_DIR) / "config" / "gunicorn.conf.py"
GUNICORN = Path(sys.executable).with_name("gunicorn")
# It loads the app, with production settings: they need these.
PRODUCTION = {
    "SECRET_KEY": "a-long-random-production-secret-key-that-is-not-the-development-one-1234567890",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
}


def load(monkeypatch, **environment) -> dict:
    """Run the config file as gunicorn does, with only these variables of ours set."""
    for name in ["PORT", "GUNICORN_BIND", "WEB_CONCURRENCY", "GUNICORN_MAX_REQUESTS", "GUNICORN_TIMEOUT"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG))


def test_defaults_are_two_sync_workers_on_localhost_logging_to_stdout(monkeypatch):
    """Without configuration: 127.0.0.1:8000, two sync workers, recycled with jitter, logs on stdout."""
    config = load(monkeypatch)
    assert config["bind"] == ["127.0.0.1:8000"]
    assert config["workers"] == 2
    assert config["worker_class"] == "sync"
    assert config["wsgi_app"] == "config.wsgi:application"
    assert config["timeout"] == 30
    assert config["graceful_timeout"] == 30
    assert config["max_requests"] == 1000
    assert 0 < config["max_requests_jitter"] < config["max_requests"]
    assert config["accesslog"] == "-"
    assert "%(h)s" not in config["access_log_format"]  # no client addresses in the log


def test_port_and_web_concurrency_come_from_the_platform(monkeypatch):
    """A platform's PORT binds every interface; WEB_CONCURRENCY sets the workers."""
    config = load(monkeypatch, PORT="5000", WEB_CONCURRENCY="5", GUNICORN_MAX_REQUESTS="0")
    assert config["bind"] == ["0.0.0.0:5000"]
    assert config["workers"] == 5
    assert config["max_requests"] == 0


def test_gunicorn_bind_wins_over_port(monkeypatch):
    """GUNICORN_BIND (a socket, or an address) is taken before PORT."""
    config = load(monkeypatch, PORT="5000", GUNICORN_BIND="unix:/run/vetted/gunicorn.sock")
    assert config["bind"] == ["unix:/run/vetted/gunicorn.sock"]


def test_gunicorn_itself_reads_the_file_and_the_environment():
    """`gunicorn --config … --print-config` shows the values the file computed from the environment."""
    result = subprocess.run(
        [str(GUNICORN), "--config", str(CONFIG), "--print-config"],
        env={**PRODUCTION, "PATH": os.environ["PATH"], "PORT": "5001", "WEB_CONCURRENCY": "3"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    printed = {
        name.strip(): value.strip()
        for name, _, value in (line.partition(" = ") for line in result.stdout.splitlines())
        if value
    }
    assert printed["bind"] == "['0.0.0.0:5001']"
    assert printed["workers"] == "3"
    assert printed["worker_class"] == "sync"
    assert printed["max_requests_jitter"] == "100"


def start_gunicorn(env: dict) -> subprocess.Popen:
    """gunicorn with this config file, from the project folder, its output captured for a failure."""
    return subprocess.Popen(
        [str(GUNICORN), "--config", str(CONFIG)],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_gunicorn_serves_healthz_with_production_settings_and_the_pool():
    """gunicorn with this config and production settings (pooled connections) answers /healthz 200."""
    database = connection.settings_dict
    port = free_port()
    env = {
        **PRODUCTION,
        "PATH": os.environ["PATH"],
        "DATABASE_URL": (
            f"postgres://{quote(database['USER'])}:{quote(database['PASSWORD'] or '')}"
            f"@{database['HOST']}:{database['PORT']}/{database['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    server = start_gunicorn(env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    status, body = response.status, json.load(response)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        time.sleep(0.5)  # without a pool, the connection would close as the request finishes
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            [[kept_open]] = cursor.fetchall()
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=60)
        print(output)  # shown by pytest when the test fails
    assert status == 200
    assert body["database"] == {"ok": True, "vendor": "postgresql"}
    assert body["broker"]["ok"] is True
    assert kept_open >= 1, "the worker's pool keeps its connection between requests"
    assert '"GET /healthz HTTP/1.1" 200' in output
    assert server.returncode == 0
