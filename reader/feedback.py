"""Readers' follow-up questions and error reports, sent from a published article's page.

Both forms post here (no JavaScript needed), are checked for length and content, carry a
honeypot for bots, and are rate-limited per client through the cache. They carry no CSRF token,
which would set a cookie on the cached article page: `reader.http.same_origin_post` refuses
posts from other sites instead. A sent message redirects to the article with ``?sent=<kind>``,
which shows the thank-you (no cookie, no session); a refused submission stores nothing. Editors
work through the messages in the board's workspace (`editorial.admin.records`), where a question
can become a new draft article (`editorial.services.start_draft_from_question`).
"""

import logging
import re

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.views.decorators.http import require_POST

from articles.models import Article
from articles.text import MultiLineValidator, SingleLineValidator
from config.client_ip import client_ip
from reader.http import same_origin_post
from reader.models import ReaderMessage

logger = logging.getLogger(__name__)

HONEYPOT = "website"
AUDIENCE_COOKIE = "audience"
SENT = "sent"  # the query parameter naming what was sent, on the article page after a post
MIN_TEXT = 15
MAX_LINKS = 3
URL_PATTERN = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
RATE_WINDOW_SECONDS = 60 * 60
RATE_LIMITED = "You have sent several messages in the last hour; please try again later."


class ReaderMessageForm(forms.Form):
    """What both forms share: the text rules, an optional reply address and the honeypot."""

    kind: str
    url_name: str
    id_prefix: str  # keeps field ids unique with both forms on one page
    anchor: str  # where the reader lands on the article page afterwards
    heading: str  # of the page that shows a refused submission again
    submit_label: str
    thanks: str
    links_only: str

    email = forms.EmailField(
        label="Your email (optional)",
        required=False,
        help_text="Only if you would like a reply. We use it for nothing else.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    # The honeypot: hidden from people (CSS, aria-hidden, out of the tab order); bots fill it in.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    @property
    def caught_in_honeypot(self) -> bool:
        """A person never sees the honeypot, so anything in it means a bot sent the form."""
        return bool(self.data.get(HONEYPOT, "").strip())

    def reader_fields(self):
        """The fields a person sees, in order (the honeypot is rendered on its own)."""
        return [self[name] for name in self.fields if name != HONEYPOT]

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        links = URL_PATTERN.findall(text)
        if len(links) > MAX_LINKS:
            raise ValidationError(
                "Please include at most %(max)d links, and describe the rest in words.",
                code="too_many_links",
                params={"max": MAX_LINKS},
            )
        if links and len(URL_PATTERN.sub("", text).strip()) < MIN_TEXT:
            raise ValidationError(self.links_only, code="links_only")
        return text

    def message_fields(self) -> dict:
        """The cleaned values a ReaderMessage stores."""
        return {name: value for name, value in self.cleaned_data.items() if name != HONEYPOT}


def _text_field(*, label: str, help_text: str, max_length: int, rows: int) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        min_length=MIN_TEXT,
        max_length=max_length,
        validators=[MultiLineValidator("message")],
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": "Please write your message before sending it.",
            "min_length": "Please write at least %(limit_value)d characters so the editors can understand you "
            "(you wrote %(show_value)d).",
            "max_length": "Please keep it under %(limit_value)d characters (you wrote %(show_value)d).",
        },
    )


class QuestionForm(ReaderMessageForm):
    kind = ReaderMessage.Kind.QUESTION
    url_name = "reader:question"
    id_prefix = "question"
    anchor = "feedback"
    heading = "Check your question"
    submit_label = "Send my question"
    thanks = "Thank you — your question has been sent to our editors."
    links_only = "Please describe your question in words; links alone cannot be reviewed."

    text = _text_field(
        label="Your question",
        help_text="What would you like this article to answer? Please leave out names and personal health "
        "details: the editors cannot give personal medical advice.",
        max_length=2000,
        rows=5,
    )

    field_order = ["text", "email", HONEYPOT]


class ErrorReportForm(ReaderMessageForm):
    kind = ReaderMessage.Kind.ERROR
    url_name = "reader:report_error"
    id_prefix = "error-report"
    anchor = "feedback"
    heading = "Check your error report"
    submit_label = "Send my report"
    thanks = "Thank you — your report has been sent to our editors, who will check it."
    links_only = "Please describe the error in words; links alone cannot be reviewed."

    text = _text_field(
        label="What is wrong?",
        help_text="Say what you think is wrong and, if you can, what the correct information is and where it "
        "comes from.",
        max_length=4000,
        rows=6,
    )
    part = forms.CharField(
        label="Which part is wrong? (optional)",
        required=False,
        max_length=200,
        validators=[SingleLineValidator("part")],
        help_text="A claim or reference number, a heading, or a few words from the sentence.",
        error_messages={"max_length": "Please keep this under %(limit_value)d characters (you wrote %(show_value)d)."},
    )

    field_order = ["text", "part", "email", HONEYPOT]


