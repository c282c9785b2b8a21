"""After the site login each role lands where its work is; refused, missing and broken pages have a way out."""

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from tests import workflow
from tests.factories import UserFactory

PASSWORD = "a-long-test-password"
QUEUE = "/admin/articles/article/?queue=board"


def person(make, **kwargs):
    user = make(username="noor", **kwargs)
    user.set_password(PASSWORD)
    user.save()
    return user


def log_in(client: Client, **data):
    return client.post(reverse("accounts:login"), {"username": "noor", "password": PASSWORD, **data}, follow=True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "extra", "landing"),
    [
        (workflow.author, {}, "/write/"),
        (workflow.editor, {"is_staff": True}, "/write/"),
        (workflow.reviewer, {"is_staff": True}, QUEUE),
        (UserFactory, {"is_staff": True}, "/admin/"),
        (UserFactory, {"is_staff": True, "is_superuser": True}, "/admin/"),
    ],
    ids=["author", "editor", "board member", "staff without a role", "superuser"],
)
def test_each_role_lands_where_its_work_is(make, extra, landing):
    """Authors and editors: the workspace; the board: its queue; staff without a role: the admin."""
    person(make, **extra)
    response = log_in(Client())
    assert response.redirect_chain[-1][0] == landing
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_person_without_a_role_or_staff_status_lands_on_the_home_page():
    person(UserFactory)
    response = log_in(Client())
    assert response.redirect_chain[-1][0] == reverse("home")


@pytest.mark.django_db
def test_a_safe_next_still_wins_and_an_unsafe_one_is_ignored():
    """A board member sent to log in from a review page goes back to it; an outside address is not followed."""
    person(workflow.reviewer, is_staff=True)
    response = log_in(Client(), next="/admin/editorial/reviewassignment/")
    assert response.redirect_chain[0][0] == "/admin/editorial/reviewassignment/"
    response = log_in(Client(), next="https://evil.example/")
    assert response.redirect_chain[-1][0] == QUEUE


@pytest.mark.django_db
def test_your_work_asks_anonymous_visitors_to_log_in():
    response = Client().get(reverse("editorial:landing"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={reverse('editorial:landing')}"


@pytest.mark.django_db
def test_a_refused_page_is_the_styled_403_with_a_way_to_the_persons_work():
    """A board member opening the workspace gets 403 in the site's layout with links out, not "403 Forbidden"."""
    client = Client()
    client.force_login(workflow.reviewer(is_staff=True))
    response = client.get(reverse("writing:list"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "You cannot open this page" in html
    assert 'href="/static/css/site.css"' in html
    assert f'href="{reverse("editorial:landing")}">Your work</a>' in html
    assert f'href="{reverse("home")}"' in html
    assert f'action="{reverse("reader:search")}"' in html
    assert "Sign in" not in html


@pytest.mark.django_db
def test_the_404_page_offers_a_way_out_and_sign_in_to_anonymous_visitors():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert 'href="/static/css/site.css"' in html
    assert f'href="{reverse("accounts:login")}">Sign in</a>' in html
    assert f'action="{reverse("reader:search")}"' in html


@pytest.mark.django_db
def test_the_410_page_says_the_page_is_gone_with_a_way_out():
    html = render_to_string("410.html", request=RequestFactory().get("/gone/"))
    assert "This page is gone" in html
    assert 'href="/static/css/site.css"' in html
    assert f'action="{reverse("reader:search")}"' in html


def test_the_500_page_renders_without_the_database_or_a_request_context():
    """Django renders 500.html with an empty context; here any query would fail the test."""
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert 'href="/static/css/site.css"' in html
    assert f'href="{reverse("home")}"' in html
    assert f'href="{reverse("editorial:landing")}">Your work</a>' in html
