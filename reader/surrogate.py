"""Surrogate keys: what a cached reader page shows, named so a purge can find every page showing it.

Each cacheable reader response lists its keys, space-separated, in an ``xkey`` header (Varnish's
xkey module). A purge of a key (``editorial.purges``) drops every stored page carrying it:

- ``article-<Article.pk>``: the article's page, its version history (and published old
  versions), and every listing or feed that shows the article (a
  listing of so many articles that their keys would not fit in a header carries ``listings``
  alone, which every approval, withdrawal and reinstatement purges);
- ``reference-<Reference.uuid>``: each article page listing that reference;
- ``topic-<Topic.pk>``: the topic's page, and the home page, which lists the topic's name;
- ``page-policy``: the editorial policy page;
- ``page-board``: the board page, and article pages naming their reviewers (linked to the board);
- ``listings``: the home page, topic pages, search results, the sitemap and the Atom feeds;
- ``site``: every cacheable reader response, for a purge after a deployment that changes templates.

This module imports nothing from the reader's views, so the workflow can name keys without them.
"""

PAGE_POLICY = "page-policy"
PAGE_BOARD = "page-board"
LISTINGS = "listings"
SITE = "site"


def article_key(pk: int) -> str:
    return f"article-{pk}"


def is_article_key(key: str) -> bool:
    return key.startswith("article-")


def reference_key(uuid) -> str:
    """By the reference's stable id, which the page's frozen document names (no query to find it)."""
    return f"reference-{uuid}"


def topic_key(pk: int) -> str:
    return f"topic-{pk}"


def article_page_keys(article_id: int, reference_uuids, *, names_reviewers: bool) -> list[str]:
    """The keys of an article's page (and of the API's answer for it): the article, each reference
    it lists and, when it names reviewers (linked to their board profiles), the board page."""
    return [
        article_key(article_id),
        *(reference_key(uuid) for uuid in reference_uuids),
        PAGE_BOARD if names_reviewers else "",
    ]
