"""Reads of the reference library shaped for its screens."""

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from articles.models import Article
from editorial import permissions
from references.models import Citation, Reference


def with_cited_by(references: QuerySet[Reference]) -> QuerySet[Reference]:
    """Annotate `cited_by`: how many distinct articles cite each reference.

    A correlated subquery rather than a join, so the list's counts and filters stay plain queries.
    """
    articles = (
        Citation.objects.filter(reference=OuterRef("pk"))
        .order_by()
        .values("reference")
        .annotate(count=Count("claim__article", distinct=True))
        .values("count")
    )
    return references.annotate(cited_by=Coalesce(Subquery(articles, output_field=IntegerField()), Value(0)))


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
