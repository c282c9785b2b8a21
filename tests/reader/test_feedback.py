"""Readers' follow-up questions and error reports: validation, honeypot, origin check, rate limit, admin queue."""

import logging

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.template import engines
from django.test import Client, RequestFactory
from django.urls import reverse

from articles.models import Article
from editorial.services import perform_transition
from reader import feedback
from reader.models import ReaderMessage
from tests import workflow
from tests.editorial.test_admin import logged_in
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

QUESTION = "Does the treatment also help children under twelve?"
ERROR = "The dose in the second claim looks ten times too high."
# Browsers send the page's origin with every form post; the reader's forms accept only their own.
OWN_ORIGIN = {"HTTP_ORIGIN": "http://testserver"}


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with no submissions counted against any client, in the cache or the fallback."""
    cache.clear()
    feedback.fallback_cache.clear()
    yield
    cache.clear()
    feedback.fallback_cache.clear()


@pytest.fixture
def article() -> Article:
    return workflow.approved()


def ask(client: Client, article: Article, text: str = QUESTION, *, meta: dict | None = None, **data):
    """Post a question from the article's page; ``meta`` sets request headers such as REMOTE_ADDR."""
    url = reverse("reader:question", args=[article.slug])
    return client.post(url, {"text": text, **data}, **{**OWN_ORIGIN, **(meta or {})})


def report(client: Client, article: Article, text: str = ERROR, *, meta: dict | None = None, **data):
    url = reverse("reader:report_error", args=[article.slug])
    return client.post(url, {"text": text, **data}, **{**OWN_ORIGIN, **(meta or {})})


def message_editor():
    """An editor who may work on reader messages."""
    editor = workflow.editor()
    # editorial/roles.py will grant these to the Editors group; given directly here until it does.
    editor.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="reader", codename__in=["view_readermessage", "change_readermessage"]
        )
    )
    return editor


def question_from(article: Article, text: str = QUESTION, **fields) -> ReaderMessage:
    return ReaderMessage.objects.create(
        kind=ReaderMessage.Kind.QUESTION,
        article=article,
        version_number=article.live_version.number,
        text=text,
        client_key="0" * 64,
        **fields,
    )


# Sending


def test_question_is_stored_with_article_version_and_audience(article, client):
    """A valid question is filed against the article and live version, with the reader's audience."""
    client.cookies["audience"] = "professional"
    response = ask(client, article, f"  {QUESTION}  ", email="reader@example.org")
    assert response.status_code == 302
    message = ReaderMessage.objects.get()
    assert message.kind == ReaderMessage.Kind.QUESTION
    assert message.article == article
    assert message.version_number == 1
    assert message.text == QUESTION
    assert message.email == "reader@example.org"
    assert message.audience == ReaderMessage.Audience.PROFESSIONAL
    assert message.status == ReaderMessage.Status.NEW


def test_unknown_audience_cookie_is_not_stored(article, client):
    """Only the site's audience choices are kept; a forged cookie value is dropped."""
    client.cookies["audience"] = "<script>"
    assert ask(client, article).status_code == 302
    assert ReaderMessage.objects.get().audience == ""


def test_success_redirects_to_the_form_with_a_thank_you(article, client):
    """Post/redirect/get: back to the article at the form, whose address says what was sent; no cookie."""
    response = ask(client, article)
    assert response["Location"] == f"{article.get_absolute_url()}?sent=question#feedback"
    assert not response.cookies
    page = client.get(response["Location"])
    assert page["Cache-Control"] == "private, no-store"
    thanks = '<ul class="messages" role="status"><li class="success">Thank you — your question has been sent'
    assert thanks in page.content.decode()
    assert "Thank you" not in client.get(article.get_absolute_url()).content.decode()


def test_error_report_is_stored_with_the_part_named(article, client):
    """An error report keeps which part the reader says is wrong and returns to the report form."""
    response = report(client, article, part="Claim 2")
    assert response["Location"] == f"{article.get_absolute_url()}?sent=error#feedback"
    assert "your report has been sent to our editors" in client.get(response["Location"]).content.decode()
    message = ReaderMessage.objects.get()
    assert (message.kind, message.text, message.part) == (ReaderMessage.Kind.ERROR, ERROR, "Claim 2")


