"""Control characters never cause a 500: refused at the door with a clear page, or by the fields with a message."""

from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from articles.models import Article, Claim, Section
from editorial.models import ClaimReview, ReviewReply
from editorial.services import perform_transition, record_claim_review
from reader.models import ReaderMessage
from references.models import Citation, Reference
from tests import workflow
from tests.factories import ReferenceFactory

pytestmark = pytest.mark.django_db

MIDDLEWARE = "config.control_characters.RefuseControlCharactersMiddleware"


def client_for(user=None) -> Client:
    """A client that answers like a server: an exception in a view becomes the 500 page."""
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def assert_refused(response, char: str = "U+0000 (NUL)") -> None:
    assert response.status_code == 400
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert f"Your request contained a control character, {char}, that we cannot accept." in html


# The door


def test_search_for_a_nul_byte_is_refused_with_a_clear_page_not_a_500():
    """/search/?q=%00 answers 400 and says what was wrong and where."""
    response = client_for().get("/search/?q=%00")
    assert_refused(response)
    assert "It was in “q”." in response.content.decode()


@pytest.mark.parametrize(
    "char", ["\x00", "\x01", "\x07", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9f"], ids=lambda c: f"U+{ord(c):04X}"
)
def test_no_text_field_accepts_these_so_no_query_or_form_value_may_carry_them(char):
    """NUL and every control character but tab, LF and CR are refused in query strings and form values."""
    article = workflow.approved()
    client = client_for()
    assert client.get("/search/", {"q": f"tremor{char}"}).status_code == 400
    response = client.post(reverse("reader:question", args=[article.slug]), {"text": f"Why is it so?{char} " * 3})
    assert response.status_code == 400
    assert not ReaderMessage.objects.exists()


def test_line_breaks_and_tabs_pass_in_form_values():
    """A textarea sends CRLF, and people paste tabs: those reach the form, which stores them."""
    article = workflow.approved()
    text = "Does it help children?\r\nAnd\tteenagers?"
    url = reverse("reader:question", args=[article.slug])
    response = client_for().post(url, {"text": text}, HTTP_ORIGIN="http://testserver")  # from the article page
    assert response.status_code == 302
    assert ReaderMessage.objects.get().text == text


@pytest.mark.parametrize(
    ("method", "url", "data", "where"),
    [
        ("get", "/search/", {"q": "tremor\x00"}, "It was in “q”."),
        ("get", "/search/", {"q\x00": "tremor"}, "It was in the name of a field."),
        ("get", "/articles/tremor%00/", {}, "It was in the address."),
        ("get", "/account/digest/stop/abc%00def/", {}, "It was in the address."),
        ("post", "/account/login/", {"username": "maya\x00", "password": "secret"}, "It was in “username”."),
        ("post", "/audience/", {"audience": "patient", "next": "/\x00"}, "It was in “next”."),
    ],
    ids=["query-value", "query-name", "path", "signed-link", "login", "audience"],
)
def test_a_nul_anywhere_in_the_request_is_refused_before_any_view_runs(method, url, data, where):
    """The address, query names and values, and form names and values are all checked."""
    response = getattr(client_for(), method)(url, data)
    assert_refused(response)
    assert where in response.content.decode()


def test_a_line_break_in_the_address_is_refused():
    """No address of the site has a line break in it."""
    assert_refused(client_for().get("/articles/tremor%0D%0Ax/"), "U+000D (CR)")


def test_a_nul_in_the_admin_search_is_refused():
    """The admin's own views (the changelist search here) are behind the same door."""
    response = client_for(workflow.superuser()).get(reverse("admin:articles_article_changelist"), {"q": "\x00"})
    assert_refused(response)


def test_a_cookie_with_a_nul_is_refused_and_forgotten():
    """A forged session cookie holding NUL gets a 400 that also deletes the cookie, so the next request works."""
    client = client_for()
    client.cookies[settings.SESSION_COOKIE_NAME] = "abcdefgh\x00ijklmnop"
    response = client.get(reverse("writing:list"))
    assert_refused(response)
    assert "It was in a cookie." in response.content.decode()
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 0
    assert client.get(reverse("writing:list")).status_code == 302  # to the login page


def test_ordinary_text_passes_the_door():
    """Other scripts, emoji, typographic quotes and percent signs are not control characters."""
    response = client_for().get("/search/", {"q": "β-blocker “tremor” 日本語 🙂 100%"})
    assert response.status_code == 200


def test_the_door_is_in_the_settings_right_after_common_middleware():
    """It answers before sessions, CSRF and authentication read anything."""
    assert MIDDLEWARE in settings.MIDDLEWARE
    common = settings.MIDDLEWARE.index("django.middleware.common.CommonMiddleware")
    assert settings.MIDDLEWARE.index(MIDDLEWARE) == common + 1


# The author's workspace: every POST of writing/urls.py, every input


@pytest.fixture
def draft():
    """An article with changes requested, so every editor action (answering comments too) is open."""
    writer, board_member = workflow.author(), workflow.reviewer()
    article = workflow.under_review(workflow.ready_article(by=writer), by=board_member)
    claim = Claim.objects.filter(article=article).exclude(section=None).first()
    review = record_claim_review(claim, by=board_member, verified=False, comment="Which trial shows this?")
    perform_transition(article, "request_changes", by=board_member, comment="One claim needs a source.")
    reference = ReferenceFactory(title="A placeholder", source="", year=None)
    article.gathered_references.add(reference)
    return SimpleNamespace(
        article=article,
        writer=writer,
        section=Section.objects.filter(article=article).first(),
        claim=claim,
        citation=Citation.objects.filter(claim=claim).first(),
        reference=reference,
        review=review,
    )


def reference_fields(prefix: str = "") -> dict:
    fields = {
        "kind": "guideline",
        "title": "Hiccups: a clinical guideline",
        "authors": "Doe J",
        "source": "Neurology",
        "year": "2019",
        "volume": "12",
        "issue": "3",
        "pages": "1-9",
        "doi": "10.1212/wnl.0b013e318236f0fd",
        "pmid": "22013182",
        "url": "https://example.org/hiccups",
    }
    return {f"{prefix}{name}": value for name, value in fields.items()}


WORKSPACE_ACTIONS = {
    "article": lambda d: {"title": "What helps hiccups?", "headline": "Short answer"},
    "answer": lambda d: {"text": "Usually nothing.", "plain_language": "They stop by themselves."},
    "add_section": lambda d: {"heading": "Dosing", "parent": str(d.section.uuid)},
    "update_section": lambda d: {"section": str(d.section.uuid), "heading": "Dosing", "intro": "How much."},
    "delete_section": lambda d: {"section": str(d.section.uuid)},
    "add_claim": lambda d: {
        "section": str(d.section.uuid),
        "parent": str(d.claim.uuid),
        "text": "A new claim.",
        "plain_language": "In plain words.",
    },
    "update_claim": lambda d: {"claim": str(d.claim.uuid), "text": "Changed.", "plain_language": "Plainly."},
    "delete_claim": lambda d: {"claim": str(d.claim.uuid)},
    "move": lambda d: {"kind": "claim", "uuid": str(d.claim.uuid), "direction": "down"},
    "cite": lambda d: {"claim": str(d.claim.uuid), "reference": str(d.reference.pk)},
    "uncite": lambda d: {"citation": str(d.citation.pk)},
    "answer_comment": lambda d: {"review": str(d.review.pk), "text": "Added the 2019 trial."},
    "add_reference": lambda d: reference_fields(),
    "update_reference": lambda d: {"reference": str(d.reference.pk), **reference_fields(f"ref{d.reference.pk}-")},
    "paste_references": lambda d: {"paste-text": "10.1212/WNL.0b013e318236f0fd", "paste-fmt": "auto"},
    "import_markdown": lambda d: {"markdown-text": "## Causes\n\n- Hiccups have many causes."},
}


def form_for(draft, action: str) -> dict:
    version = Article.objects.get(pk=draft.article.pk).edit_version
    return {"action": action, "version": str(version), "anchor": "#sections", **WORKSPACE_ACTIONS[action](draft)}


def with_char(value: str, char: str) -> str:
    middle = len(value) // 2
    return f"{value[:middle]}{char}{value[middle:]}"


def everything() -> dict:
    """Every row the workspace can write, as comparable values."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Article, Section, Claim, Citation, Reference, ReviewReply, ClaimReview)
    } | {"gathered": list(Article.gathered_references.through.objects.order_by("pk").values())}


@pytest.mark.parametrize("action", list(WORKSPACE_ACTIONS))
def test_a_nul_in_any_input_of_any_workspace_form_changes_nothing(draft, action):
    """Each input in turn, the hidden ones too: a clear 400, never a 500, and no row written."""
    client = client_for(draft.writer)
    url = reverse("writing:edit", args=[draft.article.pk])
    form = form_for(draft, action)
    before = everything()
    for name, value in form.items():
        response = client.post(url, {**form, name: with_char(value, "\x00")})
        assert_refused(response)
        assert everything() == before, name


def test_the_workspace_forms_still_work_without_the_nul(draft):
    """The payloads above are real: without the NUL each action is carried out."""
    client = client_for(draft.writer)
    url = reverse("writing:edit", args=[draft.article.pk])
    for action in ("article", "answer", "update_section", "add_reference", "answer_comment"):
        before = everything()
        assert client.post(url, form_for(draft, action)).status_code == 302
        assert everything() != before, action


def test_a_nul_in_a_new_articles_question_or_a_transitions_address_changes_nothing(draft):
    """The other two POST endpoints of writing/urls.py."""
    client = client_for(draft.writer)
    before = everything()
    assert_refused(client.post(reverse("writing:new"), {"title": "What helps\x00hiccups?"}))
    assert_refused(client.post(f"/write/{draft.article.pk}/sub%00mit/"))
    assert_refused(client.post(reverse("writing:transition", args=[draft.article.pk, "submit"]), {"x": "\x00"}))
    assert everything() == before


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize(
    ("action", "name", "message"),
    [
        ("article", "title", "The question must be on one line."),
        ("article", "headline", "The headline must be on one line."),
        ("add_section", "heading", "The heading must be on one line."),
        ("update_section", "heading", "The heading must be on one line."),
    ],
)
def test_a_line_break_in_a_one_line_input_is_refused_by_name(draft, action, name, message):
    """The workspace shows the field's rule and keeps the article as it was."""
    client = client_for(draft.writer)
    url = reverse("writing:edit", args=[draft.article.pk])
    before = everything()
    form = form_for(draft, action)
    response = client.post(url, {**form, name: with_char(form[name], "\r\n")}, follow=True)
    assert message in messages_of(response)
    assert everything() == before


def test_a_line_break_in_a_references_title_is_shown_on_its_form(draft):
    """The reference form shows the error beside the title; the library is unchanged."""
    client = client_for(draft.writer)
    before = everything()
    form = form_for(draft, "add_reference")
    response = client.post(reverse("writing:edit", args=[draft.article.pk]), {**form, "title": "Hiccups\r\nguideline"})
    assert response.status_code == 400
    assert response.context["reference_form"].errors["title"] == ["The title must be on one line."]
    assert everything() == before


def test_a_new_articles_question_must_be_one_line(draft):
    """The “new article” form refuses a question with a line break, by name."""
    client = client_for(draft.writer)
    response = client.post(reverse("writing:new"), {"title": "What helps\r\nhiccups?"})
    assert response.status_code == 200
    assert response.context["form"].errors["title"] == ["The question must be on one line."]
    assert not Article.objects.filter(title__contains="hiccups").exists()


@pytest.mark.parametrize(
    ("action", "name", "label"),
    [
        ("article", "title", "question"),
        ("answer", "text", "claim"),
        ("update_section", "intro", "intro"),
        ("update_claim", "plain_language", "plain-language text"),
        ("answer_comment", "text", "answer"),
    ],
)
def test_the_fields_refuse_a_nul_by_themselves_behind_the_door(draft, settings, action, name, label):
    """With the middleware taken out, the model fields still refuse NUL with a message, never a 500."""
    settings.MIDDLEWARE = [entry for entry in settings.MIDDLEWARE if entry != MIDDLEWARE]
    client = client_for(draft.writer)
    before = everything()
    form = form_for(draft, action)
    response = client.post(
        reverse("writing:edit", args=[draft.article.pk]), {**form, name: with_char(form[name], "\x00")}, follow=True
    )
    assert f"Remove the control character U+0000 (NUL) from the {label}." in messages_of(response)
    assert everything() == before


def test_the_refusal_page_is_plain_and_needs_no_session():
    """The page names the character but never echoes what was sent."""
    response = client_for().get("/search/", {"q": "<script>\x00"})
    html = response.content.decode()
    assert "<script>" not in html
    assert "Remove it and try again" in html
