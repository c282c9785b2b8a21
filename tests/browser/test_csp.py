"""The Content-Security-Policy breaks nothing a person uses: no violation on the reader site, workspace or admin."""

import re

import pytest

from articles.models import Article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MUSCLE_JERKING = "/articles/what-is-the-treatment-for-muscle-jerking/"
SUBMITTED = "What helps restless legs syndrome?"

# Reports every violation to Python; Playwright's init scripts run before the page's own and are not subject to its CSP.
LISTEN = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${location.pathname}: ${event.effectiveDirective} blocked ${event.blockedURI || "inline"} `
    + `(${event.sourceFile}:${event.lineNumber}) ${event.sample}`
  );
});
"""

INJECT_INLINE_SCRIPT = """() => {
  const script = document.createElement("script");
  script.textContent = "window.ran = 1";
  document.body.append(script);
}"""


def watch(page) -> list[str]:
    """Collect CSP violation events and Chromium's CSP console errors on every page ``page`` opens."""
    violations: list[str] = []
    page.expose_function("reportCspViolation", lambda violation: violations.append(violation))
    page.add_init_script(LISTEN)

    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"console: {message.text}")

    page.on("console", on_console)
    return violations


def open_page(page, url: str) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"], url
    page.wait_for_load_state("networkidle")


def log_in(page, site: str, username: str) -> None:
    page.goto(f"{site}/account/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("vetted-demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_the_watcher_sees_a_violation(page, demo_site):
    """The check below is only worth something if it notices a blocked inline script."""
    violations = watch(page)
    open_page(page, f"{demo_site}/")
    page.evaluate(INJECT_INLINE_SCRIPT)
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.ran") is None
    assert any("script-src" in violation for violation in violations), violations


def test_reader_pages_and_the_workspace_pass_the_policy(page, demo_site):
    """Home, an article with its feedback forms, and an author's editor and preview raise no violation."""
    violations = watch(page)
    open_page(page, f"{demo_site}/")
    open_page(page, f"{demo_site}{MUSCLE_JERKING}")

    log_in(page, demo_site, "author")
    draft = Article.objects.get(state=Article.State.DRAFT)
    open_page(page, f"{demo_site}/write/")
    open_page(page, f"{demo_site}/write/{draft.pk}/")
    open_page(page, f"{demo_site}/write/{draft.pk}/preview/")
    assert violations == []


def test_the_admin_with_nested_inlines_autocomplete_and_review_passes_the_policy(page, demo_site, browser):
    """The draft's change page (adding a nested claim and citation, searching references) and the review page."""
    violations = watch(page)
    log_in(page, demo_site, "author")
    draft = Article.objects.get(state=Article.State.DRAFT)
    open_page(page, f"{demo_site}/admin/articles/article/{draft.pk}/change/")
    claims = "textarea[name^='sections-0-claims-'][name$='-text']:not([name*='__prefix__'])"
    before = page.eval_on_selector_all(claims, "areas => areas.map(area => area.name)")
    page.get_by_text("Add another Claim").first.click()
    (name,) = set(page.eval_on_selector_all(claims, "areas => areas.map(area => area.name)")) - set(before)
    added = page.locator(f"[id='{name.removesuffix('-text')}']")
    added.get_by_text("Add another Citation").click()
    added.locator(".select2-container").first.click()
    page.keyboard.type("Practice guideline")
    page.locator(".select2-results__option", has_text="Practice guideline recommendations").first.wait_for()
    page.keyboard.press("Escape")
    assert violations == []

    editor_context = browser.new_context(viewport={"width": 1280, "height": 900})
    editor = editor_context.new_page()
    editor_violations = watch(editor)
    log_in(editor, demo_site, "editor")
    submitted = Article.objects.get(title=SUBMITTED)
    open_page(editor, f"{demo_site}/admin/articles/article/?queue=board")
    open_page(editor, f"{demo_site}/admin/articles/article/{submitted.pk}/review/")
    assert editor.get_by_text(re.compile(r"\d+ of \d+ claims verified")).is_visible()
    editor_context.close()
    assert editor_violations == []
