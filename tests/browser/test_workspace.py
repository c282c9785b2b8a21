"""An author in the editor: citing without reloading the page, deleting with a confirmation and an undo,
and the pages people land on after logging in or being refused; axe-core on each."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from articles.models import Article, Claim, Section
from editorial.services import perform_transition, record_claim_review
from references.models import Citation
from tests import workflow
from tests.factories import ClaimFactory, ReferenceFactory, SectionFactory, TopicFactory, cite

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"
UNCITED = "Sipping iced water may help."


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + ", ".join(node["target"][0] for node in violation["nodes"][:5])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def person(make, username: str, **kwargs):
    user = make(username=username, **kwargs)
    user.set_password(PASSWORD)
    user.save()
    return user


def log_in(page, site: str, username: str) -> None:
    page.goto(f"{site}/account/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


@pytest.fixture
def draft():
    """A draft by “noor” with one uncited claim, two references gathered for it, and a sub-section."""
    writer = person(workflow.author, "noor", first_name="Noor", last_name="Haddad")
    article = workflow.ready_article(by=writer, title="What is the treatment for hiccups?")
    TopicFactory(name="Gastroenterology")
    treatment = Section.objects.get(article=article)
    ClaimFactory(section=treatment, text=UNCITED, position=10)
    article.gathered_references.add(
        ReferenceFactory(title="Hiccups: a randomised trial of iced water", year=2019),
        ReferenceFactory(title="Persistent hiccups in adults: a guideline", year=2021),
    )
    dosing = SectionFactory(article=article, parent=treatment, heading="Dosing", position=0)
    cite(ClaimFactory(section=dosing, text="Start with the lowest dose."), ReferenceFactory(title="A dosing study"))
    return article


def test_citing_two_references_and_removing_one_reloads_nothing(page, live_server, draft, screenshot):
    """The picker opens, two references are cited and one removed in place; the page never reloads,
    the checklist follows, and a later save through a plain form is not taken for a conflict."""
    log_in(page, live_server.url, "noor")
    page.goto(f"{live_server.url}/write/{draft.pk}/")
    assert page.get_by_role("button", name="Submit for review").is_disabled()
    assert page.locator("#submit-why").inner_text().startswith("Not yet: Section “Treatment”, claim 3")
    loads = []
    page.on("load", lambda: loads.append(page.url))
    page.evaluate("window.stillTheSamePage = true")
    claim = page.locator(".w-claim", has=page.get_by_text(UNCITED, exact=True)).last

    claim.get_by_role("link", name="Cite a reference…").click()
    picker = claim.locator(".cite-picker")
    picker.get_by_role("listitem").filter(has_text="iced water").get_by_role("button", name="Cite").click()
    claim.locator(".citation-chip", has_text="iced water").wait_for()
    picker.get_by_role("listitem").filter(has_text="a guideline").get_by_role("button", name="Cite").click()
    claim.locator(".citation-chip", has_text="a guideline").wait_for()
    page.get_by_text("Every claim is cited").wait_for()
    assert page.get_by_role("button", name="Submit for review").is_enabled()
    screenshot("workspace-cited-in-place", element=f"#claim-{Claim.objects.get(text=UNCITED).uuid}")
    assert loads == []
    assert page.evaluate("window.stillTheSamePage") is True
    saved = Claim.objects.get(text=UNCITED)
    assert [c.reference.title for c in saved.citations.order_by("position")] == [
        "Hiccups: a randomised trial of iced water",
        "Persistent hiccups in adults: a guideline",
    ]
    assert serious_violations(page) == []

    claim.get_by_role("button", name="Remove citation 3").click()
    claim.locator(".citation-chip", has_text="a guideline").wait_for(state="detached")
    assert Citation.objects.filter(claim=saved).count() == 1
    assert loads == []

    claim.get_by_label("Claim", exact=True).fill("Sipping iced water may stop a bout.")
    claim.get_by_role("button", name="Save claim").click()
    page.wait_for_load_state()
    assert page.get_by_text("Claim saved.").is_visible()
    assert Claim.objects.get(pk=saved.pk).text == "Sipping iced water may stop a bout."


def test_without_javascript_citing_still_works_by_reloading(browser, live_server, draft):
    """The plain path: the picker link and the Cite form reload the page, and the citation is saved."""
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, live_server.url, "noor")
    page.goto(f"{live_server.url}/write/{draft.pk}/")
    claim = page.locator(".w-claim", has=page.get_by_text(UNCITED, exact=True)).last
    claim.get_by_role("link", name="Cite a reference…").click()
    page.wait_for_url("**/?cite=*")
    claim.get_by_role("listitem").filter(has_text="iced water").get_by_role("button", name="Cite").click()
    page.wait_for_load_state()
    assert page.get_by_text("Reference cited.").is_visible()
    assert claim.locator(".citation-chip", has_text="iced water").is_visible()
    assert Claim.objects.get(text=UNCITED).citations.count() == 1
    context.close()


def test_delete_asks_first_then_undo_puts_the_section_back(page, live_server, draft, screenshot):
    """Delete → the confirmation names what goes → Cancel keeps it; delete → confirm → Undo restores it exactly."""
    treatment = Section.objects.get(article=draft, parent=None)
    before = (
        list(Section.objects.filter(article=draft).order_by("pk").values()),
        list(Claim.objects.filter(article=draft).order_by("pk").values()),
        list(Citation.objects.filter(claim__article=draft).order_by("pk").values()),
    )
    log_in(page, live_server.url, "noor")
    page.goto(f"{live_server.url}/write/{draft.pk}/")
    section = page.locator(f"#section-{treatment.uuid}")
    section.get_by_role("link", name="Delete section and its claims…").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Delete this section?"
    assert page.get_by_text("the section “Treatment” with 1 sub-section, 4 claims and 3 citations").is_visible()
    assert serious_violations(page) == []
    screenshot("workspace-confirm-delete", full_page=False)
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_load_state()
    assert Section.objects.filter(pk=treatment.pk).exists()

    section.get_by_role("link", name="Delete section and its claims…").first.click()
    page.get_by_role("button", name="Delete the section").click()
    page.wait_for_load_state()
    assert not Section.objects.filter(article=draft).exists()
    offer = page.locator("#undo")
    assert "You deleted the section “Treatment” with 1 sub-section, 4 claims and 3 citations." in offer.inner_text()
    assert serious_violations(page) == []
    screenshot("workspace-undo-offer", full_page=False)
    offer.get_by_role("button", name="Undo").click()
    page.wait_for_load_state()
    assert page.get_by_text("Undone: the section “Treatment”").is_visible()
    assert page.locator(f"#section-{treatment.uuid}").is_visible()
    after = (
        list(Section.objects.filter(article=draft).order_by("pk").values()),
        list(Claim.objects.filter(article=draft).order_by("pk").values()),
        list(Citation.objects.filter(claim__article=draft).order_by("pk").values()),
    )
    assert after == before


def test_the_editor_with_a_reviewers_request_for_changes_passes_axe(page, live_server, screenshot):
    """The overall comment above the claim comments, the topic field and the checklist: no serious violation."""
    writer = person(workflow.author, "noor")
    board_member = workflow.reviewer(first_name="Maya", last_name="Okafor", credentials="MD")
    article = workflow.under_review(workflow.ready_article(by=writer), by=board_member)
    claim = Claim.objects.filter(article=article).exclude(section=None).first()
    record_claim_review(claim, by=board_member, verified=False, comment="Which trial shows this?")
    perform_transition(
        article, "request_changes", by=board_member, comment="A good start.\nThe dosing claims need sources."
    )
    log_in(page, live_server.url, "noor")
    page.goto(f"{live_server.url}/write/{article.pk}/")
    summary = page.get_by_role("region", name="The reviewer asked for changes")
    assert "The dosing claims need sources." in summary.inner_text()
    assert page.get_by_label("Topic").is_visible()
    assert serious_violations(page) == []
    screenshot("workspace-changes-requested", full_page=False)
    assert Article.objects.get(pk=article.pk).state == Article.State.CHANGES_REQUESTED


def test_a_board_member_lands_on_the_queue_and_a_refused_page_shows_a_way_out(page, live_server, screenshot):
    """Logging in at the site leads to the review queue; the workspace answers with the styled 403."""
    person(workflow.reviewer, "maya", is_staff=True)
    log_in(page, live_server.url, "maya")
    assert page.url.endswith("/admin/articles/article/?queue=board")
    response = page.goto(f"{live_server.url}/write/")
    assert response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "You cannot open this page"
    assert serious_violations(page) == []
    screenshot("error-403", full_page=False)
    page.get_by_role("navigation", name="Where to go from here").get_by_role("link", name="Your work").click()
    page.wait_for_url("**/admin/articles/article/?queue=board")

    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response.status == 404
    assert serious_violations(page) == []
    screenshot("error-404", full_page=False)
