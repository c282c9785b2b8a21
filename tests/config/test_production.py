"""Production settings: database pooling from the environment, and production as the web servers' default."""

import json
import os
import subprocess
import sys
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

SECRETS = {
    "SECRET_KEY": "a-long-random-production-secret-key-that-is-not-the-development-one-1234567890",
    "ALLOWED_HOSTS": "vetted.example",
}
POSTGRES = "postgres://vetted@db.internal:5432/vetted"


def run_python(code: str, **environment: str) -> subprocess.CompletedProcess:
    """Run code in a fresh interpreter with only these variables (and PATH) in its environment."""
    return subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": os.environ["PATH"], **environment},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_database(**environment: str) -> dict:
    """settings.DATABASES["default"] as config.settings.production builds it from this environment."""
    result = run_python(
        "import json; from django.conf import settings; print(json.dumps(settings.DATABASES['default']))",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        **{**SECRETS, "DATABASE_URL": POSTGRES, **environment},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_postgres_connections_come_from_a_pool_by_default():
    """Without DB_* variables: a psycopg pool of 1 to 4 connections, no persistent connections of Django's own."""
    database = production_database()
    assert database["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 4, "timeout": 3.0}
    assert database["CONN_MAX_AGE"] == 0
    assert database["CONN_HEALTH_CHECKS"] is True
    assert not database.get("DISABLE_SERVER_SIDE_CURSORS")


def test_pool_sizes_and_timeout_come_from_the_environment():
    """DB_POOL_MIN_SIZE, DB_POOL_MAX_SIZE and DB_POOL_TIMEOUT size the pool."""
    database = production_database(DB_POOL="true", DB_POOL_MIN_SIZE="2", DB_POOL_MAX_SIZE="8", DB_POOL_TIMEOUT="3.5")
    assert database["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 8, "timeout": 3.5}


def test_pool_smaller_than_its_minimum_is_refused():
    """A maximum below the minimum stops start-up with a message naming both variables."""
    result = run_python(
        "from django.conf import settings; settings.DATABASES",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        **SECRETS,
        DATABASE_URL=POSTGRES,
        DB_POOL_MIN_SIZE="5",
        DB_POOL_MAX_SIZE="2",
    )
    assert result.returncode != 0
    assert "DB_POOL_MIN_SIZE must lie between 0 and DB_POOL_MAX_SIZE" in result.stderr


def test_pgbouncer_in_transaction_mode_turns_the_pool_off_and_server_side_cursors_too():
    """DB_PGBOUNCER=true: no pool of ours, a connection per request, no cursor outliving a transaction."""
    database = production_database(DB_PGBOUNCER="true")
    assert "pool" not in database["OPTIONS"]
    assert database["CONN_MAX_AGE"] == 0
    assert database["DISABLE_SERVER_SIDE_CURSORS"] is True


def test_pool_and_pgbouncer_together_are_refused():
    """Asking for both is a mistake the settings name, rather than a silent choice."""
    result = run_python(
        "from django.conf import settings; settings.DATABASES",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        **SECRETS,
        DATABASE_URL=POSTGRES,
        DB_POOL="true",
        DB_PGBOUNCER="true",
    )
    assert result.returncode != 0
    assert "DB_POOL and DB_PGBOUNCER exclude each other" in result.stderr


def test_pool_can_be_switched_off():
    """DB_POOL=false: Django's own connections, as DATABASE_URL configures them."""
    database = production_database(DB_POOL="false", DATABASE_URL=f"{POSTGRES}?conn_max_age=60")
    assert "pool" not in database["OPTIONS"]
    assert database["CONN_MAX_AGE"] == 60


def test_sqlite_gets_no_pool():
    """The pool is PostgreSQL's; production settings on SQLite (the deploy-check test) get none."""
    database = production_database(DATABASE_URL="sqlite:////tmp/vetted-production-settings.db")
    assert "pool" not in database["OPTIONS"]


def test_production_settings_leave_the_shared_base_dictionary_alone():
    """production.py copies DATABASES: modules star-importing base keep their own."""
    result = run_python(
        "from config.settings import base, production\n"
        "print('pool' in base.DATABASES['default'].get('OPTIONS', {}))\n"
        "print('pool' in production.DATABASES['default']['OPTIONS'])\n",
        **SECRETS,
        DATABASE_URL=POSTGRES,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pooled_connection_answers_queries_on_postgres():
    """psycopg-pool is installed and Django's pool opens, serves and takes back a real connection."""
    database = connection.settings_dict
    url = (
        f"postgres://{quote(database['USER'])}:{quote(database['PASSWORD'] or '')}"
        f"@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    )
    code = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute('SELECT 41 + 1')\n"
        "    print(cursor.fetchone()[0])\n"
        "connection.close()\n"
        "print(type(connection.pool).__module__, connection.pool.get_stats()['pool_available'] >= 1)\n"
    )
    result = run_python(code, DJANGO_SETTINGS_MODULE="config.settings.production", **SECRETS, DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["42", "psycopg_pool.pool", "True"]


def test_web_entry_points_default_to_production_settings():
    """`config.wsgi` (and so gunicorn) without DJANGO_SETTINGS_MODULE runs production, not development."""
    result = run_python(
        "import config.wsgi; from django.conf import settings; print(settings.SETTINGS_MODULE, settings.DEBUG)",
        **SECRETS,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["config.settings.production", "False"]


def test_celery_command_line_defaults_to_development_settings():
    """`celery --app config …` without DJANGO_SETTINGS_MODULE runs the development settings, as manage.py does."""
    result = subprocess.run(
        [sys.executable, "-m", "celery", "--app", "config", "report"],
        env={"PATH": os.environ["PATH"]},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "SETTINGS_MODULE: 'config.settings.dev'" in result.stdout
