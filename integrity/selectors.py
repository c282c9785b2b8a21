"""Reads of notices and declarations, each in one visible query."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from integrity.models import CitingReason, Declaration, DeclarationDecision, RetractionNotice, RetractionRecord


@dataclass(frozen=True)
class Notice:
    """A notice on a cited source, as the screens show it."""

    pk: int
    reference_uuid: str
    nature: str
    nature_label: str
    notice_date: date | None
    reasons: tuple[str, ...]
    url: str
    found: date

    @property
    def is_retraction(self) -> bool:
        return self.nature == RetractionRecord.Nature.RETRACTION

    @property
    def for_readers(self) -> bool:
        return self.nature in RetractionRecord.UNDER_NOTICE

    def as_dict(self) -> dict:
        """JSON-ready, for the reader page's cache key and its templates."""
        return {
            "nature": self.nature,
            "nature_label": self.nature_label,
            "date": self.notice_date.isoformat() if self.notice_date else "",
            "date_label": f"{self.notice_date:%B} {self.notice_date.day}, {self.notice_date.year}"
            if self.notice_date
            else "",
            "reasons": list(self.reasons),
            "url": self.url,
        }


def notice_facts(uuids: Iterable[str]) -> dict[str, list[int]]:
    """What a review mark covers about each source: the record ids of its retractions and
    expressions of concern, active (a dismissed false match is not a fact). One query."""
    rows = (
        RetractionNotice.objects.under_notice()
        .filter(reference__uuid__in=list(uuids))
        .order_by("record_id")
        .values_list("reference__uuid", "record_id")
    )
    facts: dict[str, list[int]] = {}
    for uuid, record_id in rows:
        facts.setdefault(str(uuid), []).append(record_id)
    return facts


def notices_on(uuids: Iterable[str], *, for_readers: bool = False) -> dict[str, list[Notice]]:
    """Active notices on the references ``uuids``, by reference uuid, oldest notice first. One query.

    ``for_readers``: retractions and expressions of concern only (a correction is for the board).
    """
    notices = RetractionNotice.objects.under_notice() if for_readers else RetractionNotice.objects.active()
    notices = (
        notices.filter(reference__uuid__in=list(uuids))
        .select_related("record")
        .order_by("record__notice_date", "record_id")
    )
    found: dict[str, list[Notice]] = {}
    for notice in notices.values_list(
        "pk",
        "reference__uuid",
        "record__nature",
        "record__notice_date",
        "record__reason",
        "record__notice_doi",
        "created_at",
    ):
        pk, uuid, nature, notice_date, reason, notice_doi, created_at = notice
        record = RetractionRecord(nature=nature, reason=reason, notice_doi=notice_doi)
        found.setdefault(str(uuid), []).append(
            Notice(
                pk=pk,
                reference_uuid=str(uuid),
                nature=nature,
                nature_label=str(record.get_nature_display()),
                notice_date=notice_date,
                reasons=tuple(record.reasons),
                url=record.notice_url,
                found=created_at.date(),
            )
        )
    return found


def kept_notices(live: dict, references: list[str]) -> dict[str, list[dict]]:
    """The readers' notices on the sources a live article cites (``references``: their uuids), by
    uuid, read once with the live version's identity (`reader.live`) and kept in it: a notice
    found or dismissed is a workflow change, which forgets what was kept. The article page and the
    API ask this. One query, or none once kept."""
    if "notices" not in live:
        live["notices"] = {
            uuid: [notice.as_dict() for notice in found]
            for uuid, found in notices_on(references, for_readers=True).items()
        }
    return live["notices"]


def citing_reasons(claim_uuids: Iterable[str]) -> dict[tuple[str, str], str]:
    """The newest stated reason for each (claim uuid, reference uuid) that has one. One query."""
    rows = (
        CitingReason.objects.filter(claim__uuid__in=list(claim_uuids))
        .order_by("created_at", "id")
        .values_list("claim__uuid", "reference__uuid", "reason")
    )
    return {(str(claim), str(reference)): reason for claim, reference, reason in rows}


def latest_declaration(article, person, *, role: str, round: int) -> Declaration | None:
    return (
        Declaration.objects.filter(article=article, person=person, role=role, round=round)
        .order_by("-created_at", "-id")
        .first()
    )


def latest_decision(declaration: Declaration) -> DeclarationDecision | None:
    return declaration.decisions.order_by("-created_at", "-id").first()


def latest_declarations(article, people: list[int]) -> dict[int, Declaration]:
    """Each of ``people``'s newest declaration as a reviewer of ``article``, in any round. One query."""
    rows = Declaration.objects.filter(article=article, role=Declaration.Role.REVIEWER, person_id__in=people)
    return {declaration.person_id: declaration for declaration in rows.order_by("created_at", "id")}


def round_declarations(article, round: int, *, role: str) -> dict[int, Declaration]:
    """Each person's newest declaration in ``role`` for one round, by person id. One query."""
    rows = Declaration.objects.filter(article=article, round=round, role=role).order_by("created_at", "id")
    return {declaration.person_id: declaration for declaration in rows}
