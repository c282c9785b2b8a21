import pytest

from pages.demo import ensure_demo_board
from tests import workflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reader_on_a_phone_moves_between_board_and_policy_with_the_keyboard(phone, live_server, screenshot):
    """Skip link, then the policy link, by keyboard alone; neither page scrolls sideways."""
    reviewer = workflow.reviewer(username="reviewer", first_name="Maya", last_name="Okafor", credentials="MD")
    ensure_demo_board({"reviewer": reviewer})
    phone.goto(f"{live_server.url}/advisory-board/")
    assert phone.get_by_role("heading", level=1).inner_text() == "Medical Advisory Board"
    assert phone.get_by_role("heading", level=2, name="Maya Okafor, MD").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot("pages-advisory-board-phone")

    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.textContent") == "Skip to content"
    phone.keyboard.press("Enter")
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.textContent") == "editorial policy"
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/editorial-policy/")
    assert phone.get_by_role("heading", level=1).inner_text() == "Editorial policy"
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot("pages-editorial-policy-phone")
