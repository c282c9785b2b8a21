"""An article as one plain, JSON-ready document, and its reading order.

The document is what readers are shown and what a review freezes: sections, claims, citations
and the cited references with their numbers. Building it costs a fixed number of queries
however long the article is.
"""

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from articles.models import Article, Claim, Section
from references.models import Citation, Reference

DOCUMENT_SCHEMA = 1

Document = dict[str, Any]


def build_document(article: Article) -> Document:
    """Read an article's content into a document, numbering references by first citation.

    Queries: sections, claims, citations with their references (the topic comes with
    ``article`` when the caller selected it).
    """
    sections = list(Section.objects.filter(article=article))
    claims = list(Claim.objects.filter(article=article))
    citations = list(
        Citation.objects.filter(claim__article=article).select_related("reference").order_by("position", "id")
    )

    cited_by_claim: dict[int, list[Reference]] = defaultdict(list)
    for citation in citations:
        cited_by_claim[citation.claim_id].append(citation.reference)

    claims_by_parent: dict[tuple[int | None, int | None], list[Claim]] = defaultdict(list)
    for claim in claims:
        claims_by_parent[(claim.section_id, claim.parent_id)].append(claim)
    sections_by_parent: dict[int | None, list[Section]] = defaultdict(list)
    for section in sections:
        sections_by_parent[section.parent_id].append(section)

    def claim_node(claim: Claim) -> dict[str, Any]:
        node = {
            "uuid": str(claim.uuid),
            "text": claim.text,
            "plain_language": claim.plain_language,
            "citations": [str(reference.uuid) for reference in cited_by_claim[claim.pk]],
            "children": [claim_node(child) for child in claims_by_parent[(claim.section_id, claim.pk)]],
        }
        return {**node, **_grade_and_evidence(claim)}

    def section_node(section: Section) -> dict[str, Any]:
        node = {
            "uuid": str(section.uuid),
            "heading": section.heading,
            "intro": section.intro,
            "claims": [claim_node(claim) for claim in claims_by_parent[(section.pk, None)]],
            "children": [section_node(child) for child in sections_by_parent[section.pk]],
        }
        if section.search_interval_months:
            node["search_interval_months"] = section.search_interval_months
        return node

    summaries = claims_by_parent[(None, None)]
    document: Document = {
        "schema": DOCUMENT_SCHEMA,
        "title": article.title,
        "slug": article.slug,
        "headline": article.headline,
        "topic": {"name": article.topic.name, "slug": article.topic.slug} if article.topic_id else None,
        "summary": claim_node(summaries[0]) if summaries else None,
        "sections": [section_node(section) for section in sections_by_parent[None]],
    }
    references_by_uuid = {str(citation.reference.uuid): citation.reference for citation in citations}
    document["references"] = [
        reference_entry(references_by_uuid[ref_uuid], number)
        for number, ref_uuid in enumerate(cited_in_reading_order(document), start=1)
    ]
    return document


def _grade_and_evidence(claim: Claim) -> dict[str, Any]:
    """A claim's grade and evidence-search dates, as keys present only when set: a document
    without them (and its hash, and its claims' fingerprints) reads as it did before grading."""
    extra: dict[str, Any] = {}
    if claim.grade:
        extra["grade"] = claim.grade
    if claim.evidence_searched_on:
        extra["evidence_searched_on"] = claim.evidence_searched_on.isoformat()
    if claim.search_interval_months:
        extra["search_interval_months"] = claim.search_interval_months
    return extra


def reference_entry(reference: Reference, number: int) -> dict[str, Any]:
    return {
        "number": number,
        "uuid": str(reference.uuid),
        "kind": reference.kind,
        "kind_label": str(reference.get_kind_display()),
        "title": reference.title,
        "authors": reference.authors,
        "source": reference.source,
        "year": reference.year,
        "volume": reference.volume,
        "issue": reference.issue,
        "pages": reference.pages,
        "doi": reference.doi or "",
        "pmid": reference.pmid or "",
        "url": reference.url,
    }


@dataclass(frozen=True)
class Place:
    """Where a part of the article stands, as `walk` meets it.

    ``trail``: the headings from the top-level section down to the part's own section;
    ``number``: a claim's number within its section ("2.1" for the first claim nested under the
    second); ``depth``: a section's level below the top (0) or a claim's nesting level (0).
    """

    kind: str  # "summary", "section" or "claim"
    node: dict[str, Any]
    trail: tuple[str, ...] = ()
    number: str = ""
    depth: int = 0

    @property
    def is_claim(self) -> bool:
        return self.kind != "section"


def walk(document: Document) -> Iterator[Place]:
    """Every part of an article document in reading order: the short answer, then each section,
    its claims (nested ones in place, depth first) and then its sub-sections. The one walker
    over the document; everything that visits its parts asks it."""

    def claims(nodes, trail, prefix, depth):
        for index, node in enumerate(nodes, start=1):
            number = f"{prefix}{index}"
            yield Place("claim", node, trail, number, depth)
            yield from claims(node["children"], trail, f"{number}.", depth + 1)

    def sections(nodes, parents, depth):
        for node in nodes:
            trail = (*parents, node["heading"])
            yield Place("section", node, trail, depth=depth)
            yield from claims(node["claims"], trail, "", 0)
            yield from sections(node["children"], trail, depth + 1)

    if document["summary"] is not None:
        yield Place("summary", document["summary"])
    yield from sections(document["sections"], (), 0)


