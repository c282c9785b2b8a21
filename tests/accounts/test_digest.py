import pytest
from django.contrib.messages import get_messages
from django.core import signing
from django.test import Client
from django.urls import reverse

from accounts.digest import opt_out_path, opt_out_token, user_for_token
from tests import workflow
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SETTINGS_URL = "/account/notifications/"


@pytest.fixture
def client() -> Client:
    return Client(enforce_csrf_checks=True)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def receives_digest(user) -> bool:
    user.refresh_from_db()
    return user.receives_digest


def test_new_user_receives_digest_by_default():
    """Everyone gets the digest until they opt out."""
    assert UserFactory().receives_digest is True


def test_anonymous_user_cannot_see_notification_settings(client):
    """The settings page sends an anonymous visitor to the login page and back."""
    response = client.get(reverse("accounts:notification_settings"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={SETTINGS_URL}"


def test_anonymous_user_cannot_change_notification_settings(client):
    """A POST without a session changes nobody's setting."""
    user = UserFactory()
    response = Client().post(SETTINGS_URL, {})
    assert response.status_code == 302
    assert receives_digest(user) is True


def test_notification_settings_show_the_checkbox_and_what_is_always_sent():
    """The form has one labelled checkbox, ticked by default, and says which emails are always sent."""
    response = logged_in(UserFactory()).get(SETTINGS_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_receives_digest">Send me the daily digest of my open assignments</label>' in html
    assert 'name="receives_digest"' in html
    assert "checked" in html
    assert "Assignment notices, overdue reminders and decisions" in html
    assert html.count("<h1") == 1


def test_user_can_turn_the_digest_off_and_on():
    """Unticking saves False with a message; ticking again saves True with another."""
    user = UserFactory()
    client = logged_in(user)

    response = client.post(SETTINGS_URL, {}, follow=True)
    assert response.redirect_chain == [(SETTINGS_URL, 302)]
    assert receives_digest(user) is False
    assert [str(message) for message in response.context["messages"]] == ["Daily digest turned off."]
    assert "Daily digest turned off." in response.content.decode()
    assert "checked" not in response.content.decode()

    response = client.post(SETTINGS_URL, {"receives_digest": "on"})
    assert response.status_code == 302
    assert receives_digest(user) is True
    assert [str(message) for message in get_messages(response.wsgi_request)] == ["Daily digest turned on."]


def test_notification_settings_change_only_the_signed_in_user():
    """Turning the digest off leaves everyone else's setting alone."""
    user, other = UserFactory(), UserFactory()
    logged_in(user).post(SETTINGS_URL, {})
    assert receives_digest(user) is False
    assert receives_digest(other) is True


def test_notification_settings_cannot_be_posted_without_csrf_token():
    """A cross-site form cannot switch the digest off."""
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(SETTINGS_URL, {})
    assert response.status_code == 403
    assert receives_digest(user) is True


def test_token_names_its_user_and_is_stable():
    """A token leads back to the user it was made for, and every email carries the same one."""
    user = UserFactory()
    assert user_for_token(opt_out_token(user)) == user
    assert opt_out_token(user) == opt_out_token(user)
    assert opt_out_path(user) == f"/account/digest/stop/{opt_out_token(user)}/"


@pytest.mark.parametrize("token", ["", "garbage", "MQ:forged-signature", "MQ"])
def test_bad_token_names_nobody(token):
    """A token that was not signed by us gives None, not an error."""
    UserFactory()
    assert user_for_token(token) is None


def test_token_signed_with_another_salt_names_nobody():
    """A value signed for some other purpose cannot be reused as an opt-out token."""
    user = UserFactory()
    assert user_for_token(signing.Signer(salt="something-else").sign_object(user.pk)) is None


def test_opt_out_get_asks_and_changes_nothing(client):
    """Following the link (as mail scanners do) only shows the question, naming the person."""
    user = workflow.reviewer(first_name="Maya", last_name="Okafor", credentials="MD")
    response = client.get(opt_out_path(user))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Maya Okafor, MD" in html
    assert '<button type="submit">Stop daily digests</button>' in html
    assert 'method="post"' in html
    assert receives_digest(user) is True


def test_opt_out_post_with_valid_token_turns_the_digest_off(client):
    """Pressing the button, without logging in, stops the digest and links back to the settings."""
    user = UserFactory(first_name="Maya", last_name="Okafor")
    path = opt_out_path(user)
    csrf_token = client.get(path).cookies["csrftoken"].value
    response = client.post(path, {"csrfmiddlewaretoken": csrf_token})
    assert response.status_code == 200
    assert receives_digest(user) is False
    html = response.content.decode()
    assert "Daily digests stopped" in html
    assert "Maya Okafor" in html
    assert f'href="{SETTINGS_URL}"' in html


def test_opt_out_post_without_csrf_token_changes_nothing(client):
    """The button's form is CSRF protected like any other."""
    user = UserFactory()
    response = client.post(opt_out_path(user), {})
    assert response.status_code == 403
    assert receives_digest(user) is True


def _tampered_signature(token: str, other: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def _other_users_id_with_this_signature(token: str, other: str) -> str:
    return other.split(":")[0] + token[token.index(":") :]


def _garbled(token: str, other: str) -> str:
    return "not-a-token"


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("mangle", [_tampered_signature, _other_users_id_with_this_signature, _garbled])
def test_opt_out_with_bad_token_is_not_found_and_changes_nothing(method, mangle):
    """A forged or garbled link answers 404 and leaves every setting alone."""
    user, other = UserFactory(), UserFactory()
    path = reverse("accounts:digest_opt_out", args=[mangle(opt_out_token(user), opt_out_token(other))])
    response = getattr(Client(), method)(path)
    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()
    assert receives_digest(user) is True
    assert receives_digest(other) is True


def test_token_for_one_user_cannot_stop_another_users_digest():
    """A's link turns off only A's digest, whoever presses the button."""
    a, b = UserFactory(), UserFactory()
    client = logged_in(b)
    response = client.post(opt_out_path(a))
    assert response.status_code == 200
    assert receives_digest(a) is False
    assert receives_digest(b) is True


def test_opt_out_for_deleted_user_is_not_found():
    """A link in an old email for a removed account answers 404."""
    user = UserFactory()
    path = opt_out_path(user)
    user.delete()
    assert Client().get(path).status_code == 404


def test_admin_shows_email_settings_link_and_keeps_its_branding():
    """Staff see an "Email settings" link before the default user links, under the Vetted header."""
    client = logged_in(workflow.superuser())
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<a href="{SETTINGS_URL}">Email settings</a>' in html
    assert html.index("Email settings") < html.index("Change password") < html.index("Log out")
    assert '<a href="/admin/">Vetted editorial</a>' in html
    assert "<title>Articles, reviews and records | Vetted editorial</title>" in html


def test_admin_lists_users_by_digest_setting():
    """Staff can filter users by whether they receive the digest and see it on the user form."""
    opted_out = UserFactory(username="quiet", receives_digest=False)
    client = logged_in(workflow.superuser())
    response = client.get(reverse("admin:accounts_user_changelist"), {"receives_digest__exact": "0"})
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [opted_out]
    response = client.get(reverse("admin:accounts_user_change", args=[opted_out.pk]))
    assert 'name="receives_digest"' in response.content.decode()
