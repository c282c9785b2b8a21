"""The API carries what the page carries about trust: notices on cited sources and declarations."""

import pytest
from django.test import Client

from editorial import evidence
from integrity.models import RetractionNotice
from reader.live import kept
from tests import workflow
from tests.factories import ReferenceFactory
from tests.integrity.csvfiles import row
from tests.integrity.test_notices import imported, live_article_citing

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> Client:
    return Client()


def test_a_retraction_found_after_approval_reaches_the_api_and_changes_the_etag(api, tmp_path):
    """The notice appears on the reference; the ETag changes, so a client holding the old answer refetches."""
    reference = ReferenceFactory(title="Retracted trial", doi="10.1/gone")
    article = live_article_citing(reference)
    path = f"/api/v1/articles/{article.live_version.slug}"
    before = api.get(path)
    assert all(entry["notices"] == [] for entry in before.json()["references"])

    imported(tmp_path, row(1, doi="10.1/gone", nature="Retraction", reason="+Concerns/Issues About Data;"))
    evidence.scan()
    kept.reset()  # the scan's commit tells every process; the test's transaction never commits

    after = api.get(path, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    cited = next(entry for entry in after.json()["references"] if entry["uuid"] == str(reference.uuid))
    assert [(n["nature"], n["nature_label"]) for n in cited["notices"]] == [("retraction", "Retraction")]
    assert cited["notices"][0]["reasons"] == ["Concerns/Issues About Data"]
    others = [entry for entry in after.json()["references"] if entry["uuid"] != str(reference.uuid)]
    assert all(entry["notices"] == [] for entry in others)


def test_a_dismissed_match_leaves_the_api(api, tmp_path):
    reference = ReferenceFactory(doi="10.1/wrong")
    article = live_article_citing(reference)
    imported(tmp_path, row(1, doi="10.1/wrong", nature="Retraction"))
    evidence.scan()
    evidence.dismiss_notice(
        RetractionNotice.objects.get(), by=workflow.editor(), reason="Another paper, same DOI typo."
    )
    kept.reset()
    body = api.get(f"/api/v1/articles/{article.live_version.slug}").json()
    assert all(entry["notices"] == [] for entry in body["references"])


def test_declarations_are_in_the_api_as_frozen_with_the_version(api, tmp_path):
    reference = ReferenceFactory()
    article = live_article_citing(reference)
    body = api.get(f"/api/v1/articles/{article.live_version.slug}").json()
    author = article.authors.get()
    assert body["authors"] == [{"name": author.display_name, "declaration": "declares no competing interests"}]
    assert body["reviewers"][0]["declaration"] == "declares no competing interests"
