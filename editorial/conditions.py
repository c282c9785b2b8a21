"""What an article must satisfy before a transition, as a list of problems a person can fix."""

from typing import Any

from articles.document import Document, claim_fingerprints
from editorial.models import ClaimReview


def _excerpt(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def located_claims(document: Document):
    """Yield (place, claim) for every claim, where place reads like “Section “A › B”, claim 2.1”."""
    if document["summary"] is not None:
        yield "The short answer", document["summary"]

    def walk_claims(nodes, trail, prefix):
        for index, node in enumerate(nodes, start=1):
            number = f"{prefix}{index}"
            yield f"Section “{trail}”, claim {number}", node
            yield from walk_claims(node["children"], trail, f"{number}.")

    def walk_sections(nodes, parents):
        for node in nodes:
            trail = " › ".join([*parents, node["heading"]])
            yield from walk_claims(node["claims"], trail, "")
            yield from walk_sections(node["children"], [*parents, node["heading"]])

    yield from walk_sections(document["sections"], [])


def submission_problems(document: Document) -> list[str]:
    """Everything that keeps an article from review: missing answer, uncited claims, bad sources."""
    problems = []
    summary = document["summary"]
    if summary is None or not summary["text"].strip():
        problems.append("Write the short answer.")

    def has_claims(section: dict[str, Any]) -> bool:
        return bool(section["claims"]) or any(has_claims(child) for child in section["children"])

    if not any(has_claims(section) for section in document["sections"]):
        problems.append("Add at least one section with a claim.")
    for place, claim in located_claims(document):
        if not claim["citations"]:
            problems.append(f"{place} (“{_excerpt(claim['text'])}”) cites no reference.")
    for reference in document["references"]:
        missing = [label for label in ("title", "source", "year") if not reference[label]]
        if missing:
            problems.append(
                f"Reference {reference['number']} (“{_excerpt(reference['title'])}”) has no {', '.join(missing)}."
            )
    return problems


def verified_claim_uuids(article, reviewer, document: Document) -> set[str]:
    """Claims whose latest mark by ``reviewer`` is “verified” on the content they have now."""
    latest: dict[str, ClaimReview] = {}
    reviews = ClaimReview.objects.filter(assignment__article=article, assignment__reviewer=reviewer).order_by(
        "created_at", "id"
    )
    for review in reviews:
        latest[str(review.claim_uuid)] = review
    fingerprints = claim_fingerprints(document)
    return {
        uuid
        for uuid, fingerprint in fingerprints.items()
        if uuid in latest and latest[uuid].verified and latest[uuid].claim_fingerprint == fingerprint
    }


def approval_problems(article, reviewer, document: Document) -> list[str]:
    verified = verified_claim_uuids(article, reviewer, document)
    pending = [(place, claim) for place, claim in located_claims(document) if claim["uuid"] not in verified]
    if not pending:
        return []
    total = len(verified) + len(pending)
    verb = "is" if len(pending) == 1 else "are"
    return [f"{len(pending)} of {total} claims {verb} not verified yet."] + [
        f"{place} (“{_excerpt(claim['text'])}”) is not verified." for place, claim in pending
    ]
