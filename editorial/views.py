"""Where each person's work is: the landing page after the site login."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from editorial.permissions import work_url


@login_required
def landing(request):
    """Send the signed-in person to their work (``LOGIN_REDIRECT_URL``; the error pages' "Your work")."""
    return redirect(work_url(request.user))
