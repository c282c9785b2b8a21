"""Reads of the reference library shaped for its screens."""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

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
