"""Signed links that let a person stop the daily digest from the email itself, without logging in."""

from django.core import signing
from django.urls import reverse

from accounts.models import User

OPT_OUT_SALT = "accounts.digest-opt-out"


def opt_out_token(user: User) -> str:
    """Sign the user's id; the same user always gets the same token, and it does not expire."""
    return signing.Signer(salt=OPT_OUT_SALT).sign_object(user.pk)


def user_for_token(token: str) -> User | None:
    """Return the user a token was signed for, or None when it is forged, garbled or the user is gone."""
    try:
        pk = signing.Signer(salt=OPT_OUT_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=pk).first()


def opt_out_path(user: User) -> str:
    """The path of the page where ``user`` can stop the daily digest, for links in digest emails."""
    return reverse("accounts:digest_opt_out", args=[opt_out_token(user)])
