"""A new reader on a phone: search, read, choose an audience, follow a citation, ask a question.

Every page on the way is checked with axe-core (bundled by axe-playwright-python): no serious
or critical accessibility violation is allowed.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from reader.models import ReaderMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTICLE = "What is the treatment for muscle jerking?"
PLAIN_ANSWER = "Clonazepam is usually the first medicine tried for sudden muscle jerks."


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — {len(violation['nodes'])} element(s)"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def test_new_reader_on_a_phone_searches_reads_personalises_and_asks(phone, demo_site, screenshot):
    """Home → search “muscle jerking” → article → patient wording → reference 1 → follow-up question."""
    phone.goto(demo_site)
    assert serious_violations(phone) == []
    screenshot("reader-home-phone")

    phone.get_by_label("Search approved articles").fill("muscle jerking")
    phone.get_by_role("button", name="Search").click()
    phone.wait_for_url("**/search/?q=muscle+jerking")
    assert serious_violations(phone) == []
    phone.get_by_role("link", name=ARTICLE).click()
    phone.wait_for_url("**/articles/what-is-the-treatment-for-muscle-jerking/")
    assert phone.get_by_role("heading", level=1).inner_text() == ARTICLE
    assert phone.get_by_text("Medically reviewed by").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert serious_violations(phone) == []
    screenshot("reader-article-phone", full_page=False)

    marks = phone.locator(".cite a")
    sizes = [marks.nth(index).bounding_box() for index in range(marks.count())]
    assert sizes
    assert all(box["width"] >= 24 and box["height"] >= 24 for box in sizes)  # WCAG 2.2 target size

    phone.get_by_label("Patient or carer").check()
    phone.get_by_role("button", name="Show this article for me").click()
    phone.wait_for_url("**#audience")
    confirmation = phone.get_by_role("status").filter(has_text="This article is shown for")
    assert "Patient or carer" in confirmation.inner_text()
    assert confirmation.is_visible()
    assert PLAIN_ANSWER in phone.locator(".answer p").inner_text()
    assert phone.get_by_label("Patient or carer").is_checked()
    screenshot("reader-audience-chosen-phone", full_page=False)

    phone.locator(".answer .cite a").first.click()
    phone.wait_for_url("**#ref-1")
    assert phone.locator("#ref-1").evaluate("element => element.matches(':target')")

    question = "Can clonazepam be taken together with levetiracetam for myoclonus?"
    phone.get_by_label("Your question").fill(question)
    phone.get_by_role("button", name="Send my question").click()
    phone.wait_for_load_state()
    assert phone.get_by_text("your question has been sent to our editors").is_visible()
    message = ReaderMessage.objects.get()
    assert (message.text, message.audience, message.article.title) == (question, "patient", ARTICLE)
    screenshot("reader-question-sent-phone", element="#feedback")


@pytest.mark.parametrize("path", ["/editorial-policy/", "/advisory-board/", "/search/?q=clonazepam"])
def test_site_pages_have_no_serious_accessibility_violations(page, demo_site, path):
    """The other reader pages pass axe-core at desktop width too."""
    page.goto(f"{demo_site}{path}")
    assert serious_violations(page) == []


def test_article_on_a_desktop(page, demo_site, screenshot):
    """The article at desktop width: the answer, the trust block and the audience choice on one screen."""
    page.goto(f"{demo_site}/articles/what-is-the-treatment-for-muscle-jerking/")
    assert page.locator(".answer").is_visible()
    assert page.locator(".stepper").is_visible()
    assert serious_violations(page) == []
    screenshot("reader-article-desktop-top", full_page=False)


def test_the_accessibility_check_does_find_violations(page):
    """A control without a label is reported, so a clean result above means something."""
    page.set_content('<html lang="en"><title>Bad</title><main><input type="text"></main></html>')
    assert any(violation.startswith("label (critical)") for violation in serious_violations(page))
