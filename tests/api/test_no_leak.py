"""Nothing unapproved leaves through the API: a word written into a revision is in no answer."""

import json

import pytest
from django.test import Client

from articles.models import Claim
from editorial.services import perform_transition
from tests import workflow
from tests.factories import ClaimFactory, ReferenceFactory, SectionFactory, cite

pytestmark = pytest.mark.django_db

MARKER = "Zanthoxylumquarrel"


def every_answer(client: Client, slugs: list[str]) -> dict[str, bytes]:
    """What every endpoint answers: lists, topics, each article, its history, searches for the marker.

    Without the request's own words echoed back (the search's ``query``, a problem's ``instance``).
    """
    paths = ["/api/v1/articles?limit=100", "/api/v1/topics", f"/api/v1/search?q={MARKER}", "/api/v1/search?q=answer"]
    for slug in slugs:
        paths += [f"/api/v1/articles/{slug}", f"/api/v1/articles/{slug}/versions"]
    answers = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 301, 404), (path, response.status_code)
        shown = response.json() if response.content else {}
        if isinstance(shown, dict):
            shown = {key: value for key, value in shown.items() if key not in ("query", "instance")}
        answers[path] = json.dumps(shown, ensure_ascii=False).encode()
    return answers


def write_marker_into_revision(article) -> None:
    """Revise the approved article: the marker in its title, slug, headline, a claim, a section and a reference."""
    perform_transition(article, "revise", by=article.authors.first())
    article.title = f"{MARKER} question?"
    article.headline = MARKER
    article.slug = MARKER.lower()
    article.save()
    claim = Claim.objects.filter(article=article, section__isnull=False).first()
    claim.text = f"{MARKER} cures everything."
    claim.plain_language = MARKER
    claim.save()
    section = SectionFactory(article=article, heading=f"{MARKER} section")
    cite(ClaimFactory(section=section, text=f"A new claim on {MARKER}."), ReferenceFactory(title=MARKER))


@pytest.mark.parametrize("stage", ["draft after approval", "submitted", "under review", "changes requested"])
def test_a_marker_in_a_revision_appears_in_no_answer(stage):
    article = workflow.approved()
    slug = article.live_version.slug
    write_marker_into_revision(article)
    if stage != "draft after approval":
        article = workflow.submitted(article)
    if stage in ("under review", "changes requested"):
        reviewer = workflow.reviewer()
        article = workflow.under_review(article, by=reviewer)
        if stage == "changes requested":
            perform_transition(article, "request_changes", by=reviewer, comment="Cite it.")
    answers = every_answer(Client(), [slug, MARKER.lower()])
    for path, answer in answers.items():
        assert MARKER.lower().encode() not in answer.lower(), path


def test_the_marker_appears_once_the_revision_is_approved():
    """The same walk finds it after approval: the check above can see the marker where it is public."""
    article = workflow.approved()
    write_marker_into_revision(article)
    workflow.approved(article)
    slug = MARKER.lower()
    answers = every_answer(Client(), [slug])
    for path in ["/api/v1/articles?limit=100", f"/api/v1/search?q={MARKER}", f"/api/v1/articles/{slug}"]:
        assert MARKER.encode() in answers[path], path
    assert slug.encode() in answers[f"/api/v1/articles/{slug}/versions"]


def test_a_withdrawn_article_shows_nothing_of_its_content():
    article = workflow.approved(workflow.ready_article(title=f"{MARKER} withdrawn?"))
    perform_transition(article, "withdraw", by=workflow.editor(), comment="Superseded.")
    client = Client()
    slug = article.live_version.slug
    for path in ["/api/v1/articles", "/api/v1/topics", f"/api/v1/search?q={MARKER}"]:
        assert MARKER.encode() not in client.get(path).content.replace(b'"query":"' + MARKER.encode(), b"")
    for path in [f"/api/v1/articles/{slug}", f"/api/v1/articles/{slug}/versions"]:
        response = client.get(path)
        assert response.status_code == 410
        assert MARKER.encode() not in response.content.replace(slug.encode(), b"")
