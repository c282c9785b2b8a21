"""What the reader pages show, each read in one query."""

from django.db.models import QuerySet

from pages.defaults import DEFAULT_POLICY
from pages.models import BoardMember, EditorialPolicy


def current_policy() -> EditorialPolicy:
    """The most recently updated policy; the built-in default (unsaved, undated) when there is none."""
    return EditorialPolicy.objects.order_by("-updated_at", "-id").first() or EditorialPolicy(**DEFAULT_POLICY)


def active_board_members() -> QuerySet[BoardMember]:
    """Members shown on the site, in the editors' order."""
    return BoardMember.objects.filter(is_active=True).order_by("position", "name", "id")
