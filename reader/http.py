"""HTTP for the reader site: pages a shared cache may store, and form posts checked by their origin.

**Shared pages.** An anonymous reader's page depends only on its address and, for articles, the
``audience`` cookie, so a shared cache (Varnish) may store it. A view wrapped in `reader_page`
declares what it shows with `Shown` (validators and surrogate keys); the decorator then sends

- ``Cache-Control: public, max-age=0, s-maxage=…, stale-while-revalidate=30, stale-if-error=…``:
  the shared cache keeps the page for ``VETTED_SHARED_CACHE_SECONDS`` (a purge by surrogate key
  drops it sooner, see `reader.surrogate`) and browsers revalidate every time;
- a strong ``ETag`` and, where the page has one, ``Last-Modified``; a request holding either
  gets ``304 Not Modified`` (`Shown.answer`), with the same headers;
- ``xkey``: the page's surrogate keys, space-separated;
- ``X-Audience`` on pages that differ by audience: the variant served (``none`` when the reader
  has not chosen). The response never says ``Vary: Cookie``; the shared cache adds the
  ``audience`` cookie's value to its cache key instead (Varnish's ``vcl_hash``), and the ETag
  differs per audience, so a browser that changes its choice never gets the other variant's 304.

Nothing on such a page may set a cookie or read the session: no CSRF token, no ``messages``, and
``request.user`` is anonymous without a session cookie. A response that did anyway, a request
carrying a session cookie (someone signed in: the footer shows their workspace), and every
response the view declared nothing for (a 404, a redirect, the "thank you" after a question)
get ``Cache-Control: private, no-store`` and none of the headers above.

**Posts without a CSRF cookie.** The reader's forms (audience, follow-up question, error report)
carry no CSRF token, because a token sets a cookie on the page. `same_origin_post` protects
them instead: a post is accepted only from the site's own origin, as the browser states it in
``Origin`` (or, without one, ``Referer``), and never when ``Sec-Fetch-Site`` says cross-site.

This module imports nothing from the project's apps (only `reader.surrogate`), so the workflow's
reader-facing views use it without depending on the reader's views.
"""

import functools
import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, is_same_domain
from django.views.decorators.csrf import csrf_exempt

from reader import surrogate

logger = logging.getLogger(__name__)

PRIVATE = "private, no-store"
STALE_WHILE_REVALIDATE_SECONDS = 30
# Varnish refuses a response header over 8 KB (http_resp_hdr_len). A listing whose article keys
# would not fit in half that is found by "listings" instead, which the workflow purges with every
# approval, withdrawal and reinstatement (editorial.purges): all that changes a listed article.
XKEY_MAX_LENGTH = 4096
# Headers that let a cache store, validate or purge a response: never on a private one.
SHARED_HEADERS = ("ETag", "Last-Modified", "xkey", "X-Audience", "Expires")
REFUSED = (
    "This form can only be sent from Vetted's own pages. Go back to the article, reload it and send the form "
    "again from there."
)


def shared_cache_control() -> str:
    return (
        f"public, max-age=0, s-maxage={settings.VETTED_SHARED_CACHE_SECONDS}, "
        f"stale-while-revalidate={STALE_WHILE_REVALIDATE_SECONDS}, "
        f"stale-if-error={settings.VETTED_STALE_IF_ERROR_SECONDS}"
    )


