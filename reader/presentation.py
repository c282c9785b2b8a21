"""How an approved version is shown: the context the article templates take, and its JSON-LD.

Used by the reader's pages and by the previews of the workspace and the board, so that all three
show a version the same way.
"""

import json

from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime

from articles.document import claims_in_reading_order, with_citation_numbers
from articles.evidence import last_checked
from config.site import absolute
from editorial.schedule import rereview_due_on

AUDIENCES = {
    "patient": "Patient or carer",
    "professional": "Healthcare professional",
    "student": "Student",
}


def version_context(version, *, audience: str = "", in_review: bool = False, notices: dict | None = None) -> dict:
    """What the article templates need to show one approved version.

    ``notices``: retraction notices that arrived after the approval, as lists of
    `integrity.selectors.Notice.as_dict` by reference uuid; shown on each reference and on the
    claims citing it.
    """
    return {
        "version": version,
        "document": with_notices(with_citation_numbers(version.document), notices or {}),
        "audience": audience,
        "in_review": in_review,
        "next_review": rereview_due_on(version.approved_at),
        "evidence_checked": last_checked(version.document),
        "timeline": _timeline(version),
        "credits": credits_shown(version),
        "board_url": reverse("pages:advisory_board"),
    }


def credits_shown(version) -> list[dict]:
    """The version's credits (`editorial.credits`), dates parsed; versions approved before credits
    counted claims name their approvers only."""
    return [
        {**credit, "last_checked": parse_date(credit["last_checked"]) if credit.get("last_checked") else None}
        for credit in version.reviewers
    ]


def with_notices(document: dict, notices: dict) -> dict:
    """Put each reference's notices on it, and on each claim citing it (with the reference's number)."""
    if not notices:
        return document
    references = {reference["uuid"]: reference for reference in document["references"]}
    for uuid, found in notices.items():
        if uuid in references:
            references[uuid]["notices"] = found
    for claim in claims_in_reading_order(document):
        claim["notices"] = [
            {"number": references[uuid]["number"], **notice}
            for uuid in claim["citations"]
            for notice in notices.get(uuid, ())
        ]
    return document


def _timeline(version) -> list[dict]:
    """The review stepper: each step with the moment it happened, from the version's round."""
    moments = version.timeline or {}
    steps = [("Submitted", "submitted"), ("Under review", "review_started"), ("Approved", "approved")]
    return [
        {"label": label, "at": _parse(moments.get(key)) or (version.approved_at if key == "approved" else None)}
        for label, key in steps
    ]


def _parse(moment: str | None):
    return parse_datetime(moment) if moment else None


def json_ld(version, url: str) -> str:
    """schema.org MedicalWebPage for search engines, escaped for a <script> element."""
    document = version.document
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": document["title"],
        "headline": document.get("headline") or document["title"],
        "url": url,
        "description": (document.get("summary") or {}).get("text", ""),
        "lastReviewed": version.approved_at.date().isoformat(),
        "dateModified": version.approved_at.isoformat(),
        "reviewedBy": [_reviewer(reviewer) for reviewer in version.reviewers],
        "medicalAudience": [
            {"@type": "MedicalAudience", "audienceType": audience} for audience in ("Patient", "Clinician")
        ],
        "publisher": {"@type": "Organization", "name": "Vetted"},
        "citation": [_cited_work(reference) for reference in document["references"]],
    }
    if document.get("topic"):
        data["about"] = {"@type": "MedicalCondition", "name": document["topic"]["name"]}
    text = json.dumps(data, ensure_ascii=False)
    # As django.utils.html.json_script does: nothing in the data can close the <script> element.
    return text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")


def _reviewer(credit: dict) -> dict:
    person = {"@type": "Person", "name": credit["name"], "jobTitle": credit.get("credentials", "")}
    if credit.get("profile"):
        person["url"] = absolute(credit["profile"])
    return person


def _cited_work(reference: dict) -> dict:
    work = {"@type": "CreativeWork", "name": reference["title"]}
    if reference.get("source"):
        work["publisher"] = reference["source"]
    if reference.get("year"):
        work["datePublished"] = str(reference["year"])
    if reference.get("doi"):
        work["url"] = f"https://doi.org/{reference['doi']}"
        work["identifier"] = f"doi:{reference['doi']}"
    elif reference.get("pmid"):
        work["url"] = f"https://pubmed.ncbi.nlm.nih.gov/{reference['pmid']}/"
        work["identifier"] = f"PMID:{reference['pmid']}"
    return work
