from django.shortcuts import get_object_or_404, render

from articles.document import build_document, with_citation_numbers
from articles.models import Article


def home(request):
    articles = Article.objects.approved().select_related("topic").order_by("-updated_at")[:20]
    return render(request, "articles/home.html", {"articles": articles})


def article_detail(request, slug: str):
    """Show an approved article; anything not approved is a 404 to readers."""
    article = get_object_or_404(Article.objects.approved().select_related("topic"), slug=slug)
    document = with_citation_numbers(build_document(article))
    return render(request, "articles/article_detail.html", {"article": article, "document": document})
