import pytest
from django.db import transaction
from django_fsm import ConcurrentTransition

from articles.models import Article, Claim, ContentLockedError, Section
from references.models import Citation
from tests import workflow
from tests.factories import ReferenceFactory

pytestmark = pytest.mark.django_db


def test_stale_copy_saved_after_approval_cannot_put_back_the_old_state():
    """Saving an article read before a transition refuses instead of undoing the transition."""
    article = workflow.ready_article()
    stale = Article.objects.get(pk=article.pk)
    workflow.approved(article)
    stale.headline = "Edited in an old tab"
    with pytest.raises(ConcurrentTransition), transaction.atomic():
        stale.save()
    article.refresh_from_db()
    assert article.state == Article.State.APPROVED
    assert article.live_version is not None
    assert article.headline == ""


def test_plain_save_never_writes_workflow_fields():
    """A stale copy in the same state still cannot write back an old live version."""
    article = workflow.approved()
    stale = Article.objects.get(pk=article.pk)
    workflow.approved(workflow.submitted(_revised(article)))
    stale.save()
    article.refresh_from_db()
    assert article.live_version.number == 2


def _revised(article: Article) -> Article:
    from editorial.services import perform_transition

    return perform_transition(article, "revise", by=article.authors.first())


def test_section_cannot_be_moved_out_of_an_article_under_review():
    """Moving content into a draft is refused when it leaves a locked article."""
    locked = workflow.under_review()
    draft = workflow.ready_article()
    section = locked.sections.get()
    section.article = draft
    with pytest.raises(ContentLockedError):
        section.save()
    assert Section.objects.get(pk=section.pk).article == locked


def test_bulk_update_and_delete_obey_the_lock():
    """Queryset update() and delete() refuse locked content and change nothing."""
    article = workflow.under_review()
    with pytest.raises(ContentLockedError):
        Claim.objects.filter(article=article).update(text="Rewritten in bulk")
    with pytest.raises(ContentLockedError):
        Citation.objects.filter(claim__article=article).delete()
    with pytest.raises(ContentLockedError):
        Section.objects.filter(article=article).delete()
    assert not Claim.objects.filter(text="Rewritten in bulk").exists()
    assert Citation.objects.filter(claim__article=article).count() == 3


def test_bulk_update_of_a_draft_is_allowed():
    """The lock only holds while the workflow holds the article."""
    article = workflow.ready_article()
    assert Claim.objects.filter(article=article).update(plain_language="In plain words.") == 3


def test_citation_cannot_be_added_to_an_approved_article():
    """New citations on approved content are refused until a revision starts."""
    article = workflow.approved()
    claim = Claim.objects.filter(article=article).first()
    with pytest.raises(ContentLockedError):
        Citation.objects.create(claim=claim, reference=ReferenceFactory(), position=9)
