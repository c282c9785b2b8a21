"""The author's edits: atomic, permission-checked, refused on a stale page, refused when locked."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from articles.models import Article, Claim, ContentLockedError, Section
from editorial.exceptions import TransitionForbiddenError
from editorial.models import ReviewReply
from editorial.services import perform_transition, record_claim_review
from references.models import Citation
from tests import workflow
from tests.factories import ReferenceFactory
from writing import editing

pytestmark = pytest.mark.django_db


def draft(**kwargs) -> Article:
    return workflow.ready_article(**kwargs)


def fresh(article: Article) -> Article:
    return Article.objects.get(pk=article.pk)


def test_each_saved_change_raises_the_edit_version():
    """A section, a claim and a citation each bump the version the next save must name."""
    article = draft()
    author = article.authors.get()
    section = editing.add_section(article, by=author, version=0, heading="Follow-up")
    claim = editing.add_claim(article, by=author, version=1, section=str(section.uuid), text="Review after 3 months.")
    editing.cite(article, by=author, version=2, claim=str(claim.uuid), reference=ReferenceFactory().pk)
    assert fresh(article).edit_version == 3
    assert claim.history.first().history_user == author


def test_a_save_from_a_stale_page_is_refused_and_writes_nothing():
    """Two tabs: the second save names an old version and is refused; the first one's text stays."""
    article = draft()
    author = article.authors.get()
    claim = Claim.objects.filter(article=article).exclude(section=None).first()
    editing.update_claim(
        article, by=author, version=0, claim=str(claim.uuid), text="First tab's words.", plain_language=""
    )
    with pytest.raises(editing.EditConflictError):
        editing.update_claim(
            article, by=author, version=0, claim=str(claim.uuid), text="Second tab's words.", plain_language=""
        )
    claim.refresh_from_db()
    assert claim.text == "First tab's words."
    assert fresh(article).edit_version == 1


def test_two_authors_cannot_overwrite_each_other():
    """A co-author saving after the first author's change gets the conflict, not a silent overwrite."""
    first = workflow.author()
    article = draft(by=first)
    second = workflow.author()
    article.authors.add(second)
    editing.update_article(article, by=first, version=0, title="What is the first-line treatment?", headline="")
    with pytest.raises(editing.EditConflictError):
        editing.update_article(article, by=second, version=0, title="Another title?", headline="")
    assert fresh(article).title == "What is the first-line treatment?"


@pytest.mark.parametrize("who", ["another author", "reviewer", "anonymous"])
def test_only_authors_and_editors_may_edit(who):
    """Another author, a board member or an anonymous visitor is refused; nothing changes."""
    article = draft()
    person = {"another author": workflow.author, "reviewer": workflow.reviewer, "anonymous": AnonymousUser}[who]()
    with pytest.raises(TransitionForbiddenError):
        editing.add_section(article, by=person, version=0, heading="Sneaky")
    assert not Section.objects.filter(heading="Sneaky").exists()
    editor_section = editing.add_section(article, by=workflow.editor(), version=0, heading="Editor's section")
    assert editor_section.pk


def test_content_is_read_only_once_submitted():
    """While the board holds it nothing can be edited, not even by its author."""
    article = workflow.submitted()
    with pytest.raises(ContentLockedError):
        editing.add_section(article, by=article.authors.get(), version=0, heading="Late addition")


def test_invalid_content_is_refused_and_the_version_stays():
    """An empty claim fails validation; the version does not move, so the page stays current."""
    article = draft()
    section = article.sections.get()
    with pytest.raises(ValidationError) as refused:
        editing.add_claim(article, by=article.authors.get(), version=0, section=str(section.uuid), text="   ")
    assert "text" in str(refused.value)
    assert fresh(article).edit_version == 0


def test_claims_nest_and_move_within_their_siblings():
    """A nested claim sits under its parent; moving a claim swaps it with its neighbour."""
    article = draft(claims=2)
    author = article.authors.get()
    section = article.sections.get()
    first, second = Claim.objects.filter(section=section, parent=None).order_by("position")
    child = editing.add_claim(
        article, by=author, version=0, section=str(section.uuid), parent=str(first.uuid), text="A nested detail."
    )
    assert child.parent == first
    editing.move(article, by=author, version=1, kind="claim", uuid=str(second.uuid), direction="up")
    assert list(Claim.objects.filter(section=section, parent=None).order_by("position")) == [second, first]


def test_citing_gathers_the_reference_and_uncite_removes_the_citation():
    article = draft(claims=1)
    author = article.authors.get()
    claim = Claim.objects.filter(article=article).exclude(section=None).get()
    reference = ReferenceFactory()
    citation = editing.cite(article, by=author, version=0, claim=str(claim.uuid), reference=reference.pk)
    assert reference in fresh(article).gathered_references.all()
    editing.uncite(article, by=author, version=1, citation=citation.pk)
    assert not Citation.objects.filter(pk=citation.pk).exists()


def test_authors_answer_reviewer_comments_after_changes_are_requested():
    """The answer is kept with the comment; a stranger cannot answer."""
    board_member = workflow.reviewer()
    article = workflow.under_review(by=board_member)
    claim = Claim.objects.filter(article=article).exclude(section=None).first()
    comment = record_claim_review(claim, by=board_member, verified=False, comment="Which dose?")
    perform_transition(article, "request_changes", by=board_member, comment="See the claim comment.")
    article.refresh_from_db()
    with pytest.raises(TransitionForbiddenError):
        editing.answer_comment(article, by=workflow.author(), review=comment.pk, text="Not mine.")
    reply = editing.answer_comment(article, by=article.authors.get(), review=comment.pk, text="0.5 mg at night.")
    assert list(ReviewReply.objects.filter(review=comment)) == [reply]
