"""The one authentication backend: Django's model backend behind django-axes's lock-out check."""

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend


class ThrottledModelBackend(AxesStandaloneBackend, ModelBackend):
    """Refuse a locked-out account and address before checking the password; otherwise ModelBackend.

    One backend rather than axes's usual pair (its backend, then ModelBackend), because
    ``UserManager.with_perm`` (who may review, who is told) can only pick the backend by itself
    when there is exactly one.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        # Raises PermissionDenied while locked out, which makes django.contrib.auth stop and report a failure.
        super().authenticate(request, username=username, password=password, **kwargs)
        return ModelBackend.authenticate(self, request, username=username, password=password, **kwargs)
