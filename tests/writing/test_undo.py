"""Deleting in the workspace asks first, naming what goes, and can be undone once, exactly, by the same person."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article, Claim, Section
from references.models import Citation
from tests import workflow
from tests.factories import ClaimFactory, ReferenceFactory, SectionFactory, cite
from writing import editing
from writing.models import Deletion

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def edit_url(article) -> str:
    return reverse("writing:edit", args=[article.pk])


def confirm_url(article, **part) -> str:
    kind, uuid = next(iter(part.items()))
    return f"{reverse('writing:confirm_delete', args=[article.pk])}?{kind}={uuid}"


def post(client, article, **data):
    version = Article.objects.get(pk=article.pk).edit_version
    return client.post(edit_url(article), {"version": version, **data}, follow=True)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def content(article) -> dict:
    """Every content row of the article, ids, stable ids, positions and texts included."""
    return {
        "sections": list(Section.objects.filter(article=article).order_by("pk").values()),
        "claims": list(Claim.objects.filter(article=article).order_by("pk").values()),
        "citations": list(Citation.objects.filter(claim__article=article).order_by("pk").values()),
    }


@pytest.fixture
def writer():
    return workflow.author()


@pytest.fixture
def article(writer):
    """A ready draft whose section “Treatment” has a nested claim, a sub-section and claims citing two references."""
    article = workflow.ready_article(by=writer)
    treatment = Section.objects.get(article=article, heading="Treatment")
    first = Claim.objects.filter(section=treatment).order_by("position").first()
    trial, guideline = ReferenceFactory(title="A trial"), ReferenceFactory(title="A guideline")
    cite(ClaimFactory(section=treatment, parent=first, text="A nested detail.", position=0), trial, guideline)
    dosing = SectionFactory(article=article, parent=treatment, heading="Dosing", intro="How much.", position=0)
    cite(ClaimFactory(section=dosing, text="Start low.", plain_language="Small doses first.", position=0), guideline)
    SectionFactory(article=article, heading="Follow-up", position=5)
    return article


def test_delete_asks_first_and_names_what_goes_with_the_section(writer, article):
    """The editor's delete leads to a page naming the sub-sections and claims; opening it deletes nothing."""
    treatment = Section.objects.get(article=article, heading="Treatment")
    client = as_user(writer)
    editor = client.get(edit_url(article)).content.decode()
    assert f'href="{confirm_url(article, section=treatment.uuid)}"' in editor
    before = content(article)
    response = client.get(confirm_url(article, section=treatment.uuid))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Delete this section?" in html
    assert "the section “Treatment” with 1 sub-section, 4 claims and 5 citations" in html
    for part in ("Dosing", "Start low.", "A nested detail."):
        assert f"<li>{part}</li>" in html
    assert f'href="{edit_url(article)}#section-{treatment.uuid}">Cancel</a>' in html
    assert 'name="action" value="delete_section"' in html
    assert content(article) == before


def test_cancel_changes_nothing(writer, article):
    """Cancel is a link back to the section: following it leaves every row and the edit version as they were."""
    treatment = Section.objects.get(article=article, heading="Treatment")
    client = as_user(writer)
    before, version = content(article), Article.objects.get(pk=article.pk).edit_version
    client.get(confirm_url(article, section=treatment.uuid))
    assert client.get(f"{edit_url(article)}#section-{treatment.uuid}").status_code == 200
    assert content(article) == before
    assert Article.objects.get(pk=article.pk).edit_version == version


def test_confirm_deletes_the_section_and_undo_restores_it_exactly(writer, article):
    """Same ids, stable ids, texts, positions, nesting and citations; the undo works once."""
    treatment = Section.objects.get(article=article, heading="Treatment")
    client = as_user(writer)
    before = content(article)
    response = post(client, article, action="delete_section", section=str(treatment.uuid), anchor="#undo")
    assert not Section.objects.filter(uuid=treatment.uuid).exists()
    assert Section.objects.filter(article=article).count() == 1  # Follow-up
    html = response.content.decode()
    assert "You deleted the section “Treatment” with 1 sub-section, 4 claims and 5 citations." in html
    assert 'name="action" value="undo"' in html

    deletion = Deletion.objects.get(article=article)
    response = post(client, article, action="undo", deletion=deletion.pk)
    assert content(article) == before
    assert "Undone: the section “Treatment” with 1 sub-section, 4 claims and 5 citations is back." in messages_of(
        response
    )
    assert 'name="action" value="undo"' not in response.content.decode()
    assert Claim.history.filter(uuid__in=[c["uuid"] for c in before["claims"]]).first().history_user == writer

    again = post(client, article, action="undo", deletion=deletion.pk)
    assert "There is nothing to undo" in " ".join(messages_of(again))
    assert content(article) == before


