import pytest
from django.test import Client

from reader import reads


@pytest.fixture(autouse=True)
def _reads_fold_later(settings):
    """Keep the web process's own fold of read counts out of asserted query budgets (see reader.reads)."""
    settings.VETTED_READS_FLUSH_SECONDS = 300
    reads.postpone_local_fold()


@pytest.fixture
def api() -> Client:
    return Client()


def problem(response, status: int, name: str) -> dict:
    """The response's problem document, checked to be the problem ``name`` with ``status``."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["type"].endswith(f"/api/v1/problems/{name}")
    assert body["instance"] == response.wsgi_request.path
    assert body["title"]
    assert body["detail"]
    return body
