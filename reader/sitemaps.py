"""sitemap.xml: the home page, the site's pages and every published article, nothing else."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from articles.models import Article


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
