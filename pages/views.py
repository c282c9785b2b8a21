from django.shortcuts import render
from django.urls import reverse

from config.site import absolute
from pages.selectors import active_board_members, current_policy
from reader import surrogate
from reader.http import Shown, reader_page


def _canonical(url_name: str) -> str:
    return absolute(reverse(url_name))


@reader_page
def editorial_policy(request):
    """How articles are reviewed, published, re-reviewed and corrected (one query)."""
    policy = current_policy()
    shown = Shown.of(
        policy.pk,
        policy.title,
        policy.summary,
        policy.body,
        policy.updated_at,
        keys=[surrogate.PAGE_POLICY],
        last_modified=policy.updated_at,
    )
    context = {"policy": policy, "canonical": _canonical("pages:editorial_policy")}
    return shown.answer(request, lambda: render(request, "pages/editorial_policy.html", context))


@reader_page
def advisory_board(request):
    """The active members of the Medical Advisory Board, in order (one query).

    Members have no edit time, so the page has an ETag (a digest of what it shows) and no Last-Modified.
    """
    members = list(active_board_members())
    shown = Shown.of(
        [(m.pk, m.display_name, m.specialty, m.affiliation, m.bio, m.disclosures, m.position) for m in members],
        keys=[surrogate.PAGE_BOARD],
    )
    context = {"members": members, "canonical": _canonical("pages:advisory_board")}
    return shown.answer(request, lambda: render(request, "pages/advisory_board.html", context))
