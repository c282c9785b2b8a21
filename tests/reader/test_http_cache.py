"""Reader pages a shared cache (Varnish) may store: no cookies, validators, surrogate keys, 304s."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.http import http_date

from articles.models import Article
from editorial.services import perform_transition
from reader import http, surrogate
from references.models import Reference
from tests import workflow
from tests.editorial.test_admin import logged_in
from tests.factories import BoardMemberFactory, EditorialPolicyFactory, TopicFactory

pytestmark = pytest.mark.django_db

SHARED = "public, max-age=0, s-maxage=86400, stale-while-revalidate=30, stale-if-error=86400"
PRIVATE = "private, no-store"
OWN = {"HTTP_ORIGIN": "http://testserver"}
QUESTION = "Does the treatment also help children under twelve?"


@pytest.fixture
def reader() -> Client:
    return Client()


@pytest.fixture
def article() -> Article:
    return workflow.approved(workflow.ready_article(title="What helps muscle jerking?", topic=TopicFactory()))


def keys(response) -> set[str]:
    return set(response["xkey"].split())


def assert_shared(response) -> None:
    """Storable by the shared cache: no cookie, no Vary: Cookie, a strong ETag and the cache policy."""
    assert response.status_code == 200
    assert not response.cookies, response.cookies
    assert "cookie" not in response.get("Vary", "").lower()
    assert response["Cache-Control"] == SHARED
    assert response["ETag"].startswith('"')  # strong, not W/"…"
    assert response["ETag"].endswith('"')
    assert surrogate.SITE in keys(response)


def last_change(article: Article) -> str:
    """Last-Modified of an article page: its approval, or a later workflow change (the review notice)."""
    article = Article.objects.select_related("live_version").get(pk=article.pk)
    return http_date(max(article.live_version.approved_at, article.updated_at).timestamp())


# What every anonymous reader page carries


def test_article_page_is_shareable_with_its_keys_validators_and_audience(reader, article):
    """Keys: the article, each listed reference, the board (its reviewers are named); no audience chosen."""
    response = reader.get(article.get_absolute_url())
    assert_shared(response)
    references = Reference.objects.filter(citations__claim__article=article).distinct()
    assert keys(response) == {
        surrogate.article_key(article.pk),
        *(surrogate.reference_key(reference.uuid) for reference in references),
        surrogate.PAGE_BOARD,
        surrogate.SITE,
    }
    assert response["Last-Modified"] == last_change(article)
    assert response["X-Audience"] == "none"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/", {surrogate.LISTINGS}),
        ("/sitemap.xml", {surrogate.LISTINGS}),
        ("/search/?q=muscle", {surrogate.LISTINGS}),
    ],
)
def test_listings_carry_the_listing_key_and_each_article_shown(reader, article, url, expected):
    """Home, search and the sitemap: "listings", and article-<pk> for every article they show."""
    hidden = workflow.ready_article(title="A draft about muscle jerking?")
    response = reader.get(url)
    assert_shared(response)
    assert expected | {surrogate.article_key(article.pk)} <= keys(response)
    assert surrogate.article_key(hidden.pk) not in keys(response)
    assert response["Last-Modified"] == last_change(article)
    assert "X-Audience" not in response  # the same for every audience


def test_home_names_the_topics_it_lists(reader, article):
    assert surrogate.topic_key(article.live_version.topic_id) in keys(reader.get("/"))


def test_topic_page_carries_its_topic_listings_and_articles(reader, article):
    response = reader.get(reverse("reader:topic", args=[article.topic.slug]))
    assert_shared(response)
    assert keys(response) == {
        surrogate.topic_key(article.topic.pk),
        surrogate.LISTINGS,
        surrogate.article_key(article.pk),
        surrogate.SITE,
    }


def test_policy_and_board_pages_carry_their_page_keys(reader):
    """Last-Modified of the policy is its last edit; the board has no edit time, so only an ETag."""
    policy = EditorialPolicyFactory()
    BoardMemberFactory()
    response = reader.get(reverse("pages:editorial_policy"))
    assert_shared(response)
    assert keys(response) == {surrogate.PAGE_POLICY, surrogate.SITE}
    assert response["Last-Modified"] == http_date(policy.updated_at.timestamp())
    board = reader.get(reverse("pages:advisory_board"))
    assert_shared(board)
    assert keys(board) == {surrogate.PAGE_BOARD, surrogate.SITE}


def test_robots_txt_is_shareable(reader):
    assert_shared(reader.get("/robots.txt"))


def test_shared_cache_lifetimes_follow_the_settings(reader, article, settings):
    settings.VETTED_SHARED_CACHE_SECONDS = 600
    settings.VETTED_STALE_IF_ERROR_SECONDS = 3600
    assert reader.get(article.get_absolute_url())["Cache-Control"] == (
        "public, max-age=0, s-maxage=600, stale-while-revalidate=30, stale-if-error=3600"
    )


def test_a_withdrawn_article_is_shareable_under_its_key_and_a_missing_one_is_not(reader, article):
    """410 is stored (a reinstatement purges article-<pk>); a 404 is never stored."""
    url = article.get_absolute_url()
    perform_transition(article, "withdraw", by=workflow.editor(), comment="Superseded.")
    gone = reader.get(url)
    assert gone.status_code == 410
    assert not gone.cookies
    assert gone["Cache-Control"] == SHARED
    assert surrogate.article_key(article.pk) in keys(gone)
    missing = reader.get("/articles/no-such-article/")
    assert missing.status_code == 404
    assert missing["Cache-Control"] == PRIVATE
    assert "xkey" not in missing


# Validators and conditional requests


def test_if_none_match_answers_304_with_the_same_headers(reader, article):
    """The 304 repeats ETag, keys and the cache policy, so the stored copy keeps them."""
    url = article.get_absolute_url()
    first = reader.get(url)
    again = reader.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    for header in ("ETag", "Cache-Control", "xkey", "Last-Modified", "X-Audience"):
        assert again[header] == first[header]
    assert not again.cookies
    assert reader.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


@pytest.mark.parametrize("url", ["/", "/sitemap.xml", "/search/?q=muscle", "/editorial-policy/", "/robots.txt"])
def test_every_reader_page_answers_if_none_match(reader, article, url):
    EditorialPolicyFactory()
    etag = reader.get(url)["ETag"]
    assert reader.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_if_modified_since_answers_304_until_the_article_changes(reader, article):
    """Last-Modified moves when a revision enters review (the notice appears), so no stale 304."""
    url = article.get_absolute_url()
    since = reader.get(url)["Last-Modified"]
    assert reader.get(url, HTTP_IF_MODIFIED_SINCE=since).status_code == 304
    perform_transition(article, "revise", by=article.authors.get())
    workflow.submitted(article)
    # A second later than the approval at least (HTTP dates count whole seconds).
    Article.objects.filter(pk=article.pk).update(
        updated_at=article.updated_at.replace(year=article.updated_at.year + 1)
    )
    response = reader.get(url, HTTP_IF_MODIFIED_SINCE=since)
    assert response.status_code == 200
    assert "An update to this article is under review" in response.content.decode()


def test_a_withdrawal_moves_the_listings_last_modified(reader, article):
    """Withdrawing the newest article must not send an older Last-Modified (which would answer 304)."""
    other = workflow.approved(workflow.ready_article(title="An older question?"))
    since = reader.get("/")["Last-Modified"]
    workflow.withdrawn(other)
    Article.objects.filter(pk=other.pk).update(updated_at=other.updated_at.replace(year=other.updated_at.year + 1))
    assert reader.get("/", HTTP_IF_MODIFIED_SINCE=since).status_code == 200


def test_etag_follows_the_audience_the_review_notice_and_the_version(reader, article):
    """Each variant has its own ETag: audience, a revision in review, a new approval."""
    url = article.get_absolute_url()
    anyone = reader.get(url)["ETag"]
    assert reader.get(url)["ETag"] == anyone
    patient_client = Client()
    patient_client.cookies["audience"] = "patient"
    patient = patient_client.get(url)
    assert patient["X-Audience"] == "patient"
    assert "cookie" not in patient.get("Vary", "").lower()
    assert patient["ETag"] != anyone
    assert patient_client.get(url, HTTP_IF_NONE_MATCH=anyone).status_code == 200
    perform_transition(article, "revise", by=article.authors.get())
    workflow.submitted(article)
    in_review = reader.get(url)["ETag"]
    assert in_review != anyone
    workflow.approved(article)
    assert reader.get(url)["ETag"] not in (anyone, in_review)


def test_listing_etag_follows_what_it_lists(reader, article):
    etag = reader.get("/")["ETag"]
    workflow.approved(workflow.ready_article(title="A new question?"))
    assert reader.get("/")["ETag"] != etag


# Never shared: signed-in people, personal variants


@pytest.mark.parametrize("url", ["article", "/", "/search/?q=muscle", "/editorial-policy/", "/sitemap.xml"])
def test_signed_in_people_get_private_pages_without_cache_headers(article, url):
    """A session cookie: private, no-store, and no validator or key a shared cache could use."""
    editor = logged_in(workflow.editor())
    response = editor.get(article.get_absolute_url() if url == "article" else url)
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE
    for header in ("ETag", "Last-Modified", "xkey", "X-Audience"):
        assert header not in response
    if url == "article":
        assert "Your work" in response.content.decode()


def test_the_thank_you_variant_is_private(reader, article):
    response = reader.get(article.get_absolute_url(), {"sent": "question"})
    assert response["Cache-Control"] == PRIVATE
    assert "xkey" not in response
    assert "Thank you — your question has been sent to our editors." in response.content.decode()


def test_no_anonymous_get_sets_a_cookie_after_any_reader_action(reader, article, settings):
    """After choosing an audience, sending a question and hitting the limit, GETs still set nothing."""
    settings.VETTED_FEEDBACK_PER_HOUR = 1
    url = article.get_absolute_url()
    question_url = reverse("reader:question", args=[article.live_version.slug])
    assert reader.post(reverse("reader:audience"), {"audience": "patient", "next": url}, **OWN).status_code == 302
    sent = reader.post(question_url, {"text": QUESTION}, **OWN)
    assert sent.status_code == 302
    assert not sent.cookies
    limited = reader.post(question_url, {"text": QUESTION}, **OWN)
    assert limited.status_code == 429
    assert not limited.cookies
    for path in (url, sent["Location"], "/", "/search/?q=muscle", "/editorial-policy/", "/advisory-board/"):
        response = reader.get(path)
        assert response.status_code == 200, path
        assert not response.cookies, path
        assert "cookie" not in response.get("Vary", "").lower(), path
    assert set(reader.cookies) == {"audience"}


def test_reader_pages_render_no_csrf_token(reader, article):
    html = reader.get(article.get_absolute_url()).content.decode()
    assert "csrfmiddlewaretoken" not in html
    assert html.count("<form") == 3  # audience, question, error report


def test_setting_defaults():
    assert settings.VETTED_SHARED_CACHE_SECONDS == 86400
    assert settings.VETTED_STALE_IF_ERROR_SECONDS == 86400


def test_a_listing_too_long_for_one_header_is_found_by_listings_alone(reader, article, monkeypatch):
    """Varnish refuses headers over 8 KB: hundreds of article keys give way to "listings" (purged with each)."""
    workflow.approved(workflow.ready_article(title="Another question about muscle jerking?"))
    monkeypatch.setattr(http, "XKEY_MAX_LENGTH", len("listings article-1 article-2 site") - 1)
    for url in ("/", "/sitemap.xml", "/search/?q=muscle"):
        assert not any(surrogate.is_article_key(key) for key in keys(reader.get(url))), url
        assert surrogate.LISTINGS in keys(reader.get(url))
    assert surrogate.article_key(article.pk) in keys(reader.get(article.get_absolute_url()))
