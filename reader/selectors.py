"""Reads the reader pages share."""

from django.db.models import Subquery

from articles.models import Article


def last_change() -> Subquery:
    """When anything readers can reach last changed, as an annotation: the Last-Modified of listings.

    The newest workflow save of an article with a live version; approvals, withdrawals and
    reinstatements all save the article. Site-wide, so a withdrawal, which takes an article out
    of a listing, still moves every listing's Last-Modified forward.
    """
    newest = Article.objects.filter(live_version__isnull=False).order_by("-updated_at").values("updated_at")
    return Subquery(newest[:1])
