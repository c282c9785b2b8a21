"""The text rules: one-line fields (page titles, e-mail headers) and multi-line fields, never control characters."""

from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.test import Client
from django.urls import reverse

from articles.models import Article, Claim, Section, Topic
from articles.text import MultiLineValidator, SingleLineValidator, character_name, one_line
from editorial.forms import DeclineForm
from editorial.models import ClaimReview, ReviewReply
from editorial.services import start_draft_from_question
from pages.models import BoardMember, EditorialPolicy
from reader.feedback import QuestionForm
from reader.models import ReaderMessage
from references.models import Reference
from tests import workflow
from tests.editorial.test_admin import logged_in
from tests.factories import ArticleFactory, SectionFactory
from writing.forms import MarkdownForm, PasteReferencesForm

LINE_BREAKS = ["A\r\nB", "A\nB", "A\rB", "A\u2028B", "A\u2029B"]
CONTROL_CHARACTERS = ["\x00", "\t", "\x07", "\x0b", "\x1b", "\x7f", "\x85", "\x9f"]


def error_of(validator, value) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validator(value)
    return caught.value


# The validators


@pytest.mark.parametrize("value", LINE_BREAKS)
def test_single_line_text_refuses_a_line_break_naming_the_field(value):
    """CR, LF, CRLF and the Unicode line and paragraph separators: “The question must be on one line.”"""
    error = error_of(SingleLineValidator("question"), value)
    assert error.code == "line_break"
    assert error.messages == ["The question must be on one line."]


@pytest.mark.parametrize("char", CONTROL_CHARACTERS)
def test_single_line_text_refuses_nul_tabs_and_every_other_control_character(char):
    """C0 (NUL and tab included), DEL and C1 are refused, and the message names the character."""
    error = error_of(SingleLineValidator("heading"), f"Treatment{char}options")
    assert error.code == "control_character"
    assert error.messages == [f"Remove the control character {character_name(char)} from the heading."]


def test_the_message_names_nul_by_its_code_point_and_name():
    """A reader of the message can find the character: “U+0000 (NUL)”."""
    error = error_of(SingleLineValidator("question"), "What\x00?")
    assert error.messages == ["Remove the control character U+0000 (NUL) from the question."]
    assert character_name("\x07") == "U+0007 (BEL)"
    assert character_name("\x7f") == "U+007F (DEL)"
    assert character_name("\x85") == "U+0085"
    assert character_name("\u2028") == "U+2028 (LINE SEPARATOR)"


@pytest.mark.parametrize(
    "value", ["Is propranolol safe in pregnancy?", "β-blockers “first line” — 日本語 🙂", "Smith  J, Doe\u00a0R"]
)
def test_single_line_text_accepts_ordinary_unicode(value):
    """Greek letters, typographic quotes, dashes, other scripts, emoji and no-break spaces are text."""
    SingleLineValidator("question")(value)


def test_multi_line_text_accepts_line_breaks_and_tabs():
    """LF, CRLF (what a browser's textarea sends) and tabs are fine in long text."""
    MultiLineValidator("claim")("First line\nsecond\r\nthird\twith a tab\u2028and a separator")


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x0b", "\x0c", "\x1b", "\x7f", "\x85"])
def test_multi_line_text_refuses_nul_and_other_control_characters(char):
    """Everything but LF, CRLF and tab among the control characters is refused, by name."""
    error = error_of(MultiLineValidator("claim"), f"First line\r\nsecond{char}line")
    assert error.code == "control_character"
    assert error.messages == [f"Remove the control character {character_name(char)} from the claim."]


def test_multi_line_text_refuses_a_carriage_return_without_a_line_feed():
    """A lone CR is not a line break any reader shows; CRLF is."""
    error = error_of(MultiLineValidator("claim"), "First line\rsecond")
    assert error.messages == ["Remove the control character U+000D (CR) from the claim."]


def test_one_line_collapses_breaks_tabs_spaces_and_control_characters():
    """What a header can always carry: one line, single spaces, no control characters."""
    assert one_line("  What is\r\n the\ttreatment\x00 for\u2028tremor?\x07 ") == "What is the treatment for tremor?"


# The fields


