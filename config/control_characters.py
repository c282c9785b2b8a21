"""Refuse, before any view runs, a request carrying a character no text field accepts.

NUL and the other control characters (tab, line feed and carriage return aside) are refused by
every text field (`articles.text`), and PostgreSQL refuses NUL outright: a request carrying one
can only end in a refusal, or in a 500 where a view hands it straight to a query. So it is
answered here with a 400 that says what was wrong and where. Form and query values may still
hold tabs and line breaks (a textarea sends CRLF); whether an input must be one line is its
field's rule, checked where it is saved. The address and the names of fields never hold either.
"""

from django.http import HttpResponseBadRequest
from django.template.loader import render_to_string

from articles.text import character_name, refused_in_any_text, refused_in_one_line

TEMPLATE = "400_control_character.html"


class RefuseControlCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = self.refused(request)
        if found is None:
            return self.get_response(request)
        char, where, cookie = found
        html = render_to_string(TEMPLATE, {"character": character_name(char), "where": where})
        response = HttpResponseBadRequest(html)
        if cookie is not None:
            response.delete_cookie(cookie)  # else every later request would be refused too
        return response

    @staticmethod
    def refused(request) -> tuple[str, str, str | None] | None:
        """The first refused character, where it was (in words), and the cookie holding it, if one did."""
        char = refused_in_one_line(request.path)
        if char:
            return char, "in the address", None
        for name, value in request.COOKIES.items():
            char = refused_in_one_line(name)
            if char:
                return char, "in a cookie", None  # a name no Set-Cookie header can carry to delete it
            char = refused_in_any_text(value)
            if char:
                return char, "in a cookie", name
        sent = [request.GET]
        if request.method == "POST":
            sent.append(request.POST)
        for values in sent:
            for name, items in values.lists():
                char = refused_in_one_line(name)
                if char:
                    return char, "in the name of a field", None
                for value in items:
                    char = refused_in_any_text(value)
                    if char:
                        return char, f"in “{name}”", None
        return None
