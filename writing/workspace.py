"""What the author's screens show: their articles with the next step, and a draft as an outline
with its citations, the reviewers' comments and a live pre-submit checklist. Reads only."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.urls import reverse

from articles.document import (
    Document,
    build_document,
    claim_fingerprints,
    claims_in_reading_order,
    with_citation_numbers,
)
from articles.models import Article
from editorial.conditions import Problem, author_declarations, evidence_problems, submission_problems
from editorial.models import ClaimReview, ReviewAssignment, ReviewReply, TransitionLog
from integrity.selectors import citing_reasons, notices_on
from references.models import Citation, NormalizedIdentifierField, Reference


@dataclass
class Comment:
    id: int
    reviewer: str
    text: str
    at: Any
    claim_changed: bool
    replies: list[ReviewReply] = field(default_factory=list)


def _excerpt(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def open_comments(article: Article):
    """The last round's "needs change" comments that the author has not answered yet."""
    return ClaimReview.objects.filter(
        assignment__article=article, assignment__round=article.review_round, verified=False
    ).exclude(Exists(ReviewReply.objects.filter(review=OuterRef("pk"))))


def my_articles(user):
    """The user's articles with what the next step needs: open comments, reviewer and due date."""
    unanswered = (
        ClaimReview.objects.filter(
            assignment__article=OuterRef("pk"), assignment__round=OuterRef("review_round"), verified=False
        )
        .exclude(Exists(ReviewReply.objects.filter(review=OuterRef("pk"))))
        .order_by()
        .values("assignment__article")
        .annotate(total=Count("pk"))
        .values("total")
    )
    reviewers = Prefetch(
        "assignments",
        queryset=ReviewAssignment.objects.active().select_related("reviewer").order_by("due_at"),
        to_attr="open_assignments",
    )
    return (
        Article.objects.filter(authors=user)
        .select_related("live_version", "topic")
        .prefetch_related(reviewers)
        .annotate(open_comments=Subquery(unanswered, output_field=IntegerField()))
        .order_by("-updated_at")
    )


def next_step(article: Article) -> str:
    """The author's next action, in a few words."""
    if article.state == Article.State.DRAFT:
        return "Finish and submit"
    if article.state == Article.State.CHANGES_REQUESTED:
        count = article.open_comments or 0
        if count:
            return f"Answer {count} review comment{'s' if count != 1 else ''}"
        return "Resubmit"
    if article.state == Article.State.SUBMITTED:
        return "Waiting for a reviewer"
    if article.state == Article.State.UNDER_REVIEW:
        return "In review"
    if article.state == Article.State.APPROVED:
        return "Revise"
    return "Withdrawn"


@dataclass
class Workspace:
    article: Article
    document: Document
    gathered: list[Reference]
    checklist: list[Problem]  # the same rule the submit service applies
    comments: dict[str, list[Comment]]
    cited_uuids: set[str]
    changes_requested: TransitionLog | None = None  # the reviewer's overall comment on this round
    declarations: dict = field(default_factory=dict)  # the authors' for the next submission, by person id
    edit_url: str = ""

    @property
    def open_comment_count(self) -> int:
        return sum(1 for comments in self.comments.values() for comment in comments if not comment.replies)


def changes_requested(article: Article) -> TransitionLog | None:
    """The log entry of the reviewer's "request changes" on the last round, if it came back with them."""
    latest = (
        TransitionLog.objects.filter(article=article, transition__in=("submit", "request_changes"))
        .order_by("-created_at", "-id")
        .first()
    )
    return latest if latest is not None and latest.transition == "request_changes" else None


def workspace(article: Article) -> Workspace:
    """The editor's view of a draft in a fixed number of queries: the document (3), the gathered
    references and which of them other articles cite (2), the last round's comments with their
    replies (2), the citations' ids (1), the reviewer's overall comment (1), the notices on the cited
    references (1, and the reasons stated for citing a retracted one when there is one) and the
    authors' declarations of competing interests (1)."""
    raw = build_document(article)
    fingerprints = claim_fingerprints(raw)
    gathered = list(
        Reference.objects.filter(Q(gathered_by=article) | Q(citations__claim__article=article))
        .distinct()
        .order_by("title")
    )
    shared = set(
        Citation.objects.filter(reference__in=[reference.pk for reference in gathered])
        .exclude(claim__article=article)
        .values_list("reference", flat=True)
    )
    for reference in gathered:
        reference.shared = reference.pk in shared
    comments: dict[str, list[Comment]] = {}
    reviews = (
        ClaimReview.objects.filter(assignment__article=article, verified=False)
        .filter(assignment__round=article.review_round)
        .select_related("assignment__reviewer")
        .prefetch_related("replies")
        .order_by("created_at", "id")
    )
    for review in reviews:
        comments.setdefault(str(review.claim_uuid), []).append(
            Comment(
                id=review.pk,
                reviewer=str(review.assignment.reviewer),
                text=review.comment,
                at=review.created_at,
                claim_changed=fingerprints.get(str(review.claim_uuid)) != review.claim_fingerprint,
                replies=list(review.replies.all()),
            )
        )
    document = with_citation_numbers(raw)
    numbers = {reference["uuid"]: reference for reference in document["references"]}
    citations: dict[str, list[dict]] = {}
    rows = (
        Citation.objects.filter(claim__article=article)
        .order_by("position", "id")
        .values_list("pk", "claim__uuid", "reference__uuid")
    )
    for pk, claim_uuid, reference_uuid in rows:
        reference = numbers[str(reference_uuid)]
        citations.setdefault(str(claim_uuid), []).append(
            {"id": pk, "number": reference["number"], "title": reference["title"]}
        )
    notices = notices_on(numbers)
    reasons = citing_reasons(claim["uuid"] for claim in claims_in_reading_order(raw)) if notices else {}
    for claim in claims_in_reading_order(document):
        claim["citation_rows"] = citations.get(claim["uuid"], [])
        claim["comments"] = comments.get(claim["uuid"], [])
        # Notices on the sources it cites; a retraction asks why the claim still cites it.
        claim["notices"] = [
            {
                "reference_uuid": uuid,
                "number": numbers[uuid]["number"],
                "notice": notice,
                "reason": reasons.get((claim["uuid"], uuid), ""),
            }
            for uuid in claim["citations"]
            for notice in notices.get(uuid, ())
        ]
    declared = author_declarations(article)
    return Workspace(
        article=article,
        document=document,
        gathered=gathered,
        checklist=[
            *submission_problems(raw, gathered),
            *evidence_problems(article, raw, notices=notices, declared=declared),
        ],
        declarations=declared,
        comments=comments,
        cited_uuids={reference["uuid"] for reference in raw["references"]},
        changes_requested=changes_requested(article),
        edit_url=reverse("writing:edit", args=[article.pk]),
    )


def search_library(query: str, *, limit: int = 10):
    """References matching a title word, a DOI or a PMID, for the citation picker."""
    query = query.strip()
    if not query:
        return Reference.objects.none()
    condition = Q(title__icontains=query) | Q(authors__icontains=query)
    for name in ("doi", "pmid"):
        field = Reference._meta.get_field(name)
        if isinstance(field, NormalizedIdentifierField) and (value := field.to_python(query)):
            condition |= Q(**{f"{name}__iexact": value})
    return Reference.objects.filter(condition).order_by("title")[:limit]
