import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.digest import user_for_token
from accounts.forms import DigestSettingsForm


def locked_out(request, original_response=None, credentials=None):
    """Tell a person locked out after too many failed logins what happened and when to try again (django-axes)."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    """Let the signed-in person turn their daily digest on or off."""
    # Bind on every POST: an unticked checkbox sends nothing, so request.POST may be empty.
    form = DigestSettingsForm(request.POST if request.method == "POST" else None, instance=request.user)
    if form.is_bound and form.is_valid():
        user = form.save(commit=False)
        # Save only this field so a concurrent edit of the rest of the profile is not overwritten.
        user.save(update_fields=["receives_digest"])
        done = _("Daily digest turned on.") if user.receives_digest else _("Daily digest turned off.")
        messages.success(request, done)
        return redirect("accounts:notification_settings")
    return render(request, "accounts/notification_settings.html", {"form": form})


@require_http_methods(["GET", "POST"])
def digest_opt_out(request, token: str):
    """Stop the digest for the person a signed email link names; GET only asks, since mail scanners follow links."""
    user = user_for_token(token)
    if user is None:
        return render(request, "accounts/digest_opt_out_invalid.html", status=404)
    if request.method == "POST":
        user.receives_digest = False
        user.save(update_fields=["receives_digest"])
        return render(request, "accounts/digest_opt_out_done.html", {"person": user})
    return render(request, "accounts/digest_opt_out.html", {"person": user})
