"""In Chromium: a reader chooses an audience and sends a question with no CSRF cookie, no console error."""

import pytest

from reader.models import ReaderMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTICLE = "/articles/what-is-the-treatment-for-muscle-jerking/"
SHARED = "public, max-age=0, s-maxage=86400, stale-while-revalidate=30, stale-if-error=86400"


def test_reader_chooses_an_audience_and_asks_without_cookies_or_console_errors(page, demo_site):
    """The page sets no cookie; the audience form sets only `audience`; the question lands; thanks shown."""
    problems: list[str] = []

    def on_console(message) -> None:
        # Chromium asks for /favicon.ico by itself; the site has none (a 404 the page did not ask for).
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            problems.append(f"{message.text} ({message.location['url']})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))

    first = page.goto(f"{demo_site}{ARTICLE}")
    assert first.status == 200
    headers = first.all_headers()
    assert "set-cookie" not in headers
    assert headers["cache-control"] == SHARED
    assert headers["x-audience"] == "none"
    assert "article-" in headers["xkey"]
    assert page.context.cookies() == []

    page.get_by_label("Patient or carer").check()
    page.get_by_role("button", name="Show this article for me").click()
    page.wait_for_load_state()
    assert page.get_by_label("Patient or carer").is_checked()
    assert [cookie["name"] for cookie in page.context.cookies()] == ["audience"]

    question = "Can clonazepam be taken together with levetiracetam for myoclonus?"
    page.get_by_label("Your question").fill(question)
    with page.expect_response(lambda response: "sent=question" in response.url) as thanked:
        page.get_by_role("button", name="Send my question").click()
    assert thanked.value.all_headers()["cache-control"] == "private, no-store"
    assert page.get_by_text("your question has been sent to our editors").is_visible()
    assert ReaderMessage.objects.get().text == question
    assert [cookie["name"] for cookie in page.context.cookies()] == ["audience"]
    assert problems == []
