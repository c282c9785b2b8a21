import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from pages.models import BoardMember, EditorialPolicy
from tests import workflow
from tests.editorial.test_admin import logged_in
from tests.factories import BoardMemberFactory, EditorialPolicyFactory

pytestmark = pytest.mark.django_db

EDITOR_PERMISSIONS = [
    "pages.view_editorialpolicy",
    "pages.add_editorialpolicy",
    "pages.change_editorialpolicy",
    "pages.delete_editorialpolicy",
    "pages.view_boardmember",
    "pages.add_boardmember",
    "pages.change_boardmember",
    "pages.delete_boardmember",
]


def editor():
    user = workflow.editor()
    # editorial/roles.py grants these to the Editors group; given directly here so this app's tests stand alone.
    codenames = [name.split(".")[1] for name in EDITOR_PERMISSIONS]
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="pages", codename__in=codenames))
    assert len(codenames) == user.user_permissions.count()
    return user


def member_form(member: BoardMember, **changes) -> dict:
    data = {
        "name": member.name,
        "credentials": member.credentials,
        "specialty": member.specialty,
        "affiliation": member.affiliation,
        "bio": member.bio,
        "disclosures": member.disclosures,
        "user": member.user_id or "",
        "position": member.position,
        "is_active": "on" if member.is_active else "",
    }
    return {**data, **changes}


def test_editor_changes_a_board_member_and_the_history_names_them():
    """An editor saves a member's disclosures; the change is recorded with who made it."""
    user = editor()
    member = BoardMemberFactory(disclosures="None declared")
    url = reverse("admin:pages_boardmember_change", args=[member.pk])
    client = logged_in(user)
    assert client.get(url).status_code == 200
    response = client.post(url, member_form(member, disclosures="Consulting fees from a device maker, 2025."))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.disclosures == "Consulting fees from a device maker, 2025."
    latest = member.history.first()
    assert (latest.history_type, latest.history_user) == ("~", user)
    assert client.get(reverse("admin:pages_boardmember_history", args=[member.pk])).status_code == 200


def test_editor_links_a_member_to_a_reviewer_account():
    """The profile can be linked to the reviewer account whose name appears on articles."""
    reviewer = workflow.reviewer(board_profile=False, first_name="Maya", last_name="Okafor")
    member = BoardMemberFactory(name="Maya Okafor")
    url = reverse("admin:pages_boardmember_change", args=[member.pk])
    assert logged_in(editor()).post(url, member_form(member, user=reviewer.pk)).status_code == 302
    assert reviewer.board_profile == BoardMember.objects.get(pk=member.pk)


def test_editor_reorders_and_hides_members_from_the_list():
    """Position and “shown on the site” are editable in the member list."""
    first, second = BoardMemberFactory(position=0), BoardMemberFactory(position=1)
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "2",
        "form-0-id": first.pk,
        "form-0-position": "3",
        "form-0-is_active": "on",
        "form-1-id": second.pk,
        "form-1-position": "1",
        "_save": "Save",
    }
    response = logged_in(editor()).post(reverse("admin:pages_boardmember_changelist"), data)
    assert response.status_code == 302
    assert list(BoardMember.objects.values_list("pk", "position", "is_active")) == [
        (second.pk, 1, False),
        (first.pk, 3, True),
    ]


def test_editor_adds_and_deletes_members_and_policies():
    """Editors hold add and delete on both models."""
    client = logged_in(editor())
    data = member_form(BoardMember(name="New Member", specialty="Cardiology", position=4, is_active=True))
    assert client.post(reverse("admin:pages_boardmember_add"), data).status_code == 302
    member = BoardMember.objects.get(name="New Member")
    assert client.post(reverse("admin:pages_boardmember_delete", args=[member.pk]), {"post": "yes"}).status_code == 302
    assert not BoardMember.objects.filter(pk=member.pk).exists()

    data = {"title": "Our policy", "summary": "How we work.", "body": "Text."}
    assert client.post(reverse("admin:pages_editorialpolicy_add"), data).status_code == 302
    policy = EditorialPolicy.objects.get(title="Our policy")
    delete_url = reverse("admin:pages_editorialpolicy_delete", args=[policy.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not EditorialPolicy.objects.filter(pk=policy.pk).exists()


def test_editor_edits_the_policy_readers_see():
    """Saving a policy makes it the one on /editorial-policy/, and the list says which one is shown."""
    policy = EditorialPolicyFactory()
    client = logged_in(editor())
    url = reverse("admin:pages_editorialpolicy_change", args=[policy.pk])
    data = {"title": "How Vetted checks articles", "summary": "Claim by claim.", "body": "## Review\nEvery claim."}
    assert client.post(url, data).status_code == 302
    html = client.get(reverse("pages:editorial_policy")).content.decode()
    assert '<h1 id="page-title">How Vetted checks articles</h1>' in html
    assert "<h2>Review</h2>" in html
    changelist = client.get(reverse("admin:pages_editorialpolicy_changelist")).content.decode()
    assert "Shown to readers" in changelist
    assert changelist.count('src="/static/admin/img/icon-yes.svg"') == 1


@pytest.mark.parametrize("make_user", [workflow.reviewer, workflow.author], ids=["board_member", "author"])
def test_board_members_and_authors_cannot_change_the_pages(make_user):
    """Only editors maintain the board and the policy: others get 403 and nothing changes."""
    member = BoardMemberFactory(name="Unchanged")
    policy = EditorialPolicyFactory(title="Unchanged policy")
    client = logged_in(make_user())
    member_url = reverse("admin:pages_boardmember_change", args=[member.pk])
    policy_url = reverse("admin:pages_editorialpolicy_change", args=[policy.pk])
    assert client.get(member_url).status_code == 403
    assert client.post(member_url, member_form(member, name="Changed")).status_code == 403
    assert client.get(policy_url).status_code == 403
    assert client.get(reverse("admin:pages_boardmember_add")).status_code == 403
    assert BoardMember.objects.get(pk=member.pk).name == "Unchanged"
