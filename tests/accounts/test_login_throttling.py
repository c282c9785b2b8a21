"""Login throttling (django-axes): an account is locked out from one address after repeated failures."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
SITE_LOGIN = "/account/login/"
ADMIN_LOGIN = "/admin/login/"
LOGINS = [SITE_LOGIN, ADMIN_LOGIN]
LOCKED = "Too many failed attempts to log in"


@pytest.fixture
def person():
    """A staff member, so that the admin login would let them in too."""
    user = UserFactory(username="noor", is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def log_in(client: Client, url: str, password: str, *, username: str = "noor", **meta):
    return client.post(url, {"username": username, "password": password, "next": "/"}, **meta)


def session_user(client: Client) -> int | None:
    """The id of the user the client's session belongs to, if any."""
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


def fail(client: Client, url: str, times: int, **kwargs) -> None:
    for _ in range(times):
        response = log_in(client, url, "wrong", **kwargs)
        assert response.status_code in (200, 429)


@pytest.mark.parametrize("url", LOGINS)
def test_thirty_wrong_passwords_then_the_right_one_is_refused(person, url):
    """After the limit, the right password does not log in: the page says why, and no session starts."""
    client = Client()
    fail(client, url, 30)
    response = log_in(client, url, PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert session_user(client) is None


@pytest.mark.parametrize("url", LOGINS)
def test_the_right_password_before_the_limit_logs_in(person, url):
    """Four mistakes (the limit is five) still let the person in."""
    client = Client()
    fail(client, url, 4)
    response = log_in(client, url, PASSWORD)
    assert response.status_code == 302
    assert session_user(client) == person.pk


def test_the_locked_out_page_is_clear_and_says_how_long(person):
    """A locked-out person gets a plain page saying what happened and when to try again, not an error."""
    client = Client()
    fail(client, SITE_LOGIN, 5)
    response = log_in(client, SITE_LOGIN, PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED in html
    assert "Try again in 15 minutes" in html
    assert "Server error" not in html


def test_the_sixth_try_is_already_refused(person):
    """The limit is five failures: the fifth locks the account for that address."""
    client = Client()
    fail(client, SITE_LOGIN, 5)
    assert log_in(client, SITE_LOGIN, PASSWORD).status_code == 429


def test_another_account_from_the_same_address_is_not_locked(person):
    """The lock is on the account and address together: a colleague behind the same address logs in."""
    colleague = UserFactory(username="maya")
    colleague.set_password(PASSWORD)
    colleague.save()
    fail(Client(), SITE_LOGIN, 30)
    client = Client()
    assert log_in(client, SITE_LOGIN, PASSWORD, username="maya").status_code == 302
    assert session_user(client) == colleague.pk


def test_the_same_account_from_another_address_is_not_locked(person):
    """Someone guessing from one address cannot lock the owner out everywhere."""
    fail(Client(), SITE_LOGIN, 30, REMOTE_ADDR="203.0.113.66")
    client = Client()
    assert log_in(client, SITE_LOGIN, PASSWORD, REMOTE_ADDR="198.51.100.1").status_code == 302


def test_a_success_resets_the_count(person):
    """Four failures, a success, then four more failures: still not locked out."""
    client = Client()
    fail(client, SITE_LOGIN, 4)
    assert log_in(client, SITE_LOGIN, PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    fail(client, SITE_LOGIN, 4)
    assert log_in(client, SITE_LOGIN, PASSWORD).status_code == 302


def test_the_lock_out_ends_after_the_cool_off(person):
    """Fifteen minutes after the last failure, the right password works again."""
    client = Client()
    fail(client, SITE_LOGIN, 5)
    assert log_in(client, SITE_LOGIN, PASSWORD).status_code == 429
    attempt = AccessAttempt.objects.get(username="noor")
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=attempt.attempt_time - timedelta(minutes=16))
    assert log_in(client, SITE_LOGIN, PASSWORD).status_code == 302


def test_the_limit_follows_the_setting(person, settings):
    """AXES_FAILURE_LIMIT sets how many failures lock the account."""
    settings.AXES_FAILURE_LIMIT = 2
    client = Client()
    fail(client, SITE_LOGIN, 2)
    assert log_in(client, SITE_LOGIN, PASSWORD).status_code == 429


def test_the_admin_and_the_site_share_one_count(person):
    """Failures on either login page add up: switching pages does not buy more guesses."""
    client = Client()
    fail(client, SITE_LOGIN, 3)
    fail(client, ADMIN_LOGIN, 2)
    assert log_in(client, ADMIN_LOGIN, PASSWORD).status_code == 429


# Behind the production proxy every request comes from its address: the client's is in X-Forwarded-For.


@pytest.fixture
def behind_proxy(settings):
    settings.VETTED_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.VETTED_TRUSTED_PROXY_COUNT = 1
    settings.VETTED_TRUSTED_PROXY_NETWORKS = ["10.0.0.0/8"]
    return {"REMOTE_ADDR": "10.0.0.5"}


def test_behind_the_proxy_each_client_address_is_locked_on_its_own(person, behind_proxy):
    """A guesser behind the proxy locks only their own address out, not the account for everyone."""
    guesser = {**behind_proxy, "HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    fail(Client(), SITE_LOGIN, 30, **guesser)
    assert log_in(Client(), SITE_LOGIN, PASSWORD, **guesser).status_code == 429
    owner = Client()
    assert log_in(owner, SITE_LOGIN, PASSWORD, **behind_proxy, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 302


def test_behind_the_proxy_a_guesser_cannot_rotate_addresses_with_its_own_header(person, behind_proxy):
    """Entries the guesser writes stay left of the proxy's own, so every guess counts against one address."""
    for number in range(5):
        forwarded = f"192.0.2.{number}, 203.0.113.66"
        log_in(Client(), SITE_LOGIN, "wrong", **behind_proxy, HTTP_X_FORWARDED_FOR=forwarded)
    forwarded = "192.0.2.99, 203.0.113.66"
    assert log_in(Client(), SITE_LOGIN, PASSWORD, **behind_proxy, HTTP_X_FORWARDED_FOR=forwarded).status_code == 429
