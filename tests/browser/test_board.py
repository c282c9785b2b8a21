"""The board and authors in the admin, driven through Chromium on the demo data."""

import re

import pytest

from articles.models import Article, Claim
from tests.browser.test_reader_journey import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBMITTED = "What helps restless legs syndrome?"


def log_in(page, site: str, username: str) -> None:
    page.goto(f"{site}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("vetted-demo")
    page.get_by_role("button", name="Log in").click()


def test_demo_reviewer_reviews_every_claim_approves_and_readers_see_it(page, demo_site, screenshot):
    """Queue → start review → declare competing interests → verify each claim → approve → the reader
    page shows the approved version with the reviewer's declaration."""
    log_in(page, demo_site, "reviewer")
    page.wait_for_url(re.compile(r".*/admin/articles/article/\?queue=board$"))
    assert page.get_by_role("link", name=SUBMITTED).is_visible()
    assert page.get_by_text("Overdue").first.is_visible()
    screenshot("admin-queue")

    page.get_by_role("link", name=SUBMITTED).click()
    page.get_by_role("button", name="Start the review").click()
    page.wait_for_url(re.compile(r".*/review/$"))
    total = Claim.objects.filter(article__title=SUBMITTED).count()
    assert page.get_by_text(f"0 of {total} claims verified").is_visible()
    assert page.get_by_text("Declare your competing interests for this review first.").is_visible()
    assert page.locator(".review-claim").first.get_by_role("button", name="Verified").count() == 0
    screenshot("admin-review-declare", full_page=False)
    page.get_by_role("link", name="Declare competing interests").click()
    assert serious_violations(page) == []
    page.get_by_label("I have no competing interests to declare").check()
    page.get_by_role("button", name="Declare").click()
    page.wait_for_url(re.compile(r".*/review/$"))
    assert page.get_by_text("Declared: no competing interests. You can review now.").is_visible()
    assert page.get_by_role("button", name="Approve and publish").is_disabled()

    for done in range(1, total + 1):
        page.locator(".review-claim:not(.is-verified)").first.get_by_role("button", name="Verified").click()
        page.wait_for_load_state()
        assert page.get_by_text(f"{done} of {total} claims verified").is_visible()
        if done == total - 2:
            screenshot("admin-review", full_page=False)

    page.get_by_role("button", name="Approve and publish").click()
    page.wait_for_load_state()
    assert page.get_by_text(f"“{SUBMITTED}” is now approved.").is_visible()
    article = Article.objects.get(title=SUBMITTED)
    assert article.state == Article.State.APPROVED

    page.goto(f"{demo_site}{article.get_absolute_url()}")
    assert page.get_by_role("heading", level=1).inner_text() == SUBMITTED
    assert page.get_by_text("Medically reviewed by Maya Okafor, MD").is_visible()
    assert page.get_by_text("Maya Okafor, MD (reviewer) declares no competing interests.").is_visible()


def test_author_adds_a_cited_claim_in_the_nested_editor(page, demo_site):
    """In a draft, a new claim goes into a section and cites a reference found by searching."""
    log_in(page, demo_site, "author")
    draft = Article.objects.get(state=Article.State.DRAFT)
    page.goto(f"{demo_site}/admin/articles/article/{draft.pk}/change/")
    existing = page.eval_on_selector_all(
        "textarea[name^='sections-0-claims-'][name$='-text']", "areas => areas.map(area => area.name)"
    )
    page.get_by_text("Add another Claim").first.click()
    added = page.eval_on_selector_all(
        "textarea[name^='sections-0-claims-'][name$='-text']", "areas => areas.map(area => area.name)"
    )
    (name,) = [area for area in added if area not in existing and "__prefix__" not in area]
    page.locator(f"textarea[name='{name}']").fill("Aripiprazole is an option when tics are severe.")
    claim_form = page.locator(f"[id='{name.removesuffix('-text')}']")
    claim_form.get_by_text("Add another Citation").click()
    claim_form.locator(".select2-container").first.click()
    page.keyboard.type("Practice guideline")
    option = page.locator(".select2-results__option", has_text="Practice guideline recommendations")
    option.first.click()
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state()
    assert page.get_by_text("was changed successfully").is_visible()

    claim = Claim.objects.get(text="Aripiprazole is an option when tics are severe.")
    assert (claim.article, claim.section.position) == (draft, 0)
    (citation,) = claim.citations.all()
    assert citation.reference.title.startswith("Practice guideline recommendations summary")
    assert claim.history.first().history_user.username == "author"
    # A tab open on /write/ for this draft now holds an old edit version and will be refused.
    assert Article.objects.get(pk=draft.pk).edit_version == draft.edit_version + 1


def test_board_pages_fit_a_1280_window_and_pass_axe(page, demo_site):
    """The article page with its nested inlines does not scroll sideways; the review page passes axe."""
    log_in(page, demo_site, "editor")
    for article in Article.objects.all():
        page.goto(f"{demo_site}/admin/articles/article/{article.pk}/change/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280, article.title
    under_review = Article.objects.get(state=Article.State.UNDER_REVIEW)
    page.goto(f"{demo_site}/admin/articles/article/{under_review.pk}/review/")
    assert serious_violations(page) == []
    # After a mark the page returns to its claim: the sticky progress bar must not cover it.
    claim_id = page.eval_on_selector_all(".review-claim", "claims => claims.map(claim => claim.id)")[-2]
    page.goto(f"{demo_site}/admin/articles/article/{under_review.pk}/review/#{claim_id}")
    bar_bottom = page.evaluate("document.querySelector('.review-head').getBoundingClientRect().bottom")
    assert page.evaluate(f"document.getElementById('{claim_id}').getBoundingClientRect().top") >= bar_bottom