SINGLE_LINE_FIELDS = [
    (Article, "title", "question"),
    (Article, "headline", "headline"),
    (Section, "heading", "heading"),
    (Topic, "name", "name"),
    (Reference, "title", "title"),
    (Reference, "authors", "authors"),
    (Reference, "source", "source"),
    (Reference, "volume", "volume"),
    (Reference, "issue", "issue"),
    (Reference, "pages", "pages"),
    (Reference, "doi", "DOI"),
    (Reference, "url", "URL"),
    (BoardMember, "name", "name"),
    (BoardMember, "credentials", "credentials"),
    (BoardMember, "specialty", "specialty"),
    (BoardMember, "affiliation", "affiliation"),
    (EditorialPolicy, "title", "title"),
    (EditorialPolicy, "summary", "summary"),
    (get_user_model(), "first_name", "first name"),
    (get_user_model(), "last_name", "last name"),
    (get_user_model(), "credentials", "credentials"),
    (get_user_model(), "email", "email address"),
    (ReaderMessage, "part", "part reported"),
    (ReaderMessage, "email", "email"),
]

MULTI_LINE_FIELDS = [
    (Claim, "text", "claim"),
    (Claim, "plain_language", "plain-language text"),
    (Section, "intro", "intro"),
    (Topic, "description", "description"),
    (BoardMember, "bio", "short bio"),
    (BoardMember, "disclosures", "disclosures"),
    (EditorialPolicy, "body", "body"),
    (ReaderMessage, "text", "message"),
    (ClaimReview, "comment", "comment"),
    (ReviewReply, "text", "answer"),
]


@pytest.mark.parametrize(("model", "name", "label"), SINGLE_LINE_FIELDS)
def test_fields_that_become_titles_or_headers_are_one_line(model, name, label):
    """Each such field refuses a line break with its own name, and a NUL byte by name."""
    field = model._meta.get_field(name)
    with pytest.raises(ValidationError) as caught:
        field.run_validators("A\r\nB")
    assert f"The {label} must be on one line." in caught.value.messages
    with pytest.raises(ValidationError) as caught:
        field.run_validators("A\x00B")
    assert f"Remove the control character U+0000 (NUL) from the {label}." in caught.value.messages


@pytest.mark.parametrize(("model", "name", "label"), MULTI_LINE_FIELDS)
def test_long_text_fields_keep_line_breaks_and_refuse_control_characters(model, name, label):
    """Each long text field takes CRLF and tabs, and refuses NUL by name."""
    field = model._meta.get_field(name)
    field.run_validators("First paragraph.\r\n\r\nSecond,\twith a tab.")
    with pytest.raises(ValidationError) as caught:
        field.run_validators("First paragraph.\x00")
    assert caught.value.messages == [f"Remove the control character U+0000 (NUL) from the {label}."]


# Text written only by the application, never typed into a form, or already held to a stricter pattern.
NOT_TYPED = {
    "accounts.User.password": "a password hash",
    "accounts.User.username": "Django's username validator allows letters, digits and @.+-_ only",
    "editorial.ArticleVersion.content_hash": "computed",
    "editorial.ArticleVersion.search_text": "computed from validated content",
    "editorial.ArticleVersion.search_headings": "computed from validated content",
    "editorial.TransitionLog.transition": "a transition's name",
    "editorial.TransitionLog.from_state": "a state",
    "editorial.TransitionLog.to_state": "a state",
    "editorial.TransitionLog.actor_name": "copied from the validated user's names",
    "editorial.TransitionLog.content_hash": "computed",
    "editorial.ReviewAssignment.approved_content_hash": "computed",
    "editorial.ClaimReview.claim_fingerprint": "computed",
    "editorial.Notification.key": "computed",
    "editorial.Notification.email": "copied from the recipient's validated address",
    "editorial.Notification.subject": "built by editorial.notifications.subject_line",
    "editorial.Notification.body_text": "rendered from a template",
    "editorial.Notification.body_html": "rendered from a template",
    "editorial.Notification.last_error": "the mail backend's error",
    "editorial.Notification.cancelled_because": "written by editorial.notifications",
    "editorial.PurgeRequest.keys": "surrogate keys named by reader.surrogate",
    "editorial.PurgeRequest.reason": "written by editorial.purges",
    "editorial.PurgeRequest.last_error": "the caches' errors",
    "editorial.PurgeRequest.note": "what the caches answered",
    "reader.ReaderMessage.client_key": "a keyed hash",
    "editorial.ReviewReply.author_name": "copied from the validated user's names",
    "references.Reference.pmid": "digits only (validate_pmid)",
}


def test_every_text_field_people_type_has_a_text_rule():
    """A new CharField or TextField is refused here until it says whether it is one line or several."""
    missing = []
    for app in ("accounts", "articles", "editorial", "pages", "references"):
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical"):
                continue  # django-simple-history copies the fields, validators included
            for field in model._meta.get_fields():
                if not isinstance(field, models.CharField | models.TextField) or isinstance(field, models.SlugField):
                    continue
                if field.choices or not field.editable:
                    continue
                key = f"{app}.{model.__name__}.{field.name}"
                rules = [v for v in field.validators if isinstance(v, SingleLineValidator | MultiLineValidator)]
                if not rules and key not in NOT_TYPED:
                    missing.append(key)
    assert missing == []


