"""Playwright driving Debian's Chromium against pytest-django's live server."""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.conftest import CHROMIUM

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run beside
# one unless told the test thread is synchronous, which it is.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    """A phone-sized window: many readers arrive from a search engine on a phone."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(request):
    """Save a screenshot (the full page, or the top of it) under test-artifacts/ for a person to look at."""
    default = "phone" if "phone" in request.fixturenames else "page"

    def take(name: str, *, full_page: bool = True, of=None, element: str = "") -> Path:
        page = of or request.getfixturevalue(default)
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        if element:
            page.locator(element).screenshot(path=str(path))
            return path
        if not full_page:
            page.evaluate("window.scrollTo(0, 0)")  # the top of the page, as a person first sees it
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture
def demo_site(live_server):
    """The live server with the demo data loaded, as `make run` serves it."""
    with override_settings(DEBUG=True):
        call_command("load_demo", stdout=io.StringIO())
    return live_server.url
