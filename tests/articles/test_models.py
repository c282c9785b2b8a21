import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from articles.models import Article, Claim, Section
from tests.factories import ArticleFactory, ClaimFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_slug_is_made_from_the_question():
    """The slug is the question, slugified."""
    article = ArticleFactory(title="What is the treatment for muscle jerking?")
    assert article.slug == "what-is-the-treatment-for-muscle-jerking"
    assert article.get_absolute_url() == "/articles/what-is-the-treatment-for-muscle-jerking/"


def test_slug_is_unique_when_two_questions_read_the_same():
    """A second article with the same question gets a numbered slug."""
    first = ArticleFactory(title="Is coffee safe in pregnancy?")
    second = ArticleFactory(title="Is coffee safe in pregnancy?")
    assert (first.slug, second.slug) == ("is-coffee-safe-in-pregnancy", "is-coffee-safe-in-pregnancy-2")


def test_slug_stays_when_the_title_is_edited():
    """Links keep working after the question is reworded."""
    article = ArticleFactory(title="Old wording?")
    article.title = "New wording?"
    article.save()
    article.refresh_from_db()
    assert article.slug == "old-wording"


def test_new_article_is_a_draft_and_its_state_cannot_be_assigned():
    """The state starts at draft and is protected from direct assignment."""
    article = ArticleFactory()
    assert article.state == Article.State.DRAFT
    with pytest.raises(AttributeError):
        article.state = Article.State.APPROVED
    article.refresh_from_db()
    assert article.state == Article.State.DRAFT


def test_sections_and_claims_come_back_in_position_order():
    """Positions, not insertion order, decide reading order."""
    article = ArticleFactory()
    later = SectionFactory(article=article, position=2, heading="Later")
    earlier = SectionFactory(article=article, position=1, heading="Earlier")
    assert list(article.sections.all()) == [earlier, later]
    second = ClaimFactory(section=earlier, position=5)
    first = ClaimFactory(section=earlier, position=0)
    assert list(earlier.claims.all()) == [first, second]


def test_sub_section_must_belong_to_the_same_article():
    """A section cannot be nested under another article's section."""
    parent = SectionFactory()
    child = SectionFactory.build(article=ArticleFactory(), parent=parent)
    with pytest.raises(ValidationError) as caught:
        child.full_clean()
    assert caught.value.error_dict["parent"][0].code == "other_article"


def test_sections_nest_at_most_three_levels():
    """h2 → h3 → h4 is allowed; a fourth level is refused."""
    top = SectionFactory()
    middle = SectionFactory(article=top.article, parent=top)
    bottom = SectionFactory(article=top.article, parent=middle)
    bottom.full_clean()
    too_deep = SectionFactory.build(article=top.article, parent=bottom)
    with pytest.raises(ValidationError) as caught:
        too_deep.full_clean()
    assert caught.value.error_dict["parent"][0].code == "too_deep"


def test_section_cannot_be_its_own_ancestor():
    """Moving a section under its own child is refused."""
    top = SectionFactory()
    child = SectionFactory(article=top.article, parent=top)
    top.parent = child
    with pytest.raises(ValidationError) as caught:
        top.full_clean()
    assert caught.value.error_dict["parent"][0].code == "cycle"


def test_nested_claim_must_sit_in_its_parents_section():
    """A nested claim lives in the same section as the claim it details."""
    parent = ClaimFactory()
    other_section = SectionFactory(article=parent.article)
    child = ClaimFactory.build(section=other_section, article=parent.article, parent=parent)
    with pytest.raises(ValidationError) as caught:
        child.full_clean()
    assert caught.value.error_dict["parent"][0].code == "other_section"


def test_claim_section_must_belong_to_the_claims_article():
    """A claim cannot point at a section of another article."""
    claim = ClaimFactory.build(section=SectionFactory(), article=ArticleFactory())
    with pytest.raises(ValidationError) as caught:
        claim.full_clean()
    assert caught.value.error_dict["section"][0].code == "other_article"


def test_claims_nest_at_most_three_levels():
    """A claim under a claim under a claim is the limit."""
    first = ClaimFactory()
    second = ClaimFactory(section=first.section, parent=first)
    third = ClaimFactory(section=first.section, parent=second)
    third.full_clean()
    with pytest.raises(ValidationError) as caught:
        ClaimFactory.build(section=first.section, article=first.article, parent=third).full_clean()
    assert caught.value.error_dict["parent"][0].code == "too_deep"


def test_an_article_has_one_short_answer():
    """The short answer is the claim without a section; a second one is refused."""
    article = ArticleFactory()
    summary = ClaimFactory(section=None, article=article, text="The short answer.")
    assert summary.is_summary
    assert list(Claim.objects.summaries()) == [summary]
    with pytest.raises(ValidationError):
        ClaimFactory.build(section=None, article=article).full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        Claim.objects.create(article=article, text="Another short answer.")


def test_the_short_answer_cannot_be_nested():
    """The database refuses a summary claim with a parent."""
    parent = ClaimFactory()
    with transaction.atomic(), pytest.raises(IntegrityError):
        Claim.objects.create(article=parent.article, section=None, parent=parent, text="Nested summary")


def test_deleting_a_section_removes_its_sub_sections_and_claims():
    """A section's content goes with it; the article and other sections stay."""
    keep = SectionFactory()
    drop = SectionFactory(article=keep.article)
    SectionFactory(article=keep.article, parent=drop)
    ClaimFactory(section=drop)
    kept_claim = ClaimFactory(section=keep)
    drop.delete()
    assert list(Section.objects.all()) == [keep]
    assert list(Claim.objects.all()) == [kept_claim]
