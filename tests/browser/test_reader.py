import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reader_opens_the_demo_article_and_follows_a_citation(page, demo_site, screenshot):
    """From the home page a reader opens the article, sees its answer, and jumps to reference 1."""
    page.goto(demo_site)
    page.get_by_role("link", name="What is the treatment for muscle jerking?").click()
    page.wait_for_url("**/articles/what-is-the-treatment-for-muscle-jerking/")
    assert page.get_by_role("heading", level=1).inner_text() == "What is the treatment for muscle jerking?"
    assert page.get_by_role("heading", name="Treatment of Muscle Jerking").is_visible()
    references = page.locator(".references li")
    assert references.count() == 5
    assert "Treatment for Involuntary Muscle Jerking" in references.nth(0).inner_text()
    assert "Involuntary jerking of lower half of the body" in references.nth(4).inner_text()
    screenshot("reader-article-desktop")

    page.locator(".answer .cite a").first.click()
    page.wait_for_url("**#ref-1")
    assert page.locator("#ref-1").evaluate("element => element.matches(':target')")
    page.locator("#ref-1 .back").click()
    page.wait_for_url("**#claim-*")
    assert page.locator(".answer p").evaluate("element => element.matches(':target')")


def test_unapproved_article_is_not_found_in_the_browser(page, demo_site):
    """A draft's address shows the not-found page, not the draft."""
    response = page.goto(f"{demo_site}/articles/when-are-tics-treated-with-medication/")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
