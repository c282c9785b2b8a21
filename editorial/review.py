"""What the board's review screens show: the article as readers will see it, claim by claim,
with each claim's sources, its marks, what changed since the live version, and the actions the
viewer may take. Reads only; the writes go through `editorial.services`.
"""

import difflib
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django_fsm import can_proceed

from articles.document import (
    Document,
    build_document,
    claim_fingerprints,
    claims_in_reading_order,
    sections_in_reading_order,
    walk,
    with_citation_numbers,
)
from articles.grading import describe
from articles.models import Article
from editorial import conditions, permissions
from editorial.changes import compare, draft_note
from editorial.models import ClaimReview, ReviewAssignment
from editorial.schedule import searches
from editorial.transitions import TRANSITIONS
from integrity.selectors import notices_on


@dataclass(frozen=True)
class Action:
    """A workflow button: shown only when the viewer may take it; ``blocked`` says why it is off."""

    name: str
    label: str
    comment_prompt: str = ""
    blocked: str = ""
    change_note: str | None = None  # approve: the drafted public change note, None for other actions
    change_note_required: bool = False


def available_actions(article: Article, user, document: Document | None = None) -> list[Action]:
    """The transitions ``user`` may perform on ``article`` now, in workflow order."""
    actions = []
    for name, transition in TRANSITIONS.items():
        if not can_proceed(getattr(article, name)) or permissions.refusal(name, user, article):
            continue
        blocked = ""
        if name in ("submit", "approve"):
            document = document if document is not None else build_document(article)
            problems = (
                conditions.readiness(article, document)
                if name == "submit"
                else conditions.approval_problems(article, user, document)
            )
            blocked = str(problems[0]) if problems else ""
        note = None
        if name == "approve":
            document = document if document is not None else build_document(article)
            live = article.live_version.document if article.live_version_id else None
            note = draft_note(live, document)
        actions.append(
            Action(
                name,
                transition.button,
                transition.comment_prompt,
                blocked,
                note,
                change_note_required=note is not None and bool(article.live_version_id),
            )
        )
    return actions


@dataclass
class Mark:
    verified: bool
    comment: str
    by: str
    at: Any
    current: bool  # False when the claim changed after it was marked: the mark no longer counts
    replies: list = field(default_factory=list)  # the authors' answers to a "needs change" comment
    carried_by: str = ""  # set when ``by`` checked it in an earlier round and this reviewer carried it over
    carried_at: Any = None
    checked_round: int | None = None


@dataclass
class ClaimRow:
    uuid: str
    place: str
    text: str
    plain_language: str
    depth: int
    numbers: list[int]
    references: list[dict]
    mark: Mark | None = None
    comments: list[Mark] = field(default_factory=list)
    change: str = ""  # "added", "edited" or "" when unchanged since the live version (or no live version)
    text_diff: SafeString | None = None
    carry_over: bool = False
    grade: str = ""  # "moderate certainty; strong for", "" when ungraded
    grade_before: str | None = None  # the live version's grade, when this one differs from it
    evidence: Any = None  # its evidence search (articles.evidence.EvidenceSearch), None when undated


@dataclass
class SectionRow:
    heading: str
    depth: int
    change: str = ""


@dataclass
class ReviewPage:
    article: Article
    document: Document
    rows: list
    reviewer: Any
    assignments: list[ReviewAssignment]
    can_mark: bool
    verified: int
    total: int
    removed: list[str]
    other_changes: list[str]
    compared_with: Any
    carry_over: int
    actions: list[Action]
    # The viewer's own declaration of competing interests for this review: why they cannot review
    # yet ("" when they may), and whether the form to declare is theirs to fill in.
    declaration_refusal: str = ""
    may_declare: bool = False

    @property
    def progress_percent(self) -> int:
        return round(100 * self.verified / self.total) if self.total else 0


def word_diff(before: str, after: str) -> SafeString:
    """Mark removed words <del> and added words <ins>, escaping the text."""
    old, new = before.split(), after.split()
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(escape(" ".join(old[i1:i2])))
            continue
        if op in ("delete", "replace"):
            parts.append(f"<del>{escape(' '.join(old[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{escape(' '.join(new[j1:j2]))}</ins>")
    return mark_safe(" ".join(parts))  # noqa: S308 - every piece of text above is escaped


