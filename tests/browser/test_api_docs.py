"""The API's interactive documentation works under the site's CSP: a developer tries an endpoint."""

import pytest

from tests.browser.test_csp import watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_developer_reads_the_docs_and_tries_the_article_endpoint(page, demo_site, screenshot):
    """/api/v1/docs: Swagger UI from this origin, no CSP violation; Execute fetches the demo article."""
    violations = watch(page)
    response = page.goto(f"{demo_site}/api/v1/docs")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.get_by_role("heading", name="Vetted read API").wait_for()
    page.get_by_text("/api/v1/articles/{slug}", exact=True).click()
    page.get_by_placeholder("slug").fill("what-is-the-treatment-for-muscle-jerking")
    page.get_by_role("button", name="Execute").click()
    body = page.locator(".responses-wrapper .live-responses-table .response-col_description pre").first
    body.wait_for()
    assert "What is the treatment for muscle jerking?" in body.inner_text()
    screenshot("api-docs-try-article", full_page=False)
    assert violations == []
