from django.conf import settings
from django.shortcuts import render
from django.urls import reverse

from pages.selectors import active_board_members, current_policy


def _canonical(url_name: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse(url_name)}"


def editorial_policy(request):
    """How articles are reviewed, published, re-reviewed and corrected (one query)."""
    context = {"policy": current_policy(), "canonical": _canonical("pages:editorial_policy")}
    return render(request, "pages/editorial_policy.html", context)


def advisory_board(request):
    """The active members of the Medical Advisory Board, in order (one query)."""
    context = {"members": list(active_board_members()), "canonical": _canonical("pages:advisory_board")}
    return render(request, "pages/advisory_board.html", context)
