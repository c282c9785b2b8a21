"""What changed between two documents (say the live approved version and the article now).

Sections, claims and references are matched by their stable UUIDs, so a moved or reworded
claim reads as edited, not as one removed and another added.
"""

from dataclasses import dataclass, field
from typing import Any

from articles.document import Document, claims_in_reading_order, sections_in_reading_order
from articles.grading import describe

REFERENCE_FIELDS = {
    "kind_label": "kind",
    "title": "title",
    "authors": "authors",
    "source": "source",
    "year": "year",
    "volume": "volume",
    "issue": "issue",
    "pages": "pages",
    "doi": "DOI",
    "pmid": "PMID",
    "url": "URL",
}


@dataclass
class Changes:
    """Lines a person reads, grouped by what changed; empty when nothing did."""

    sections: list[str] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)
    grades: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.sections or self.claims or self.grades or self.references)

    def lines(self) -> list[str]:
        return [*self.sections, *self.claims, *self.grades, *self.references]


def _excerpt(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def _sections(document: Document) -> dict[str, dict[str, Any]]:
    return {section["uuid"]: section for section in sections_in_reading_order(document)}


def _claims(document: Document) -> dict[str, dict[str, Any]]:
    return {claim["uuid"]: claim for claim in claims_in_reading_order(document)}


def _cited(document: Document, claim: dict[str, Any]) -> list[str]:
    titles = {reference["uuid"]: reference["title"] for reference in document["references"]}
    return [titles.get(ref_uuid, ref_uuid) for ref_uuid in claim["citations"]]


def compare(before: Document, after: Document) -> Changes:
    changes = Changes()

    old_sections, new_sections = _sections(before), _sections(after)
    for uuid, section in new_sections.items():
        if uuid not in old_sections:
            changes.sections.append(f"Section added: “{section['heading']}”.")
        elif old_sections[uuid]["heading"] != section["heading"]:
            changes.sections.append(
                f"Section renamed: “{old_sections[uuid]['heading']}” is now “{section['heading']}”."
            )
        elif old_sections[uuid]["intro"] != section["intro"]:
            changes.sections.append(f"Section “{section['heading']}”: introduction edited.")
    for uuid, section in old_sections.items():
        if uuid not in new_sections:
            changes.sections.append(f"Section removed: “{section['heading']}”.")

    old_claims, new_claims = _claims(before), _claims(after)
    for uuid, claim in new_claims.items():
        old = old_claims.get(uuid)
        if old is None:
            changes.claims.append(f"Claim added: “{_excerpt(claim['text'])}”.")
            continue
        edits = []
        if old["text"] != claim["text"]:
            edits.append("text")
        if old["plain_language"] != claim["plain_language"]:
            edits.append("plain-language text")
        if _cited(before, old) != _cited(after, claim):
            edits.append("citations")
        if old.get("evidence_searched_on") != claim.get("evidence_searched_on"):
            edits.append("evidence search date")
        if edits:
            changes.claims.append(f"Claim edited ({', '.join(edits)}): “{_excerpt(claim['text'])}”.")
        if old.get("grade") != claim.get("grade"):
            changes.grades.append(
                f"Grade changed from {describe(old.get('grade'))} to {describe(claim.get('grade'))}: "
                f"“{_excerpt(claim['text'])}”."
            )
    for uuid, claim in old_claims.items():
        if uuid not in new_claims:
            changes.claims.append(f"Claim removed: “{_excerpt(claim['text'])}”.")

    old_references = {reference["uuid"]: reference for reference in before["references"]}
    new_references = {reference["uuid"]: reference for reference in after["references"]}
    for uuid, reference in new_references.items():
        old = old_references.get(uuid)
        if old is None:
            changes.references.append(f"Reference now cited: “{_excerpt(reference['title'])}”.")
            continue
        for key, label in REFERENCE_FIELDS.items():
            if old.get(key) != reference.get(key):
                changes.references.append(
                    f"Reference “{_excerpt(reference['title'])}”: {label} changed "
                    f"from “{old.get(key) or '—'}” to “{reference.get(key) or '—'}”."
                )
    for uuid, reference in old_references.items():
        if uuid not in new_references:
            changes.references.append(f"Reference no longer cited: “{_excerpt(reference['title'])}”.")
    return changes


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


def draft_note(before: Document | None, after: Document) -> str:
    """A public change note for the editor to edit before approving: what changed for readers,
    counted from the claim-level diff. ``before`` is the live version's document, None for a first
    version."""
    if before is None:
        return "First published version."
    old_claims, new_claims = _claims(before), _claims(after)
    added = [uuid for uuid in new_claims if uuid not in old_claims]
    removed = [uuid for uuid in old_claims if uuid not in new_claims]
    kept = [uuid for uuid in new_claims if uuid in old_claims]
    edited = [
        uuid
        for uuid in kept
        if (old_claims[uuid]["text"], old_claims[uuid]["plain_language"], _cited(before, old_claims[uuid]))
        != (new_claims[uuid]["text"], new_claims[uuid]["plain_language"], _cited(after, new_claims[uuid]))
    ]
    regraded = [uuid for uuid in kept if old_claims[uuid].get("grade") != new_claims[uuid].get("grade")]
    graded_new = [uuid for uuid in added if new_claims[uuid].get("grade")]
    rechecked = [
        uuid
        for uuid in kept
        if new_claims[uuid].get("evidence_searched_on")
        and old_claims[uuid].get("evidence_searched_on") != new_claims[uuid].get("evidence_searched_on")
    ]
    old_refs = {reference["uuid"] for reference in before["references"]}
    new_refs = {reference["uuid"] for reference in after["references"]}
    parts = []
    if added:
        parts.append(f"added {_count(len(added), 'statement', 'statements')}")
    if edited:
        parts.append(f"revised {_count(len(edited), 'statement', 'statements')}")
    if removed:
        parts.append(f"removed {_count(len(removed), 'statement', 'statements')}")
    if regraded:
        shown = "; ".join(
            f"“{_excerpt(new_claims[uuid]['text'], 50)}” now {describe(new_claims[uuid].get('grade'))}"
            for uuid in regraded[:3]
        )
        more = f" and {len(regraded) - 3} more" if len(regraded) > 3 else ""
        parts.append(f"updated the grade of evidence ({shown}{more})")
    if graded_new:
        parts.append(f"graded {_count(len(graded_new), 'new statement', 'new statements')}")
    if rechecked:
        parts.append(f"searched the evidence again for {_count(len(rechecked), 'statement', 'statements')}")
    if new_refs - old_refs:
        parts.append(f"cited {_count(len(new_refs - old_refs), 'new reference', 'new references')}")
    if old_refs - new_refs:
        parts.append(f"stopped citing {_count(len(old_refs - new_refs), 'reference', 'references')}")
    if not parts:
        return "Reviewed again by the Medical Advisory Board; no changes to the content."
    sentence = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    return f"{sentence[0].upper()}{sentence[1:]}."
