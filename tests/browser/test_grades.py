"""GRADE from the author's workspace to the patient's page, driven through Chromium."""

import pytest

from articles.models import Claim
from tests import workflow
from tests.browser.test_author import log_in
from tests.browser.test_reader_journey import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_ARTICLE = "/articles/what-is-the-treatment-for-muscle-jerking/"


def test_an_author_grades_a_claim_and_a_patient_sees_the_badge_explained(page, live_server, screenshot):
    """Workspace → grade a claim → approval → the patient's page shows the badge, which opens to plain words."""
    writer = workflow.author(username="grader")
    writer.set_password("a-long-test-password")
    writer.save()
    article = workflow.ready_article(by=writer, title="What helps night cramps?")
    claim = Claim.objects.filter(article=article, section__isnull=False).order_by("position").first()

    log_in(page, live_server.url, "grader", "a-long-test-password", f"/write/{article.pk}/")
    editor = page.locator(f"#grade-{claim.uuid}")
    editor.locator("summary").click()
    editor.get_by_label("Certainty of evidence").select_option(label="Low")
    editor.get_by_label("Recommendation (if the claim recommends)").select_option(
        label="Conditional recommendation for"
    )
    editor.get_by_label("Evidence last searched").fill("2025-04-01")
    screenshot("author-grade-editor", element=f"#claim-{claim.uuid}")
    editor.get_by_role("button", name="Save grade").click()
    page.wait_for_load_state()
    assert page.get_by_text("Grade and evidence search saved.").is_visible()
    assert (
        page.locator(f"#grade-{claim.uuid} summary")
        .inner_text()
        .startswith("Grade and evidence: low certainty; conditional for")
    )
    claim.refresh_from_db()
    assert (claim.certainty, claim.strength, claim.direction) == ("low", "conditional", "for")

    workflow.approved(article)
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    page.get_by_label("Patient or carer").check()
    page.get_by_role("button", name="Show this article for me").click()
    page.wait_for_load_state()
    badge = page.locator(f"#claim-{claim.uuid} details.grade")
    meaning = badge.locator(".grade-meaning")
    assert not meaning.is_visible()
    badge.get_by_text("Conditional recommendation for · Low certainty").click()
    assert meaning.is_visible()
    assert "There is only limited research on this." in meaning.inner_text()
    assert page.get_by_role("heading", name="How sure is this advice?").is_visible()
    assert page.get_by_text("Evidence last checked: April 1, 2025").is_visible()
    assert serious_violations(page) == []


@pytest.mark.parametrize("audience", ["Patient or carer", "Healthcare professional"])
def test_the_demo_articles_badges_pass_axe_in_both_audiences(page, demo_site, screenshot, audience):
    """The graded demo article, a badge opened, and its key: no serious accessibility violation."""
    page.goto(f"{demo_site}{DEMO_ARTICLE}")
    page.get_by_label(audience).check()
    page.get_by_role("button", name="Show this article for me").click()
    page.wait_for_load_state()
    page.locator("details.grade summary").first.click()
    assert page.locator("details.grade[open] .grade-meaning").first.is_visible()
    assert page.get_by_text("Updated").first.is_visible()
    assert serious_violations(page) == []
    if audience == "Patient or carer":
        screenshot("reader-grade-badges", full_page=False)
        screenshot("reader-grade-key", element=".grade-key")
        page.goto(f"{demo_site}{DEMO_ARTICLE}history/")
        assert page.get_by_role("heading", name="Version 2").is_visible()
        assert serious_violations(page) == []
        screenshot("reader-version-history", full_page=False)
