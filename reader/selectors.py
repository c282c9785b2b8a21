"""Reads the reader pages share."""

from django.db.models import Count, Q, Subquery

from articles.models import Article, Topic
from editorial.models import ArticleVersion


def last_change() -> Subquery:
    """When anything readers can reach last changed, as an annotation: the Last-Modified of listings.

    The newest workflow save of an article with a live version; approvals, withdrawals and
    reinstatements all save the article. Site-wide, so a withdrawal, which takes an article out
    of a listing, still moves every listing's Last-Modified forward.
    """
    newest = Article.objects.filter(live_version__isnull=False).order_by("-updated_at").values("updated_at")
    return Subquery(newest[:1])


def live_slug_after(slug: str) -> str | None:
    """The live slug of the article an earlier version was approved at ``slug``, or None.

    The newest version approved at ``slug`` decides, and only while its article still has a live
    version (a withdrawn one's answers 410). One query.
    """
    return (
        ArticleVersion.objects.filter(slug=slug, article__live_version__isnull=False)
        .order_by("-approved_at")
        .values_list("article__live_version__slug", flat=True)
        .first()
    )


def topics_with_published_articles() -> list[Topic]:
    """Topics that published articles' live versions are on, by name, each with ``published``: how many.

    One query. A draft's new topic moves nothing: only live versions count.
    """
    return list(
        Topic.objects.annotate(published=Count("versions", filter=Q(versions__in=ArticleVersion.objects.published())))
        .filter(published__gt=0)
        .order_by("name")
    )