def test_message_names_the_version_live_when_it_was_sent(article, client):
    """During a revision readers keep version 1; after the next approval they write about version 2."""
    perform_transition(article, "revise", by=article.authors.first())
    assert ask(client, article).status_code == 302
    workflow.approved(article)
    assert ask(client, article).status_code == 302
    assert list(ReaderMessage.objects.order_by("id").values_list("version_number", flat=True)) == [1, 2]


@pytest.mark.parametrize(
    ("state", "make"),
    [
        ("draft", lambda: workflow.ready_article()),
        ("submitted", lambda: workflow.submitted()),
        ("withdrawn", lambda: workflow.withdrawn()),
    ],
)
def test_articles_readers_cannot_see_give_404(client, state, make):
    """Never-approved and withdrawn articles accept neither questions nor reports."""
    hidden = make()
    assert hidden.state == state
    assert ask(client, hidden).status_code == 404
    assert report(client, hidden).status_code == 404
    assert not ReaderMessage.objects.exists()


def test_unknown_slug_gives_404(client):
    """A made-up address is not found."""
    assert ask(client, ArticleFactory.build(slug="no-such-article")).status_code == 404


def test_endpoints_accept_only_post(article, client):
    """A GET is refused (405): the forms live on the article page."""
    assert client.get(reverse("reader:question", args=[article.slug])).status_code == 405
    assert client.get(reverse("reader:report_error", args=[article.slug])).status_code == 405


# Validation


@pytest.mark.parametrize(
    ("text", "accepted"),
    [
        ("x" * 14, False),
        ("x" * 15, True),
        ("x" * 2000, True),
        ("x" * 2001, False),
        ("   " + "x" * 14 + "   ", False),  # measured after stripping
    ],
)
def test_question_length_is_15_to_2000_characters(article, client, text, accepted):
    """Both sides of each length limit; a refused question is shown again with status 400."""
    response = ask(client, article, text)
    assert response.status_code == (302 if accepted else 400)
    assert ReaderMessage.objects.exists() is accepted


@pytest.mark.parametrize(("length", "accepted"), [(4000, True), (4001, False)])
def test_error_report_may_be_up_to_4000_characters(article, client, length, accepted):
    """Error reports get room for a source and an explanation."""
    assert report(client, article, "y" * length).status_code == (302 if accepted else 400)
    assert ReaderMessage.objects.exists() is accepted


def test_too_short_question_says_what_to_do(article, client):
    """The refusal names the minimum and keeps what the reader typed."""
    response = ask(client, article, "Kids too?")
    assert response.status_code == 400
    assert b"Please write at least 15 characters" in response.content
    assert b"Kids too?</textarea>" in response.content


def test_links_alone_are_refused(article, client):
    """A question that is only links cannot be reviewed."""
    response = ask(client, article, "https://example.org/a https://example.org/b")
    assert response.status_code == 400
    assert "Please describe your question in words; links alone cannot be reviewed." in response.content.decode()
    assert not ReaderMessage.objects.exists()


def test_more_than_three_links_are_refused(article, client):
    """Four links are refused even with words around them; three are accepted."""
    words = "Is this consistent with the newer guidance I found here:"
    four = f"{words} https://a.example https://b.example https://c.example www.d.example"
    response = ask(client, article, four)
    assert response.status_code == 400
    assert b"Please include at most 3 links" in response.content
    assert not ReaderMessage.objects.exists()

    assert ask(client, article, f"{words} https://a.example https://b.example https://c.example").status_code == 302
    assert ReaderMessage.objects.count() == 1


def test_error_report_of_links_alone_is_refused(article, client):
    """Error reports follow the same rule, worded for a report."""
    response = report(client, article, "see https://example.org/x")
    assert response.status_code == 400
    assert b"Please describe the error in words" in response.content


