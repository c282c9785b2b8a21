import pytest
from django.test import Client

from pages.demo import ensure_demo_board
from pages.models import BoardMember
from tests import workflow

pytestmark = pytest.mark.django_db


def board_rows() -> list[tuple]:
    fields = ("pk", "name", "credentials", "specialty", "affiliation", "bio", "disclosures", "user", "position")
    return list(BoardMember.objects.order_by("pk").values_list(*fields, "is_active"))


@pytest.fixture
def okafor():
    return workflow.reviewer(
        board_profile=False, username="reviewer", first_name="Maya", last_name="Okafor", credentials="MD"
    )


def test_demo_board_links_the_demo_reviewer_and_adds_two_members(okafor):
    """Maya Okafor, MD (Neurology) is linked to her account; two more members have none."""
    members = ensure_demo_board({"reviewer": okafor})
    maya = okafor.board_profile
    assert members[0] == maya
    assert (maya.display_name, maya.specialty, maya.is_active) == ("Maya Okafor, MD", "Neurology", True)
    assert maya.affiliation
    assert maya.bio
    assert maya.disclosures
    assert [member.user for member in members[1:]] == [None, None]
    html = Client().get("/advisory-board/").content.decode()
    assert [html.index(member.display_name) for member in members] == sorted(
        html.index(member.display_name) for member in members
    )


def test_demo_board_twice_gives_the_same_rows(okafor):
    """A second run creates, changes and records nothing."""
    ensure_demo_board({"reviewer": okafor})
    before, history = board_rows(), BoardMember.history.count()
    ensure_demo_board({"reviewer": okafor})
    assert board_rows() == before
    assert len(before) == 3
    assert BoardMember.history.count() == history


def test_demo_board_keeps_what_editors_changed(okafor):
    """Running the demo again does not undo an editor's edit."""
    ensure_demo_board({"reviewer": okafor})
    BoardMember.objects.filter(user=okafor).update(bio="Edited by an editor.")
    ensure_demo_board({"reviewer": okafor})
    assert BoardMember.objects.get(user=okafor).bio == "Edited by an editor."