# Where they are saved


@pytest.mark.django_db
def test_full_clean_refuses_a_question_with_a_line_break():
    """Services that call full_clean() refuse it, on the title, with the field's name."""
    article = ArticleFactory()
    article.title = "What is the treatment\r\nfor essential tremor?"
    with pytest.raises(ValidationError) as caught:
        article.full_clean()
    assert caught.value.message_dict["title"] == ["The question must be on one line."]


class FormParser(HTMLParser):
    """Collect what a browser would submit from the form with ``form_id``: inputs, selects, textareas."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "name" not in attrs and tag != "option":
            return
        if tag == "input" and attrs.get("type") not in ("submit", "button", "file", "image"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.data.append((attrs["name"], attrs.get("value", "on" if "checked" in attrs else "")))
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.append((self._select, attrs.get("value", "")))
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.data.append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None


def submitted_form(html: str, form_id: str) -> dict:
    parser = FormParser(form_id)
    parser.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in parser.data:
        data.setdefault(name, []).append(value)
    return data


@pytest.mark.django_db
def test_admin_change_form_refuses_a_question_with_a_line_break():
    """Saving “…\\r\\n…” as the question in the admin shows the form again with the error; nothing is saved."""
    article = workflow.ready_article(title="What is the treatment for tremor?")
    SectionFactory(article=article, heading="Dosing")
    client = logged_in(workflow.editor())
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = submitted_form(client.get(url).content.decode(), "article_form")
    assert data["title"] == ["What is the treatment for tremor?"]

    response = client.post(url, {**data, "title": "What is the treatment\r\nfor tremor?"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["title"] == ["The question must be on one line."]
    assert Article.objects.get(pk=article.pk).title == "What is the treatment for tremor?"

    response = client.post(url, {**data, "headline": "Short answer"})
    assert response.status_code == 302  # the same form, without the line break, saves
    assert Article.objects.get(pk=article.pk).headline == "Short answer"


@pytest.mark.django_db
def test_admin_user_form_refuses_a_name_with_a_line_break():
    """A person's name is shown in notices and bylines: the user admin refuses a line break in it."""
    person = workflow.reviewer(first_name="Maya", last_name="Okafor")
    client = logged_in(workflow.superuser())
    url = reverse("admin:accounts_user_change", args=[person.pk])
    data = submitted_form(client.get(url).content.decode(), "user_form")
    response = client.post(url, {**data, "last_name": "Okafor\r\nBcc: someone@example.org"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["last_name"] == ["The last name must be on one line."]
    person.refresh_from_db()
    assert person.last_name == "Okafor"


@pytest.mark.django_db
def test_readers_error_report_refuses_a_line_break_in_the_part_named():
    """The “which part” input is one line: the form comes back with the error, and nothing is stored."""
    article = workflow.approved()
    response = Client().post(
        reverse("reader:report_error", args=[article.slug]),
        {"text": "The dose in the second claim looks ten times too high.", "part": "Claim 2\r\nand 3"},
        HTTP_ORIGIN="http://testserver",  # sent from the article page (reader.http.same_origin_post)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["part"] == ["The part must be on one line."]
    assert not ReaderMessage.objects.exists()


@pytest.mark.django_db
def test_a_draft_started_from_a_question_has_a_one_line_title():
    """The question's first line becomes the title, tabs and runs of spaces made single spaces."""
    article = workflow.approved()
    message = ReaderMessage.objects.create(
        kind=ReaderMessage.Kind.QUESTION,
        article=article,
        version_number=1,
        text="Does it help\tchildren   under twelve?\r\nMy son is ten.",
        client_key="0" * 64,
    )
    draft = start_draft_from_question(message, by=workflow.editor())
    assert draft.title == "Does it help children under twelve?"
    draft.full_clean()


@pytest.mark.parametrize(
    ("form", "name", "label"),
    [
        (DeclineForm, "reason", "reason"),
        (QuestionForm, "text", "message"),
        (PasteReferencesForm, "text", "pasted references"),
        (MarkdownForm, "text", "pasted Markdown"),
    ],
)
def test_free_text_forms_refuse_control_characters_by_name(form, name, label):
    """Forms whose text is not a model field's apply the multi-line rule themselves."""
    bound = form({name: "A reason that is long enough,\r\nwith a vertical tab\x0b in it."})
    assert f"Remove the control character U+000B (VT) from the {label}." in bound.errors[name]