def test_invalid_email_is_refused_and_blank_email_accepted(article, client):
    """The reply address is optional, but when given it must be an email address."""
    response = ask(client, article, email="not an address")
    assert response.status_code == 400
    assert b"Enter a valid email address." in response.content
    assert not ReaderMessage.objects.exists()
    assert ask(client, article, email="").status_code == 302


def test_too_long_part_is_refused(article, client):
    """The “Which part is wrong?” field holds at most 200 characters."""
    assert report(client, article, part="p" * 201).status_code == 400
    assert report(client, article, part="p" * 200).status_code == 302
    assert ReaderMessage.objects.count() == 1


def test_refused_form_links_each_error_to_its_field(article, client):
    """Errors sit next to the field, are tied to it with aria-describedby and listed with links."""
    response = ask(client, article, "Too short", email="me@example.org")
    html = response.content.decode()
    assert 'id="question-text_error"' in html
    assert 'aria-describedby="question-text_helptext question-text_error"' in html
    assert 'aria-invalid="true"' in html
    assert '<a href="#question-text">Your question — Please write' in html
    assert 'value="me@example.org"' in html
    assert f'action="{reverse("reader:question", args=[article.slug])}"' in html
    assert "csrfmiddlewaretoken" not in html
    assert response["Cache-Control"] == "private, no-store"


# Honeypot and origin check


def test_filled_honeypot_looks_sent_but_stores_nothing(article, client):
    """A bot filling the hidden field gets the normal success response, and nothing is filed."""
    response = ask(client, article, website="https://spam.example")
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}?sent=question#feedback"
    assert not ReaderMessage.objects.exists()


def test_post_from_another_site_is_forbidden(article):
    """Cross-site posting is refused (403, nothing stored); tests/reader/test_same_origin.py has every case."""
    response = ask(Client(enforce_csrf_checks=True), article, meta={"HTTP_ORIGIN": "https://evil.example"})
    assert response.status_code == 403
    assert not ReaderMessage.objects.exists()


def test_post_from_the_article_page_needs_no_csrf_token(article):
    """With Django's CSRF checks enforced, the same post from the site's own origin goes through."""
    assert ask(Client(enforce_csrf_checks=True), article).status_code == 302
    assert ReaderMessage.objects.count() == 1


# Rate limit


def test_sixth_message_in_an_hour_from_one_address_is_refused(article, client):
    """Five messages an hour per client (questions and reports together); the sixth gets 429."""
    for number in range(5):
        send = ask if number % 2 else report
        assert send(client, article, meta={"REMOTE_ADDR": "203.0.113.7"}).status_code == 302
    response = ask(client, article, meta={"REMOTE_ADDR": "203.0.113.7"})
    assert response.status_code == 429
    assert "You have sent several messages in the last hour; please try again later." in response.content.decode()
    assert QUESTION in response.content.decode()  # kept for the reader to send later
    assert ReaderMessage.objects.count() == 5

    assert ask(client, article, meta={"REMOTE_ADDR": "203.0.113.8"}).status_code == 302
    assert ReaderMessage.objects.count() == 6


def test_forwarded_for_header_does_not_escape_the_limit(article, client):
    """Without a trusted proxy configured, X-Forwarded-For is written by the client, so it is ignored."""
    for number in range(5):
        forwarded = {"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": f"198.51.100.{number}"}
        assert ask(client, article, meta=forwarded).status_code == 302
    response = ask(client, article, meta={"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": "198.51.100.99"})
    assert response.status_code == 429


@pytest.fixture
def behind_proxy(settings):
    """The production layout: one proxy at 10.0.0.5 that appends the client to X-Forwarded-For."""
    settings.VETTED_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.VETTED_TRUSTED_PROXY_COUNT = 1
    settings.VETTED_TRUSTED_PROXY_NETWORKS = ["10.0.0.0/8"]
    return {"REMOTE_ADDR": "10.0.0.5"}


