from django.shortcuts import get_object_or_404, render

from articles.document import with_citation_numbers
from articles.models import Article


def home(request):
    """Latest approved articles, titled as approved (a revision's new wording is not shown)."""
    articles = Article.objects.published().select_related("live_version").order_by("-live_version__approved_at")[:20]
    return render(request, "articles/home.html", {"versions": [article.live_version for article in articles]})


def article_detail(request, slug: str):
    """Serve the live approved version: never a draft, a revision or an unapproved article."""
    article = get_object_or_404(Article.objects.select_related("live_version"), slug=slug, live_version__isnull=False)
    version = article.live_version
    if article.state == Article.State.WITHDRAWN:
        return render(request, "articles/withdrawn.html", {"title": version.document["title"]}, status=410)
    context = {"article": article, "version": version, "document": with_citation_numbers(version.document)}
    return render(request, "articles/article_detail.html", context)
