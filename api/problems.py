"""Errors as RFC 9457 problem details: ``application/problem+json`` with a stable ``type`` per error.

Every error the API answers is one of `TYPES`. Its ``type`` is a URI under ``/api/v1/problems/``
that answers with the type's description (`api.views.problem_type`), so a client can branch on
``type`` and a person can look it up. The body holds ``type``, ``title``, ``status``, ``detail``
and ``instance`` (the path asked for), plus the members a type names (``withdrawn_at``,
``retry_after``, ``errors``). Problems are never stored by a shared cache, except a withdrawn
article's 410, which is purged with the article like its page.
"""

import json
from dataclasses import dataclass
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from config.site import absolute
from reader.http import private

MEDIA_TYPE = "application/problem+json"


@dataclass(frozen=True)
class ProblemType:
    name: str
    status: int
    title: str
    description: str

    @property
    def uri(self) -> str:
        if not self.name:
            return "about:blank"  # RFC 9457: no more than the status code says
        return absolute(reverse("api:problem_type", kwargs={"name": self.name}))


BAD_REQUEST = ProblemType(
    "bad-request",
    400,
    "The request could not be read",
    "The address, a parameter or a cookie holds something no request may carry, such as a control character.",
)
NOT_FOUND = ProblemType(
    "not-found",
    404,
    "Nothing has been published here",
    "No approved article, topic or other resource answers at this address.",
)
METHOD_NOT_ALLOWED = ProblemType(
    "method-not-allowed",
    405,
    "The API is read-only",
    "Only GET (and the CORS preflight, OPTIONS) is answered; the ``Allow`` header lists the methods.",
)
GONE = ProblemType(
    "withdrawn",
    410,
    "The article has been withdrawn",
    "The editors withdrew this article; ``withdrawn_at`` says when. Its content is no longer served.",
)
INVALID_PARAMETERS = ProblemType(
    "invalid-parameters",
    422,
    "A parameter is not valid",
    "``errors`` lists each parameter refused, where it was (``loc``) and why (``msg``).",
)
TOO_MANY_REQUESTS = ProblemType(
    "too-many-requests",
    429,
    "Too many requests",
    "This client sent more requests than the per-minute limit allows; ``Retry-After`` says when to try again.",
)
SERVER_ERROR = ProblemType(
    "server-error",
    500,
    "Something went wrong on our side",
    "The error is logged and the editors' team is told; try again later.",
)
UNAVAILABLE = ProblemType(
    "unavailable",
    503,
    "Vetted is unavailable for a moment",
    "The database cannot be reached; ``Retry-After`` says when to try again.",
)

TYPES = {
    kind.name: kind
    for kind in (
        BAD_REQUEST,
        NOT_FOUND,
        METHOD_NOT_ALLOWED,
        GONE,
        INVALID_PARAMETERS,
        TOO_MANY_REQUESTS,
        SERVER_ERROR,
        UNAVAILABLE,
    )
}
# The problem answering an error response that was made without one (Django's own 404, 405, 500).
BY_STATUS = {kind.status: kind for kind in reversed(TYPES.values())}


def other(status: int) -> ProblemType:
    """A status no type here names (a 413 from the server, say): ``about:blank`` with its reason phrase."""
    title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    return ProblemType("", status, title, title)


class ProblemError(Exception):
    """Raised in a view: answer with this problem (a view's ``Shown`` may make it cacheable)."""

    def __init__(self, kind: ProblemType, detail: str, **members):
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.members = members
        self.shown = None  # a reader.http.Shown: the problem may be stored by the shared cache

    def response(self, request: HttpRequest) -> HttpResponse:
        return problem_response(request, self.kind, self.detail, **self.members)


def problem_response(request: HttpRequest, kind: ProblemType, detail: str, **members) -> HttpResponse:
    """The problem document for ``kind``, private unless the caller attaches a ``Shown``."""
    body = {
        "type": kind.uri,
        "title": kind.title,
        "status": kind.status,
        "detail": detail,
        "instance": request.path,
        **members,
    }
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=kind.status, content_type=MEDIA_TYPE)
    return private(response)


def is_problem(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith(MEDIA_TYPE)