def test_two_readers_behind_the_proxy_are_limited_separately(article, client, behind_proxy):
    """Every request comes from the proxy's address; the limit still counts each reader on their own."""
    for _ in range(5):
        assert ask(client, article, meta={**behind_proxy, "HTTP_X_FORWARDED_FOR": "203.0.113.7"}).status_code == 302
    assert ask(client, article, meta={**behind_proxy, "HTTP_X_FORWARDED_FOR": "203.0.113.7"}).status_code == 429
    assert ask(client, article, meta={**behind_proxy, "HTTP_X_FORWARDED_FOR": "203.0.113.8"}).status_code == 302


def test_a_reader_behind_the_proxy_cannot_escape_the_limit_with_its_own_header(article, client, behind_proxy):
    """Entries the reader writes stay to the left of the one the proxy appends, which is the one counted."""
    for number in range(5):
        forwarded = {**behind_proxy, "HTTP_X_FORWARDED_FOR": f"198.51.100.{number}, 203.0.113.7"}
        assert ask(client, article, meta=forwarded).status_code == 302
    forwarded = {**behind_proxy, "HTTP_X_FORWARDED_FOR": "198.51.100.99, 192.0.2.1, 203.0.113.7"}
    assert ask(client, article, meta=forwarded).status_code == 429


def test_limit_follows_the_setting(article, client, settings):
    """VETTED_FEEDBACK_PER_HOUR sets the allowance."""
    settings.VETTED_FEEDBACK_PER_HOUR = 2
    assert ask(client, article).status_code == 302
    assert ask(client, article).status_code == 302
    assert ask(client, article).status_code == 429


class BrokenCache:
    """A cache that is down, as django-redis reports it with IGNORE_EXCEPTIONS: None for every answer."""

    def add(self, *args, **kwargs):
        return None

    def incr(self, *args, **kwargs):
        return None


def test_the_limit_holds_in_the_process_while_the_cache_is_down(article, client, monkeypatch, caplog):
    """Redis down: each web process counts on its own, so the allowance still holds there; a warning is logged."""
    monkeypatch.setattr(feedback, "cache", BrokenCache())
    with caplog.at_level(logging.WARNING, logger="reader.feedback"):
        for _ in range(5):
            assert ask(client, article).status_code == 302
        assert ask(client, article).status_code == 429
    assert "counting reader messages in this process instead" in caplog.text
    assert ReaderMessage.objects.count() == 5


def test_refused_submissions_do_not_use_up_the_allowance(article, client):
    """A reader fixing a too-short question is not locked out by the attempts."""
    for _ in range(6):
        assert ask(client, article, "Too short").status_code == 400
    assert ask(client, article).status_code == 302


def test_address_is_kept_only_as_a_keyed_hash(article, client):
    """The client key is a 64-character hash; the address itself is stored nowhere."""
    ask(client, article, meta={"REMOTE_ADDR": "203.0.113.7"})
    ask(client, article, meta={"REMOTE_ADDR": "203.0.113.8"})
    first, second = ReaderMessage.objects.order_by("id").values_list("client_key", flat=True)
    assert len(first) == 64
    assert first != second
    assert "203.0.113" not in first


# The forms on the article page


def test_feedback_forms_tag_renders_both_forms(article):
    """{% feedback_forms article %} renders both headings, labels and a hidden honeypot, and no CSRF token."""
    request = RequestFactory().get(article.get_absolute_url())
    template = engines["django"].from_string("{% load feedback %}{% feedback_forms article %}")
    html = template.render({"article": article}, request)
    assert "Have a follow-up question?" in html
    assert "Report an error" in html
    assert f'action="{reverse("reader:question", args=[article.slug])}"' in html
    assert f'action="{reverse("reader:report_error", args=[article.slug])}"' in html
    assert "csrfmiddlewaretoken" not in html
    assert '<label for="question-text">Your question</label>' in html
    assert '<label for="error-report-part">Which part is wrong? (optional)</label>' in html
    assert 'aria-describedby="question-text_helptext"' in html
    assert html.count('<div class="feedback-trap" aria-hidden="true">') == 2
    assert 'name="website" tabindex="-1" autocomplete="off"' in html
    assert 'id="follow-up"' in html
    assert 'id="report-error"' in html


