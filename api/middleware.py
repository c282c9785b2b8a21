"""Every error under /api/ as a problem, whichever layer answered it.

Most problems come from the API's own views and handlers (`api.views`). A few errors are answered
before or around them, by Django and its middleware: an address no route matches (404), a
method an endpoint does not answer (405, with ``Allow``), a refused control character (400,
`config.control_characters`), a server error or an unreachable database (500, 503 with
``Retry-After``). This middleware turns each of those into the problem of its status, keeping
those headers, so a client never has to read an HTML page.
"""

from django.http import HttpRequest, HttpResponse

from api import problems

PREFIX = "/api/"
KEPT_HEADERS = ("Allow", "Retry-After")
DETAILS = {
    400: "The request holds a character or value no request may carry.",
    404: "Nothing is published at this address.",
    405: "The API is read-only: this method is not answered here.",
    500: "Something went wrong on our side; it is logged.",
    503: "The database cannot be reached; try again shortly.",
}


class ProblemDetailsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code < 400 or not request.path.startswith(PREFIX) or problems.is_problem(response):
            return response
        kind = problems.BY_STATUS.get(response.status_code) or problems.other(response.status_code)
        problem = problems.problem_response(request, kind, DETAILS.get(kind.status, kind.title))
        for header in KEPT_HEADERS:
            if header in response:
                problem[header] = response[header]
        return problem


class HeadAsGetMiddleware:
    """Answer HEAD under /api/ as GET without its body (RFC 9110, 9.3.2): the same status and
    headers, validators included, so a client can check an ETag or a Content-Length cheaply.
    django-ninja routes only the methods an endpoint declares, and the API declares GET."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "HEAD" or not request.path.startswith(PREFIX):
            return self.get_response(request)
        request.method = "GET"
        try:
            response = self.get_response(request)
        finally:
            request.method = "HEAD"
        if not response.streaming:
            response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response
