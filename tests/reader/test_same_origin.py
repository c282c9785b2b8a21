"""The reader's forms post without a CSRF cookie: an Origin (or Referer) check refuses cross-site posts."""

import pytest
from django.test import Client
from django.urls import reverse

from reader.models import ReaderMessage
from tests import workflow

pytestmark = pytest.mark.django_db

QUESTION = "Does the treatment also help children under twelve?"
ERROR = "The dose in the second claim looks ten times too high."


@pytest.fixture
def article():
    return workflow.approved()


def post(client: Client, form: str, article, headers: dict):
    """Post one of the reader's three forms with ``headers`` (as request META)."""
    if form == "audience":
        return client.post(reverse("reader:audience"), {"audience": "patient", "next": "/"}, **headers)
    name, text = ("reader:question", QUESTION) if form == "question" else ("reader:report_error", ERROR)
    return client.post(reverse(name, args=[article.live_version.slug]), {"text": text}, **headers)


def took_effect(client: Client, form: str) -> bool:
    if form == "audience":
        return "audience" in client.cookies and client.cookies["audience"].value == "patient"
    return ReaderMessage.objects.exists()


FORMS = ["audience", "question", "error"]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "http://testserver"},
        {"HTTP_ORIGIN": "http://testserver", "HTTP_SEC_FETCH_SITE": "same-origin"},
        {"HTTP_REFERER": "http://testserver/articles/some-article/"},
        {"HTTP_ORIGIN": "http://127.0.0.1:8000"},  # SITE_URL, e.g. the address behind a proxy
    ],
    ids=["origin", "origin-and-fetch-metadata", "referer-only", "site-url"],
)
def test_a_post_from_the_sites_own_pages_is_accepted(article, form, headers):
    """With Django's CSRF checks enforced too: the forms need no token, only their own origin."""
    client = Client(enforce_csrf_checks=True)
    response = post(client, form, article, headers)
    assert response.status_code == 302
    assert took_effect(client, form)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "https://testserver"},  # another scheme is another origin
        {"HTTP_ORIGIN": "null"},
        {"HTTP_REFERER": "https://evil.example/page"},
        {"HTTP_ORIGIN": "http://testserver", "HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_REFERER": "http://testserver.evil.example/"},
        {},
    ],
    ids=["foreign-origin", "other-scheme", "null-origin", "foreign-referer", "cross-site-fetch", "lookalike", "none"],
)
def test_a_post_from_anywhere_else_is_refused(article, form, headers):
    """403, nothing stored, no cookie: a foreign origin, a cross-site fetch, or neither header at all."""
    client = Client()
    response = post(client, form, article, headers)
    assert response.status_code == 403
    assert "sent from Vetted's own pages" in response.content.decode()
    assert not response.cookies
    assert not took_effect(client, form)


def test_trusted_origins_are_accepted(article, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://www.vetted.example", "https://*.cdn.vetted.example"]
    for origin in ("https://www.vetted.example", "https://eu.cdn.vetted.example"):
        assert post(Client(), "question", article, {"HTTP_ORIGIN": origin}).status_code == 302
    assert post(Client(), "question", article, {"HTTP_ORIGIN": "https://vetted.example"}).status_code == 403


def test_a_wildcard_allowed_host_trusts_no_foreign_origin(article, settings):
    """ALLOWED_HOSTS = ["*"] lets any Host through; it must not let any Origin through."""
    settings.ALLOWED_HOSTS = ["*"]
    assert post(Client(), "question", article, {"HTTP_ORIGIN": "https://evil.example"}).status_code == 403
    assert post(Client(), "question", article, {"HTTP_ORIGIN": "http://testserver"}).status_code == 302