# The editors' queue


def test_editor_starts_a_draft_from_a_question(article):
    """The action creates a draft titled with the question's first line, the editor as author."""
    editor = message_editor()
    message = question_from(article, text=f"{QUESTION}\nMy son is nine.")
    response = logged_in(editor).post(
        reverse("admin:reader_readermessage_changelist"),
        {"action": "start_draft", "_selected_action": [message.pk]},
        follow=True,
    )
    message.refresh_from_db()
    draft = message.draft_article
    assert draft.state == Article.State.DRAFT
    assert draft.title == QUESTION
    assert draft.topic == article.topic
    assert list(draft.authors.all()) == [editor]
    assert message.status == ReaderMessage.Status.IN_PROGRESS
    assert message.handled_by == editor
    assert reverse("admin:articles_article_change", args=[draft.pk]) in response.content.decode()


def test_draft_title_is_cut_to_the_title_length(article):
    """A long question fits the article's title field."""
    message = question_from(article, text="q" * 400)
    logged_in(message_editor()).post(
        reverse("admin:reader_readermessage_changelist"), {"action": "start_draft", "_selected_action": [message.pk]}
    )
    message.refresh_from_db()
    assert message.draft_article.title == "q" * Article._meta.get_field("title").max_length


def test_no_draft_from_an_error_report_or_twice(article):
    """Error reports and questions that already have a draft are refused, with nothing changed."""
    editor = logged_in(message_editor())
    error = ReaderMessage.objects.create(
        kind=ReaderMessage.Kind.ERROR, article=article, version_number=1, text=ERROR, client_key="0" * 64
    )
    existing = ArticleFactory()
    answered = question_from(article, draft_article=existing)
    articles_before = Article.objects.count()
    response = editor.post(
        reverse("admin:reader_readermessage_changelist"),
        {"action": "start_draft", "_selected_action": [error.pk, answered.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "Drafts start from questions; this message is an error report." in html
    assert "A draft has already been started from this question." in html
    assert Article.objects.count() == articles_before
    error.refresh_from_db()
    answered.refresh_from_db()
    assert (error.draft_article, error.status) == (None, ReaderMessage.Status.NEW)
    assert answered.draft_article == existing


def test_board_member_cannot_see_or_change_messages(article):
    """A reviewer has no access to the queue: 403 on the list and the message, status unchanged."""
    message = question_from(article)
    reviewer = logged_in(workflow.reviewer())
    change_url = reverse("admin:reader_readermessage_change", args=[message.pk])
    assert reviewer.get(reverse("admin:reader_readermessage_changelist")).status_code == 403
    assert reviewer.get(change_url).status_code == 403
    assert reviewer.post(change_url, {"status": "dismissed"}).status_code == 403
    message.refresh_from_db()
    assert message.status == ReaderMessage.Status.NEW


def test_editor_changes_the_status_but_not_the_text(article):
    """Status is editable and records who handled the message; the reader's text is read-only."""
    message = question_from(article)
    editor = message_editor()
    change_url = reverse("admin:reader_readermessage_change", args=[message.pk])
    response = logged_in(editor).post(change_url, {"status": "answered", "text": "Rewritten by an editor."})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == ReaderMessage.Status.ANSWERED
    assert message.handled_by == editor
    assert message.text == QUESTION


def test_message_links_to_the_article_admin_and_reader_page(article):
    """The message page links to the source article in the admin and on the reader site."""
    message = question_from(article)
    editor = logged_in(message_editor())
    html = editor.get(reverse("admin:reader_readermessage_change", args=[message.pk])).content.decode()
    assert reverse("admin:articles_article_change", args=[article.pk]) in html
    assert f'href="{article.get_absolute_url()}"' in html
    queue = editor.get(reverse("admin:reader_readermessage_changelist")).content.decode()
    assert "Start a draft article from this question" in queue
