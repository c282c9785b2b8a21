"""With the database down, the app answers a plain 503 page, never a traceback or a 500."""

import os
import time
import urllib.error
import urllib.request

from tests.config.test_gunicorn import PRODUCTION, free_port, start_gunicorn


def test_gunicorn_with_its_database_down_answers_a_plain_503_on_reader_pages():
    """Production settings, PostgreSQL unreachable: home and an article are 503 with Retry-After, no traceback."""
    port = free_port()
    env = {
        **PRODUCTION,
        "PATH": os.environ["PATH"],
        # Nothing listens on port 9 (discard): every connection is refused, as with a stopped server.
        "DATABASE_URL": "postgres://postgres@127.0.0.1:9/vetted",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "DB_POOL_TIMEOUT": "1",  # how long a request waits for a pooled connection before giving up
    }
    server = start_gunicorn(env)
    answers = {}
    try:
        deadline = time.monotonic() + 60
        for path in ("/", "/articles/what-is-the-treatment-for-muscle-jerking/"):
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"X-Forwarded-Proto": "https"})
            while True:
                try:
                    urllib.request.urlopen(request, timeout=30)
                except urllib.error.HTTPError as error:
                    answers[path] = (error.code, error.headers.get("Retry-After"), error.read().decode())
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise
                    time.sleep(0.3)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=60)
        print(output)
    for path, (status, retry_after, body) in answers.items():
        assert (status, retry_after) == (503, "30"), path
        assert "Vetted is unavailable for a moment" in body
        assert "Traceback" not in body
        assert "OperationalError" not in body
