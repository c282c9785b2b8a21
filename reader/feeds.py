"""Atom feeds of what changed for readers: every approval of a published article, with its note.

``/feeds/updates/`` lists the latest approvals site-wide, ``/topics/<slug>/feed/`` those of the
articles now on a topic. Entries come from approved versions only (`ArticleVersion` rows, which
exist only by approval), and only of articles readers can open now: a withdrawn article leaves
the feed with its page. Like the pages, the feeds are served through `reader.http.reader_page`;
they carry the ``listings`` key, which every approval, withdrawal and reinstatement purges, and
each listed article's key (and the topic's), so a purge reaches them.
"""

from django.contrib.syndication.views import Feed
from django.db.models import F, QuerySet
from django.db.models.fields.json import KT
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from articles.models import Article, Topic
from config.site import absolute
from editorial.models import ArticleVersion
from reader import surrogate
from reader.http import Shown, reader_page
from reader.selectors import last_change

FEED_ENTRIES = 50


def published_updates(topic: Topic | None = None) -> QuerySet:
    """The latest approved versions of articles readers can open, newest first, without their documents.

    Each carries ``title`` and ``summary`` (from its frozen document) and ``live_slug``, the
    article's address now (an old version's own slug only redirects there).
    """
    versions = ArticleVersion.objects.filter(article__live_version__isnull=False).exclude(
        article__state=Article.State.WITHDRAWN
    )
    if topic is not None:
        versions = versions.filter(article__live_version__topic=topic)
    return (
        versions.annotate(
            title=KT("document__title"),
            summary=KT("document__summary__text"),
            live_slug=F("article__live_version__slug"),
        )
        .defer("document", "search_text")
        .order_by("-approved_at", "-pk")[:FEED_ENTRIES]
    )


class UpdatesFeed(Feed):
    """The Atom document for a list of versions the view read (so rendering queries nothing more)."""

    feed_type = Atom1Feed
    author_name = "Vetted Medical Advisory Board"

    def __init__(self, versions: list[ArticleVersion], *, title: str, link: str, subtitle: str):
        super().__init__()
        self.versions, self.feed_title, self.feed_link, self.feed_subtitle = versions, title, link, subtitle

    def title(self) -> str:
        return self.feed_title

    def link(self) -> str:
        return self.feed_link

    def subtitle(self) -> str:
        return self.feed_subtitle

    def items(self) -> list[ArticleVersion]:
        return self.versions

    def item_title(self, version: ArticleVersion) -> str:
        return f"{'New' if version.number == 1 else 'Updated'}: {version.title}"

    def item_description(self, version: ArticleVersion) -> str:
        if version.change_note:
            return version.change_note
        return version.summary or "Approved by the Medical Advisory Board."

    def item_link(self, version: ArticleVersion) -> str:
        return absolute(reverse("reader:detail", args=[version.live_slug]))

    def item_guid(self, version: ArticleVersion) -> str:
        return absolute(reverse("reader:history", args=[version.live_slug])) + f"#version-{version.number}"

    def item_guid_is_permalink(self, version: ArticleVersion) -> bool:
        return False

    def item_pubdate(self, version: ArticleVersion):
        return version.approved_at

    def item_updateddate(self, version: ArticleVersion):
        return version.approved_at

    def item_author_name(self, version: ArticleVersion) -> str:
        return version.reviewer_names or "Vetted Medical Advisory Board"


def _answer(request, versions: list[ArticleVersion], *, keys: list[str], title: str, link: str, subtitle: str):
    shown = Shown.of(
        title,
        [(version.pk, version.live_slug) for version in versions],
        keys=[surrogate.LISTINGS, *keys, *(surrogate.article_key(version.article_id) for version in versions)],
        last_modified=versions[0].site_changed if versions else None,
    )
    feed = UpdatesFeed(versions, title=title, link=link, subtitle=subtitle)
    return shown.answer(request, lambda: feed(request))


@reader_page
def updates(request):
    """The site's updates feed. Queries: the latest approvals, with the site's last change."""
    versions = list(published_updates().annotate(site_changed=last_change()))
    return _answer(
        request,
        versions,
        keys=[],
        title="Vetted: new and updated articles",
        link=absolute("/"),
        subtitle="Every article the Medical Advisory Board approves, with what changed.",
    )


@reader_page
def topic_updates(request, slug: str):
    """One topic's updates feed. Queries: the topic; its latest approvals."""
    topic = get_object_or_404(Topic, slug=slug)
    versions = list(published_updates(topic).annotate(site_changed=last_change()))
    return _answer(
        request,
        versions,
        keys=[surrogate.topic_key(topic.pk)],
        title=f"Vetted: {topic.name}",
        link=absolute(reverse("reader:topic", args=[slug])),
        subtitle=f"New and updated articles on {topic.name}, approved by the Medical Advisory Board.",
    )
