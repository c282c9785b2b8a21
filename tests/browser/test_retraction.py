"""A retraction notice on a published article's source, as a reader meets it, through Chromium."""

import io

import pytest
from django.core.management import call_command

from articles.models import Article
from references.models import Reference
from tests.browser.test_reader_journey import serious_violations
from tests.integrity.csvfiles import row, write

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MUSCLE_JERKING = "what-is-the-treatment-for-muscle-jerking"


def test_a_reader_sees_a_dated_notice_on_the_retracted_source_and_the_claims_citing_it(
    page, demo_site, screenshot, tmp_path
):
    """The import matches a cited source; the reader page shows it on the reference and its claims."""
    article = Article.objects.get(slug=MUSCLE_JERKING)
    page.goto(f"{demo_site}{article.get_absolute_url()}")  # cached before the notice arrives
    reference = Reference.objects.get(uuid=article.live_version.document["references"][0]["uuid"])
    reference.doi = "10.5555/demo.retracted"
    reference.save()
    reasons = "+Concerns/Issues About Results;+Investigation by Journal/Publisher;"
    path = write(
        tmp_path / "rw.csv", [row(900001, doi="10.5555/DEMO.RETRACTED", date="3/14/2025 0:00", reason=reasons)]
    )
    call_command("import_retractions", str(path), stdout=io.StringIO())

    page.goto(f"{demo_site}{article.get_absolute_url()}")

    on_reference = page.locator("#ref-1 .evidence-notice")
    assert on_reference.inner_text().startswith("Cited source retracted on March 14, 2025.")
    assert (
        "Reasons given: Concerns/Issues About Results; Investigation by Journal/Publisher." in on_reference.inner_text()
    )
    on_claims = page.locator(".claims .evidence-notice, .answer .evidence-notice")
    assert on_claims.count() >= 1
    assert "our Medical Advisory Board is re-reviewing the article" in on_claims.first.inner_text()
    assert serious_violations(page) == []
    on_claims.first.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -220)")
    screenshot("reader-retraction-notice", full_page=False)
