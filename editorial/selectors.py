"""Reads across content and workflow, shaped for the workspace's screens."""

from django.db.models import Count, Exists, OuterRef

from articles.models import Article
from editorial import permissions
from references.models import Reference


def citing_articles(reference: Reference, *, viewer) -> list[Article]:
    """The articles citing `reference`, in one query, by title.

    Each carries `citing_claims` (how many of its claims cite the reference) and `visible`
    (whether `viewer` may open it in the admin).
    """
    visible = permissions.visible_articles(viewer).filter(pk=OuterRef("pk"))
    return list(
        # Filtering before annotating makes the count reuse the join: only citing claims count.
        Article.objects.filter(claims__citations__reference=reference)
        .annotate(citing_claims=Count("claims", distinct=True), visible=Exists(visible))
        .order_by("title", "pk")
    )