@functools.cache
def templates_digest() -> str:
    """A digest of every template in the project's template folders, read once per process.

    Part of every reader ETag and of the article page cache's key: a deployment that changes
    how pages look changes their ETags, so no browser keeps the old look through a 304.
    """
    digest = hashlib.sha256()
    for folder in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(Path(folder).rglob("*.html")):
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def is_signed_in(request: HttpRequest) -> bool:
    """Whether the request carries a session cookie: only signed-in people have one on this site."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES


@dataclass(frozen=True)
class Shown:
    """What a reader response shows: its validators and the surrogate keys a purge finds it by.

    ``audience`` is set only on pages that differ by audience: the variant served ("" for none).
    """

    etag: str
    keys: tuple[str, ...]
    last_modified: datetime | None = None
    audience: str | None = None

    @classmethod
    def of(
        cls,
        *parts: object,
        keys: Iterable[str],
        last_modified: datetime | None = None,
        audience: str | None = None,
    ) -> "Shown":
        """Describe a page by the ``parts`` its content follows from (ids, hashes, names) and its keys.

        The strong ETag is a digest of ``parts`` and the templates; every page also gets the
        ``site`` key.
        """
        source = "\x1f".join(str(part) for part in (templates_digest(), *parts))
        etag = f'"{hashlib.sha256(source.encode()).hexdigest()[:32]}"'
        unique = tuple(dict.fromkeys(key for key in (*keys, surrogate.SITE) if key))
        return cls(etag=etag, keys=unique, last_modified=last_modified, audience=audience)

    def answer(self, request: HttpRequest, render: Callable[[], HttpResponse]) -> HttpResponse:
        """304 when the request already holds this page (its validators match), else ``render()``."""
        return self.attach(self.not_modified(request) or render())

    def not_modified(self, request: HttpRequest) -> HttpResponse | None:
        """A 304 (or 412) answering the request's conditional headers, or None to send the page.

        If-None-Match decides when present, else If-Modified-Since (RFC 9110, as Django does).
        Signed-in people are never answered from validators: their pages are not stored.
        """
        if is_signed_in(request) or request.method not in ("GET", "HEAD"):
            return None
        last_modified = int(self.last_modified.timestamp()) if self.last_modified else None
        return get_conditional_response(request, etag=self.etag, last_modified=last_modified)

    def attach(self, response: HttpResponse) -> HttpResponse:
        """Mark ``response`` as showing this; `reader_page` turns it into headers."""
        response.shown = self
        return response


def reader_page(view):
    """Send ``view``'s responses with the shared cache's headers where they may be shared, else privately.

    Shared: anonymous requests whose response the view described with `Shown.attach`. Private
    (``private, no-store``): everything else. A 404 is answered here, so it is private too.
    """

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        signed_in = is_signed_in(request)
        if not signed_in:
            # Nobody is signed in without a session cookie; asking the session would add Vary: Cookie.
            request.user = AnonymousUser()
        try:
            response = view(request, *args, **kwargs)
        except Http404 as error:
            response = response_for_exception(request, error)
        return with_cache_headers(request, response, signed_in=signed_in)

    return wrapped


def with_cache_headers(request: HttpRequest, response: HttpResponse, *, signed_in: bool) -> HttpResponse:
    """The shared cache's headers for a response the view described with `Shown.attach`, sent to
    nobody signed in and with nothing personal in it; ``private, no-store`` for any other."""
    shown = getattr(response, "shown", None)
    if signed_in or shown is None or not _nothing_personal(request, response):
        return private(response)
    return _shared(response, shown)


def private(response: HttpResponse) -> HttpResponse:
    """For this browser only, never stored: ``private, no-store`` and no validator or key."""
    for header in SHARED_HEADERS:
        response.headers.pop(header, None)
    response["Cache-Control"] = PRIVATE
    return response


def _nothing_personal(request: HttpRequest, response: HttpResponse) -> bool:
    """False when rendering set a cookie, used a CSRF token or read the session: the page is personal."""
    session = getattr(request, "session", None)
    personal = (
        bool(response.cookies)
        or bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
        or (session is not None and session.accessed)
    )
    if personal:
        logger.warning("%s set a cookie, used a CSRF token or read the session: served privately.", request.path)
    return not personal


def _shared(response: HttpResponse, shown: Shown) -> HttpResponse:
    response["Cache-Control"] = shared_cache_control()
    response["ETag"] = shown.etag
    if shown.last_modified is not None:
        response["Last-Modified"] = http_date(shown.last_modified.timestamp())
    response["xkey"] = _xkey(shown.keys)
    if shown.audience is not None:
        response["X-Audience"] = shown.audience or "none"
    return response


def _xkey(keys: tuple[str, ...]) -> str:
    header = " ".join(keys)
    if len(header) > XKEY_MAX_LENGTH and surrogate.LISTINGS in keys:
        header = " ".join(key for key in keys if not surrogate.is_article_key(key))
    return header


# Posts from the site's own pages


def same_origin_post(view):
    """Accept ``view``'s posts only from the site's own pages, by origin instead of a CSRF token.

    Refused with 403: ``Sec-Fetch-Site: cross-site``; an ``Origin`` (or, if the browser sent none,
    the ``Referer``'s origin) that is not one of `own_origins`; neither header at all. Django's
    token check is switched off for ``view`` here and nowhere else. Every answer is private.
    """

    @csrf_exempt
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") and not from_own_origin(request):
            logger.warning(
                "Refused a post to %s from origin %r (referer %r, Sec-Fetch-Site %r).",
                request.path,
                request.headers.get("Origin"),
                request.headers.get("Referer"),
                request.headers.get("Sec-Fetch-Site"),
            )
            return private(HttpResponseForbidden(REFUSED, content_type="text/plain; charset=utf-8"))
        return private(view(request, *args, **kwargs))

    return wrapped


def from_own_origin(request: HttpRequest) -> bool:
    """Whether the browser says the request comes from one of the site's own pages."""
    if request.headers.get("Sec-Fetch-Site", "").lower() == "cross-site":
        return False
    origin = request.headers.get("Origin")
    if origin is None:
        origin = origin_of(request.headers.get("Referer", ""))
    origin = origin.lower()
    if not origin or origin == "null":
        return False
    if origin in own_origins(request):
        return True
    parsed = urlsplit(origin)
    return any(
        parsed.scheme == scheme and is_same_domain(parsed.netloc, domain) for scheme, domain in _trusted_domains()
    )


def own_origins(request: HttpRequest) -> set[str]:
    """The origin the request was sent to (its host checked against ALLOWED_HOSTS), SITE_URL's origin,
    and the exact origins in CSRF_TRUSTED_ORIGINS.

    The request's own host is used rather than every ALLOWED_HOSTS pattern, so ``*`` or
    ``.example.org`` there never admits a foreign origin.
    """
    origins = {f"{request.scheme}://{request.get_host()}".lower(), origin_of(settings.SITE_URL)}
    origins.update(origin.lower() for origin in settings.CSRF_TRUSTED_ORIGINS if "*" not in origin)
    return origins - {""}


def _trusted_domains() -> list[tuple[str, str]]:
    """CSRF_TRUSTED_ORIGINS with a wildcard, as Django reads them: ``https://*.example.org``."""
    trusted = [urlsplit(origin.lower()) for origin in settings.CSRF_TRUSTED_ORIGINS if "*" in origin]
    return [(parts.scheme, parts.netloc.lstrip("*")) for parts in trusted]


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of an http(s) URL, lower case; "" for anything else."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()