def test_a_claim_is_deleted_with_its_nested_claims_and_restored_exactly(writer, article):
    first = Claim.objects.filter(article=article, parent=None, section__heading="Treatment").order_by("position")[0]
    client = as_user(writer)
    before = content(article)
    page = client.get(confirm_url(article, claim=first.uuid)).content.decode()
    assert "Delete this claim?" in page
    assert "with 1 nested claim and 3 citations" in page
    post(client, article, action="delete_claim", claim=str(first.uuid))
    assert not Claim.objects.filter(text="A nested detail.").exists()
    post(client, article, action="undo", deletion=Deletion.objects.get(article=article).pk)
    assert content(article) == before


def test_undo_after_another_edit_is_refused_with_a_message(writer, article):
    """Once anything else is saved the snapshot is stale: nothing is restored, and the person is told why."""
    follow_up = Section.objects.get(article=article, heading="Follow-up")
    client = as_user(writer)
    post(client, article, action="delete_section", section=str(follow_up.uuid))
    deletion = Deletion.objects.get(article=article)
    post(client, article, action="add_section", heading="Prognosis")
    page = client.get(edit_url(article)).content.decode()
    assert 'name="action" value="undo"' not in page  # no longer offered
    response = post(client, article, action="undo", deletion=deletion.pk)
    assert (
        "The article was changed after the section “Follow-up” was deleted, so the deletion can no longer be "
        "undone. Add the part again instead." in messages_of(response)
    )
    assert not Section.objects.filter(uuid=follow_up.uuid).exists()


def test_undo_by_another_author_is_refused_with_a_message(writer, article):
    """A co-author is not offered someone else's undo, and posting it anyway restores nothing."""
    follow_up = Section.objects.get(article=article, heading="Follow-up")
    co_author = workflow.author()
    article.authors.add(co_author)
    post(as_user(writer), article, action="delete_section", section=str(follow_up.uuid))
    other = as_user(co_author)
    assert 'name="action" value="undo"' not in other.get(edit_url(article)).content.decode()
    response = post(other, article, action="undo", deletion=Deletion.objects.get(article=article).pk)
    assert "Only the person who deleted it can undo a deletion." in messages_of(response)
    assert not Section.objects.filter(uuid=follow_up.uuid).exists()


def test_undo_is_refused_once_its_time_is_up(writer, article):
    follow_up = Section.objects.get(article=article, heading="Follow-up")
    client = as_user(writer)
    post(client, article, action="delete_section", section=str(follow_up.uuid))
    Deletion.objects.update(created_at=Deletion.objects.get().created_at - Deletion.UNDO_WINDOW - timedelta(seconds=1))
    assert 'name="action" value="undo"' not in client.get(edit_url(article)).content.decode()
    response = post(client, article, action="undo", deletion=Deletion.objects.get().pk)
    assert "A deletion can be undone for 15 minutes; this one is older. Add the part again instead." in messages_of(
        response
    )
    assert not Section.objects.filter(uuid=follow_up.uuid).exists()


def test_undo_goes_through_the_edit_lock_of_a_submitted_article(writer, article):
    """The restore is an edit like any other: once the article is submitted it is refused and nothing changes."""
    follow_up = Section.objects.get(article=article, heading="Follow-up")
    deletion = editing.delete_section(article, by=writer, version=0, section=str(follow_up.uuid))
    workflow.submitted(article)
    before = content(article)
    with pytest.raises(Exception, match="content is locked"):
        editing.undo_deletion(article, by=writer, deletion=deletion.pk)
    assert content(article) == before


def test_the_confirmation_page_refuses_the_short_answer_and_someone_elses_article(writer, article):
    answer = Claim.objects.get(article=article, section=None)
    client = as_user(writer)
    response = client.get(confirm_url(article, claim=answer.uuid), follow=True)
    assert "That part of the article no longer exists; the page has been reloaded." in messages_of(response)
    assert as_user(workflow.author()).get(confirm_url(article, claim=answer.uuid)).status_code == 404
