"""The Content-Security-Policy header (django-csp) on the reader pages, the workspace and the admin."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import workflow
from tests.editorial.test_admin import logged_in

pytestmark = pytest.mark.django_db

HEADER = "Content-Security-Policy"


def policy_of(response) -> dict[str, list[str]]:
    """The header as {directive: [sources]}."""
    directives = (part.split() for part in response[HEADER].split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def assert_strict(response) -> None:
    policy = policy_of(response)
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["style-src"] == ["'self'"]  # no <style> elements or stylesheets from elsewhere
    assert policy["style-src-attr"] == ["'unsafe-inline'"]  # style="…" attributes only
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_reader_pages_send_the_policy():
    """Home, an article (rendered and then from the page cache), search and the policy page carry the header."""
    article = workflow.approved()
    client = Client()
    for url in [
        reverse("home"),
        article.get_absolute_url(),
        article.get_absolute_url(),  # the second time from the cache
        reverse("reader:search") + "?q=treatment",
        reverse("pages:editorial_policy"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict(response)


def test_the_workspace_and_login_send_the_policy():
    """The author's editor and the site's login page carry the header."""
    writer = workflow.author()
    article = workflow.ready_article(by=writer)
    client = Client()
    assert_strict(client.get(reverse("accounts:login")))
    client.force_login(writer)
    assert_strict(client.get(reverse("writing:edit", args=[article.pk])))


def test_the_admin_sends_the_policy():
    """The admin's login, an article's change page and its review page carry the header."""
    article = workflow.submitted()
    assert_strict(Client().get(reverse("admin:login")))
    editor = logged_in(workflow.editor())
    assert_strict(editor.get(reverse("admin:articles_article_change", args=[article.pk])))
    assert_strict(editor.get(reverse("admin:articles_article_review", args=[article.pk])))


def test_error_pages_send_the_policy_too():
    """A 404 is a page an attacker can choose: it carries the header like any other."""
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert_strict(response)