def client_key(request) -> str:
    """Identify the client without keeping its address: a hash of its address keyed with SECRET_KEY.

    The address is ``client_ip``'s: behind the trusted proxy, the one the proxy saw, never what a
    client wrote into X-Forwarded-For itself (which would let it rotate identities).
    """
    address = client_ip(request)
    # The salt keeps its name from before this module moved, so the keys of kept messages still match.
    return salted_hmac("editorial.feedback.client_key", address, algorithm="sha256").hexdigest()


# Where submissions are counted while the shared cache is down: this process's memory.
fallback_cache = LocMemCache("reader-feedback-rate", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


def allow_submission(key: str) -> bool:
    """Count one submission for the client; False once it is over the hourly allowance.

    ``cache.add`` starts the hour's count and ``cache.incr`` adds to it; both are atomic on
    Redis and in local memory, so simultaneous posts cannot slip past the limit. With Redis
    down (django-redis answers None), each web process counts in its own memory instead and
    logs a warning: the allowance then holds per process rather than not at all, so an outage
    never opens the editors' queue to a flood, and the form keeps working.
    """
    cache_key = f"reader:feedback-rate:{key}"
    count = _count(cache, cache_key)
    if count is None:
        logger.warning("The cache did not answer: counting reader messages in this process instead.")
        count = _count(fallback_cache, cache_key)
    return count <= settings.VETTED_FEEDBACK_PER_HOUR


def _count(store, cache_key: str) -> int | None:
    """Add one to the hour's count in ``store``; None when the store did not answer."""
    added = store.add(cache_key, 1, timeout=RATE_WINDOW_SECONDS)
    if added is None:
        return None
    if added:
        return 1
    try:
        return store.incr(cache_key)
    except ValueError:  # the hour ran out between add() and incr(): this starts a new one
        return 1 if store.add(cache_key, 1, timeout=RATE_WINDOW_SECONDS) is not None else None


def file_reader_message(
    *, article: Article, kind: str, text: str, email: str = "", part: str = "", audience: str = "", client: str
) -> ReaderMessage:
    """Store a reader's message against the approved version readers are shown now."""
    return ReaderMessage.objects.create(
        kind=kind,
        article=article,
        version_number=article.live_version.number,
        text=text,
        email=email,
        part=part,
        audience=audience if audience in ReaderMessage.Audience.values else "",
        client_key=client,
    )


def thanks_for(kind: str) -> str:
    """The thank-you shown after a message of ``kind`` was sent ("" for anything else)."""
    return {form.kind: form.thanks for form in (QuestionForm, ErrorReportForm)}.get(kind, "")


@same_origin_post
@require_POST
def question(request, slug: str):
    """File a reader's follow-up question for the editors."""
    return _receive(request, slug, QuestionForm)


@same_origin_post
@require_POST
def report_error(request, slug: str):
    """File a reader's error report for the editors."""
    return _receive(request, slug, ErrorReportForm)


def _receive(request, slug: str, form_class: type[ReaderMessageForm]):
    # Only what readers can see: a never-approved or withdrawn article is not there to write about.
    article = get_object_or_404(Article.objects.published().select_related("live_version"), live_version__slug=slug)
    form = form_class(request.POST)
    if form.caught_in_honeypot:
        return _sent(request, article, form)  # answer as if it worked, so the bot learns nothing
    if not form.is_valid():
        return _invalid(request, article, form, status=400)
    key = client_key(request)
    if not allow_submission(key):
        form.add_error(None, ValidationError(RATE_LIMITED, code="rate_limited"))
        return _invalid(request, article, form, status=429)
    file_reader_message(
        article=article,
        kind=form.kind,
        audience=request.COOKIES.get(AUDIENCE_COOKIE, ""),
        client=key,
        **form.message_fields(),
    )
    return _sent(request, article, form)


def _sent(request, article: Article, form: ReaderMessageForm):
    """Back to the article at the forms, whose address says what was sent (its page thanks the reader)."""
    return redirect(f"{article.get_absolute_url()}?{SENT}={form.kind}#{form.anchor}")


def _invalid(request, article: Article, form: ReaderMessageForm, *, status: int) -> TemplateResponse:
    """Show the form again with what the reader typed and what to fix."""
    context = {
        "article": article,
        # The approved title, as the reader saw it (a revision may be rewording the question).
        "title": article.live_version.document.get("title", article.title),
        "form": form,
        "action": reverse(form.url_name, args=[article.live_version.slug]),
    }
    return TemplateResponse(request, "reader/feedback_invalid.html", context, status=status)