def claims_in_reading_order(document: Document):
    """Yield every claim node as a reader meets it, the short answer first."""
    return (place.node for place in walk(document) if place.is_claim)


def sections_in_reading_order(document: Document):
    """Yield every section node, sub-sections after their parent's claims."""
    return (place.node for place in walk(document) if place.kind == "section")


def cited_in_reading_order(document: Document) -> list[str]:
    """Reference UUIDs in order of first citation, as journals number them."""
    seen: dict[str, None] = {}
    for claim in claims_in_reading_order(document):
        for ref_uuid in claim["citations"]:
            seen.setdefault(ref_uuid, None)
    return list(seen)


def with_citation_numbers(document: Document) -> Document:
    """Return a copy for display: each claim lists its reference numbers (ascending) and each
    reference names the claim that first cites it, for the link back."""
    numbered = deepcopy(document)
    references = {reference["uuid"]: reference for reference in numbered["references"]}
    for claim in claims_in_reading_order(numbered):
        claim["numbers"] = sorted(references[ref_uuid]["number"] for ref_uuid in claim["citations"])
        for ref_uuid in claim["citations"]:
            references[ref_uuid].setdefault("first_cited_by", claim["uuid"])
    return numbered


def _digest(value: Any) -> str:
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def content_hash(document: Document) -> str:
    """Identify a document's exact content: equal hashes mean a reader sees the same thing."""
    return _digest(document)


def _source(entry: dict[str, Any]) -> dict[str, Any]:
    """A reference entry without its place in one article's numbering."""
    return {key: value for key, value in entry.items() if key not in {"number", "first_cited_by"}}


# What a reviewer verifies besides the words and sources, entering the fingerprint only when set
# (so marks made before grading existed stay valid on claims nobody graded).
VERIFIED_EXTRAS = ("grade", "evidence_searched_on")

# Facts about cited sources that a review covers besides their bibliographic data (a retraction
# notice, registered by the integrity app): each reader takes reference UUIDs and returns the facts
# by UUID, in one query. A source with no facts digests as before, so no existing mark changes.
_source_fact_readers: list[Callable[[Iterable[str]], dict[str, Any]]] = []


def register_source_facts(reader: Callable[[Iterable[str]], dict[str, Any]]) -> None:
    if reader not in _source_fact_readers:
        _source_fact_readers.append(reader)


def _source_facts(uuids: Iterable[str]) -> dict[str, list[Any]]:
    uuids = set(uuids)
    facts: dict[str, list[Any]] = {}
    for reader in _source_fact_readers if uuids else ():
        for uuid, fact in reader(uuids).items():
            facts.setdefault(uuid, []).append(fact)
    return facts


def _claim_digest(
    text: str,
    plain_language: str,
    sources: list[dict[str, Any]],
    extras: dict[str, Any] | None = None,
    facts: dict[str, list[Any]] | None = None,
) -> str:
    cited = [_source(s) | ({"facts": facts[s["uuid"]]} if facts and s["uuid"] in facts else {}) for s in sources]
    checked = {"text": text, "plain_language": plain_language, "citations": cited}
    checked.update({key: value for key, value in (extras or {}).items() if key in VERIFIED_EXTRAS and value})
    return _digest(checked)


def claim_fingerprints(document: Document) -> dict[str, str]:
    """Map each claim's UUID to a digest of what a reviewer checks: its words, its sources, its
    grade and when its evidence was last searched.

    Cited references enter with their bibliographic data and the facts registered about them
    (`register_source_facts`), so correcting a cited reference, or a retraction notice on it,
    voids the marks on the claims that cite it; so does changing a grade.
    """
    references = {reference["uuid"]: reference for reference in document["references"]}
    facts = _source_facts(references)
    return {
        claim["uuid"]: _claim_digest(
            claim["text"],
            claim["plain_language"],
            [references[ref_uuid] for ref_uuid in claim["citations"]],
            claim,
            facts,
        )
        for claim in claims_in_reading_order(document)
    }


def claim_fingerprint(claim: Claim) -> str:
    """The same digest as `claim_fingerprints` gives, for one claim (a query, and one per fact reader)."""
    citations = Citation.objects.filter(claim=claim).select_related("reference").order_by("position", "id")
    sources = [reference_entry(citation.reference, 0) for citation in citations]
    return _claim_digest(
        claim.text,
        claim.plain_language,
        sources,
        _grade_and_evidence(claim),
        _source_facts(s["uuid"] for s in sources),
    )


def search_text(document: Document) -> str:
    """The sentences a reader can search for, one per line in reading order: the headline, each
    section's introduction, each claim and its plain-language version. Search excerpts are whole
    lines of this text, so headings are kept apart (`search_headings`); titles are searched
    separately, weighted higher."""
    lines = [document.get("headline", "")]
    for place in walk(document):
        node = place.node
        lines.extend([node.get("intro", "")] if place.kind == "section" else [node["text"], node["plain_language"]])
    return "\n".join(" ".join(line.split()) for line in lines if line.strip())


def search_headings(document: Document) -> str:
    """The section headings, one per line in reading order: searched, weighted between title and text."""
    return "\n".join(place.node["heading"] for place in walk(document) if place.kind == "section")
