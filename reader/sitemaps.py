"""sitemap.xml: the home page, the site's pages and every published article, nothing else."""

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.urls import reverse

from articles.models import Article
from reader import surrogate
from reader.http import Shown, reader_page
from reader.selectors import last_change


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Article.objects.published().select_related("live_version").order_by("pk")

    def lastmod(self, article):
        return article.live_version.approved_at


class SiteSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return ["home", "pages:editorial_policy", "pages:advisory_board"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"articles": ArticleSitemap, "site": SiteSitemap}


@reader_page
def sitemap(request):
    """Django's sitemap, shareable: keyed by every article it lists, its ETag a digest of the XML.

    Queries: the published articles' ids (with `last_change`); Django's sitemap view's own.
    """
    listed = list(Article.objects.published().annotate(site_changed=last_change()).values_list("pk", "site_changed"))
    response = sitemap_view(request, SITEMAPS)
    response.render()
    shown = Shown.of(
        response.content.decode(),
        keys=[surrogate.LISTINGS, *(surrogate.article_key(pk) for pk, _ in listed)],
        last_modified=listed[0][1] if listed else None,
    )
    return shown.answer(request, lambda: response)
