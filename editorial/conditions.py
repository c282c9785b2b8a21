"""What an article must satisfy before a transition, as a list of problems a person can fix."""

from dataclasses import dataclass
from typing import Any

from articles.document import Document, claim_fingerprints, walk
from articles.grading import is_recommendation_without_certainty
from editorial.models import ClaimReview
from integrity.models import Declaration
from integrity.selectors import citing_reasons, notices_on, round_declarations
from references.models import Reference


def _excerpt(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def located_claims(document: Document):
    """Yield (place, claim) for every claim, where place reads like “Section “A › B”, claim 2.1”."""
    for place in walk(document):
        if place.kind == "summary":
            yield "The short answer", place.node
        elif place.kind == "claim":
            yield f"Section “{' › '.join(place.trail)}”, claim {place.number}", place.node


@dataclass(frozen=True)
class Problem:
    """One thing to fix before submitting: what is wrong, and the editor's element id of the place."""

    message: str
    anchor: str

    def __str__(self) -> str:
        return self.message


def submission_problems(document: Document, gathered=()) -> list[Problem]:
    """Everything that keeps an article from review, in reading order: a missing or uncited short
    answer, no claim at all, sections without claims, uncited claims, recommendations without a
    certainty of evidence, references gathered but cited nowhere, and cited references missing
    what a reader needs to find them.

    The one readiness rule: the author's checklist, the submit service and the admin's Submit
    button all ask it. ``gathered``: the article's gathered references (model instances).
    """
    problems = []
    summary = document["summary"]
    if summary is None or not summary["text"].strip():
        problems.append(Problem("Write the short answer.", "answer"))
    elif not summary["citations"]:
        problems.append(
            Problem(f"The short answer (“{_excerpt(summary['text'])}”) cites no reference.", f"claim-{summary['uuid']}")
        )

    def claim_count(section: dict[str, Any]) -> int:
        return len(section["claims"]) + sum(claim_count(child) for child in section["children"])

    if not any(claim_count(section) for section in document["sections"]):
        problems.append(Problem("Add at least one section with a claim.", "sections"))

    for place in walk(document):
        if place.kind == "section" and not claim_count(place.node):
            problems.append(
                Problem(f"Section “{' › '.join(place.trail)}” has no claims.", f"section-{place.node['uuid']}")
            )
        elif place.kind == "claim" and not place.node["citations"]:
            where = f"Section “{' › '.join(place.trail)}”, claim {place.number} (“{_excerpt(place.node['text'])}”)"
            problems.append(Problem(f"{where} cites no reference.", f"claim-{place.node['uuid']}"))
    for where, claim in located_claims(document):
        if is_recommendation_without_certainty(claim.get("grade")):
            problems.append(
                Problem(
                    f"{where} (“{_excerpt(claim['text'])}”) is a {claim['grade']['strength']} recommendation "
                    "without a certainty of evidence: grade it, or mark it a good-practice statement.",
                    f"claim-{claim['uuid']}",
                )
            )
    cited = {reference["uuid"] for reference in document["references"]}
    by_uuid = {str(reference.uuid): reference for reference in gathered}
    for uuid, reference in by_uuid.items():
        if uuid not in cited:
            problems.append(
                Problem(f"Reference “{_excerpt(reference.title)}” is cited nowhere.", f"reference-{reference.pk}")
            )
    for entry in document["references"]:
        missing = [name for name in Reference.REQUIRED_FOR_CITING if not entry[name]]
        if missing:
            reference = by_uuid.get(entry["uuid"])
            problems.append(
                Problem(
                    f"Reference {entry['number']} (“{_excerpt(entry['title'])}”) has no {', '.join(missing)}.",
                    f"reference-{reference.pk}" if reference else "references",
                )
            )
    return problems


def readiness(article, document: Document) -> list[Problem]:
    """`submission_problems` for ``article``, reading its gathered references (one query), then the
    claims citing a retracted source without a stated reason (two) and the authors who have not
    declared their competing interests for this submission (one)."""
    return [
        *submission_problems(document, Reference.objects.filter(gathered_by=article)),
        *evidence_problems(article, document),
    ]


def evidence_problems(article, document: Document, *, notices=None, declared=None) -> list[Problem]:
    """`retraction_problems` and `declaration_problems`: what the author's checklist adds to
    `submission_problems`. ``notices`` and ``declared``, when the caller read them already."""
    return [*retraction_problems(document, notices), *declaration_problems(article, declared)]


def retraction_problems(document: Document, notices=None) -> list[Problem]:
    """Each claim citing a retracted source without saying why (an article may discuss a retraction).

    Queries: the notices on the cited references (unless given, as `notices_on` reads them); the
    stated reasons, only when a cited source is retracted.
    """
    references = {reference["uuid"]: reference for reference in document["references"]}
    notices = notices_on(references) if notices is None else notices
    retracted = {uuid: found for uuid, found in notices.items() if any(notice.is_retraction for notice in found)}
    if not retracted:
        return []
    claims = list(located_claims(document))
    reasons = citing_reasons(claim["uuid"] for _, claim in claims)
    problems = []
    for place, claim in claims:
        for uuid in claim["citations"]:
            if uuid in retracted and (claim["uuid"], uuid) not in reasons:
                notice = next(notice for notice in retracted[uuid] if notice.is_retraction)
                when = f" on {notice.notice_date:%Y-%m-%d}" if notice.notice_date else ""
                problems.append(
                    Problem(
                        f"{place} (“{_excerpt(claim['text'])}”) cites “{_excerpt(references[uuid]['title'])}”, "
                        f"retracted{when}: say why it still cites it, or cite another source.",
                        f"claim-{claim['uuid']}",
                    )
                )
    return problems


def declaration_problems(article, declared=None) -> list[Problem]:
    """Authors who have not declared competing interests for the round a submission opens.

    ``declared``: `author_declarations` of the article, when the caller read them (else one query).
    """
    declared = author_declarations(article) if declared is None else declared
    return [
        Problem(f"{author.display_name} has not declared competing interests for this submission.", "declaration")
        for author in article.authors.all()
        if author.pk not in declared
    ]


def author_declarations(article) -> dict:
    """The authors' newest declarations for the round the next submission opens, by person id."""
    return round_declarations(article, article.review_round + 1, role=Declaration.Role.AUTHOR)


def verified_marks(article, reviewer, document: Document) -> dict[str, ClaimReview]:
    """Each claim's latest mark by ``reviewer`` where it is “verified” on the content the claim
    has now, with the reviewer who checked it (the adopter's own, or the carried mark's)."""
    latest: dict[str, ClaimReview] = {}
    reviews = (
        ClaimReview.objects.filter(assignment__article=article, assignment__reviewer=reviewer)
        .select_related("assignment__reviewer__board_profile", "carried_from__assignment__reviewer__board_profile")
        .order_by("created_at", "id")
    )
    for review in reviews:
        latest[str(review.claim_uuid)] = review
    fingerprints = claim_fingerprints(document)
    return {
        uuid: latest[uuid]
        for uuid, fingerprint in fingerprints.items()
        if uuid in latest and latest[uuid].verified and latest[uuid].claim_fingerprint == fingerprint
    }


def verified_claim_uuids(article, reviewer, document: Document) -> set[str]:
    """Claims whose latest mark by ``reviewer`` is “verified” on the content they have now."""
    return set(verified_marks(article, reviewer, document))


def has_public_profile(person) -> bool:
    """Whether readers can look ``person`` up on the Medical Advisory Board page."""
    profile = getattr(person, "board_profile", None)
    return profile is not None and profile.is_active


def approval_problems(article, reviewer, document: Document) -> list[str]:
    """Why ``reviewer`` cannot approve yet: claims they have not verified (`unverified_problems`),
    claims citing a retracted source without a stated reason (`retraction_problems`), else people
    the version would credit whom readers could not look up (`credit_problems`)."""
    marks = verified_marks(article, reviewer, document)
    retracted = [problem.message for problem in retraction_problems(document)]
    return unverified_problems(marks, document) + retracted or credit_problems(marks)


def unverified_problems(marks: dict[str, ClaimReview], document: Document) -> list[str]:
    pending = [(place, claim) for place, claim in located_claims(document) if claim["uuid"] not in marks]
    if not pending:
        return []
    total = len(marks) + len(pending)
    verb = "is" if len(pending) == 1 else "are"
    return [
        f"{len(pending)} of {total} claims {verb} not verified yet.",
        *(f"{place} (“{_excerpt(claim['text'])}”) is not verified." for place, claim in pending),
    ]


def credit_problems(marks: dict[str, ClaimReview]) -> list[str]:
    """Everyone credited with checking claims (the approver, or whoever's marks they carried over)
    must have a public profile on the board page, which the reader's credits link to."""
    checked: dict[int, list] = {}
    for mark in marks.values():
        person = mark.checked_in.assignment.reviewer
        checked.setdefault(person.pk, [person, 0])[1] += 1
    return [
        f"{person} checked {count} claim{'s' if count != 1 else ''} but has no public profile on the Medical "
        "Advisory Board page, which readers' credits link to: an editor adds one (Pages › Board members), "
        "or verify those claims yourself."
        for person, count in checked.values()
        if not has_public_profile(person)
    ]