def review_page(article: Article, user) -> ReviewPage:
    """Everything the review screen shows, in a fixed number of queries whatever the article's size.

    Queries: the document (3), the notices on its references (1), the facts its fingerprints
    cover (1), the round's open assignments (1), every mark on the article (1), the live version
    when there is one (1), the viewer's declaration, and the permission checks of the buttons.
    """
    document = with_citation_numbers(build_document(article))
    references = {reference["uuid"]: reference for reference in document["references"]}
    notices = notices_on(references)
    fingerprints = claim_fingerprints(document)
    evidence = searches(document)
    assignments = list(ReviewAssignment.objects.current_round(article).active().select_related("reviewer"))
    mine = next((a for a in assignments if a.reviewer_id == user.pk), None)
    reviewer = mine.reviewer if mine else (assignments[0].reviewer if assignments else None)
    reviews = list(
        ClaimReview.objects.filter(assignment__article=article)
        .select_related("assignment__reviewer", "carried_from__assignment__reviewer")
        .prefetch_related("replies")
        .order_by("created_at", "id")
    )
    latest: dict[str, ClaimReview] = {}
    comments: dict[str, list[Mark]] = {}
    verified_before: dict[str, ClaimReview] = {}
    for review in reviews:
        uuid = str(review.claim_uuid)
        current = review.claim_fingerprint == fingerprints.get(uuid)
        if reviewer is not None and review.assignment.reviewer_id == reviewer.pk:
            latest[uuid] = review
        if not review.verified:
            comments.setdefault(uuid, []).append(_mark(review, current))
        if review.assignment.round < article.review_round and current:
            verified_before[uuid] = review  # the latest earlier-round mark on this exact content
    verified = {uuid for uuid, review in latest.items() if review.verified and _is_current(review, fingerprints)}

    compared_with = article.live_version if article.live_version_id and article.state != "approved" else None
    old_claims, old_sections, removed, other_changes = {}, {}, [], []
    if compared_with is not None:
        old_claims, old_sections, removed, other_changes = _previous(compared_with.document, document)

    rows: list = []
    can_mark = mine is not None and not permissions.refusal("review_claims", user, article)
    declaration_refusal = permissions.declaration_refusal(user, article) if mine is not None else ""

    def claim_row(place: str, claim: dict, depth: int) -> ClaimRow:
        uuid = claim["uuid"]
        review = latest.get(uuid)
        row = ClaimRow(
            uuid=uuid,
            place=place,
            text=claim["text"],
            plain_language=claim["plain_language"],
            depth=depth,
            numbers=claim["numbers"],
            # Copies: the document's own entries are what the fingerprints digest.
            references=[
                {**references[ref_uuid], "board_notices": notices.get(ref_uuid, [])} for ref_uuid in claim["citations"]
            ],
            mark=_mark(review, _is_current(review, fingerprints)) if review else None,
            comments=comments.get(uuid, []),
            grade=describe(claim.get("grade")) if claim.get("grade") else "",
            evidence=evidence.get(uuid),
        )
        if compared_with is not None:
            old = old_claims.get(uuid)
            if old is not None and old.get("grade") != claim.get("grade"):
                row.grade_before = describe(old.get("grade"))
            if old is None:
                row.change = "added"
            elif old["text"] != claim["text"] or old["plain_language"] != claim["plain_language"]:
                row.change = "edited"
                row.text_diff = word_diff(old["text"], claim["text"])
            elif old["citations"] != claim["citations"] or row.grade_before is not None:
                row.change = "edited"
        earlier = verified_before.get(uuid)
        row.carry_over = bool(can_mark and earlier and earlier.verified and uuid not in verified)
        return row

    section_depth = 0
    for place in walk(document):
        if place.kind == "summary":
            rows.append(SectionRow(document["headline"] or "Short answer", 0))
            rows.append(claim_row("The short answer", place.node, 0))
        elif place.kind == "claim":
            rows.append(claim_row(f"{place.trail[-1]}, claim {place.number}", place.node, place.depth + section_depth))
        else:
            section = place.node
            change = ""
            if compared_with is not None:
                old = old_sections.get(section["uuid"])
                change = "added" if old is None else ("edited" if old["heading"] != section["heading"] else "")
            section_depth = place.depth
            rows.append(SectionRow(section["heading"], place.depth, change))

    return ReviewPage(
        article=article,
        document=document,
        rows=rows,
        reviewer=reviewer,
        assignments=assignments,
        can_mark=can_mark,
        verified=len(verified),
        total=len(fingerprints),
        removed=removed,
        other_changes=other_changes,
        compared_with=compared_with,
        carry_over=sum(1 for row in rows if isinstance(row, ClaimRow) and row.carry_over),
        actions=available_actions(article, user, document),
        declaration_refusal=declaration_refusal or "",
        may_declare=declaration_refusal == permissions.UNDECLARED,
    )


def _is_current(review: ClaimReview | None, fingerprints: dict[str, str]) -> bool:
    return review is not None and review.claim_fingerprint == fingerprints.get(str(review.claim_uuid))


def _mark(review: ClaimReview, current: bool) -> Mark:
    """A mark as the page shows it: a carried-over one names who checked the claim, and when."""
    checked = review.checked_in
    carried = checked is not review
    return Mark(
        review.verified,
        review.comment,
        str(checked.assignment.reviewer),
        checked.created_at,
        current,
        list(review.replies.all()),
        carried_by=str(review.assignment.reviewer) if carried else "",
        carried_at=review.created_at if carried else None,
        checked_round=checked.assignment.round if carried else None,
    )


def _previous(before: Document, after: Document):
    """The live version's claims and sections by UUID, what is gone since, and grade and reference edits."""
    old_claims = {claim["uuid"]: claim for claim in claims_in_reading_order(before)}
    new_claims = {claim["uuid"] for claim in claims_in_reading_order(after)}
    old_sections = {section["uuid"]: section for section in sections_in_reading_order(before)}
    new_sections = {section["uuid"] for section in sections_in_reading_order(after)}
    removed = [f"Section “{s['heading']}”" for uuid, s in old_sections.items() if uuid not in new_sections]
    removed += [f"Claim “{c['text']}”" for uuid, c in old_claims.items() if uuid not in new_claims]
    changes = compare(before, after)
    return old_claims, old_sections, removed, [*changes.grades, *changes.references]
