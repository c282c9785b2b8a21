"""Walk articles through the real workflow for tests: no state is ever assigned directly."""

from datetime import datetime, timedelta

from django.utils import timezone

from articles.document import build_document, claims_in_reading_order
from articles.models import Article, Claim
from editorial import roles
from editorial.evidence import declare_interests
from editorial.models import ArticleVersion, ClaimReview, ReviewAssignment, TransitionLog
from editorial.services import perform_transition, record_claim_review
from integrity.models import Declaration
from pages.models import BoardMember
from tests.factories import (
    ArticleFactory,
    BoardMemberFactory,
    ClaimFactory,
    ReferenceFactory,
    SectionFactory,
    UserFactory,
    cite,
)


def author(**kwargs):
    return UserFactory(groups=[roles.AUTHORS], **kwargs)


def reviewer(*, board_profile: bool = True, **kwargs):
    """A board member who can review; readers can look them up on the board page unless told not."""
    member = UserFactory(groups=[roles.REVIEWERS], **kwargs)
    if board_profile:
        # Set up as already there: bulk_create sends no signal, so no purge of the board page is queued.
        BoardMember.objects.bulk_create([BoardMemberFactory.build(user=member, name=str(member))])
    return member


def editor(**kwargs):
    return UserFactory(groups=[roles.EDITORS], **kwargs)


def ready_article(*, by=None, claims: int = 2, **kwargs) -> Article:
    """A draft that passes every submission check: a cited short answer, cited claims, and its
    author's declaration of no competing interests."""
    article = ArticleFactory(**kwargs)
    article.authors.add(by or author())
    declare_none(article, article.authors.get())
    reference = ReferenceFactory()
    cite(ClaimFactory(article=article, section=None, text="The short answer."), reference)
    section = SectionFactory(article=article, heading="Treatment")
    for position in range(claims):
        cite(ClaimFactory(section=section, position=position), reference)
    return article


def declare_none(article: Article, person, *, role: str = Declaration.Role.AUTHOR) -> Declaration:
    """``person`` declares no competing interests: an author for the next submission, a reviewer for this round."""
    return declare_interests(article, by=person, role=role, relationships={}, none=True)


def declare_authors(article: Article) -> None:
    """Every author who has not declared for the next submission declares no competing interests."""
    declared = Declaration.objects.filter(article=article, round=article.review_round + 1).values("person")
    for person in article.authors.exclude(pk__in=declared):
        declare_none(article, person)


def submitted(article: Article | None = None) -> Article:
    """The authors declare (`declare_authors`), then the first submits."""
    article = article or ready_article()
    declare_authors(article)
    return perform_transition(article, "submit", by=article.authors.first())


def under_review(article: Article | None = None, *, by=None) -> Article:
    """Submitted, taken by ``by`` (a new board member by default), who declares no competing interests."""
    article = article if article is not None and article.state == Article.State.SUBMITTED else submitted(article)
    by = by or reviewer()
    article = perform_transition(article, "start_review", by=by)
    declare_none(article, by, role=Declaration.Role.REVIEWER)
    return article


def verify_all(article: Article, by) -> None:
    claims = {str(claim.uuid): claim for claim in Claim.objects.filter(article=article)}
    for node in claims_in_reading_order(build_document(article)):
        record_claim_review(claims[node["uuid"]], by=by, verified=True)


def approved(article: Article | None = None, *, by=None, change_note: str | None = None) -> Article:
    """Submit, review, verify every claim and approve: the article gets a live version.

    A revision's approval gets ``change_note`` or a stock one (readers need a note from version 2 on).
    """
    by = by or reviewer()
    article = under_review(article, by=by)
    verify_all(article, by)
    if change_note is None:
        change_note = "Revised for a test." if article.live_version_id else ""
    return perform_transition(article, "approve", by=by, change_note=change_note)


def superuser(**kwargs):
    return UserFactory(is_superuser=True, is_staff=True, **kwargs)


def in_days(days: float) -> datetime:
    return timezone.now() + timedelta(days=days)


def withdrawn(article: Article | None = None, *, by=None) -> Article:
    """Approve (unless already approved), then withdraw as an editor."""
    article = article if article is not None and article.state == Article.State.APPROVED else approved(article)
    return perform_transition(article, "withdraw", by=by or editor(), comment="Withdrawn for a test.")


def snapshot(article: Article) -> dict:
    """Everything the workflow writes about ``article``, as comparable values."""
    row = Article.objects.filter(pk=article.pk).values("state", "review_round", "live_version_id").get()
    return {
        **row,
        "logs": list(TransitionLog.objects.filter(article=article).values_list("id", flat=True)),
        "assignments": list(
            ReviewAssignment.objects.filter(article=article)
            .order_by("id")
            .values_list("id", "reviewer_id", "status", "approved_content_hash", "closed_at")
        ),
        "claim_reviews": list(ClaimReview.objects.filter(assignment__article=article).values_list("id", flat=True)),
        "versions": list(ArticleVersion.objects.filter(article=article).values_list("id", flat=True)),
        "history": article.history.count(),
    }
