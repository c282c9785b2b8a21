"""Who an approved version's verification rests on: the credits its readers see.

A reviewer who approves may have carried over marks from an earlier round instead of checking
those claims again (`services.carry_over_verifications`); the credit for those claims goes to
whoever checked them, with how many claims each checked, so "Medically reviewed by" never names
only someone who checked almost nothing.
"""

from typing import Any

from django.utils import timezone

from articles.document import Document, claims_in_reading_order
from editorial.conditions import verified_marks


def review_credits(
    article, document: Document, approvers: list, declarations: dict[int, str] | None = None
) -> list[dict[str, Any]]:
    """One entry per person who checked claims of ``document`` that ``approvers`` verified:
    name, credentials, board profile link, how many of the claims they checked, when they last
    checked one, and whether they approved this version. Approvers first, in order of approval,
    then the others by how much they checked. Kept as text in the version, like its content.
    ``declarations``: each person's competing-interest sentence by id, added as ``declaration``.
    """
    total = sum(1 for _ in claims_in_reading_order(document))
    checked: dict[int, dict[str, Any]] = {}
    for approver in approvers:
        for uuid, mark in verified_marks(article, approver, document).items():
            origin = mark.checked_in
            person = origin.assignment.reviewer
            entry = checked.setdefault(person.pk, {"person": person, "claims": set(), "last": origin.created_at})
            entry["claims"].add(uuid)
            entry["last"] = max(entry["last"], origin.created_at)
    approver_order = {approver.pk: index for index, approver in enumerate(approvers)}
    ranked = sorted(
        checked.values(),
        key=lambda entry: (approver_order.get(entry["person"].pk, len(approvers)), -len(entry["claims"])),
    )
    credits = [_credit(entry, total, approved=entry["person"].pk in approver_order) for entry in ranked]
    if declarations is not None:
        for credit, entry in zip(credits, ranked, strict=True):
            credit["declaration"] = declarations[entry["person"].pk]
    return credits


def credited_people(article, document: Document, approvers: list) -> list:
    """The people `review_credits` would credit (for looking up what else to say of them)."""
    people = {}
    for approver in approvers:
        for mark in verified_marks(article, approver, document).values():
            person = mark.checked_in.assignment.reviewer
            people[person.pk] = person
    return list(people.values())


def _credit(entry: dict[str, Any], total: int, *, approved: bool) -> dict[str, Any]:
    person = entry["person"]
    profile = getattr(person, "board_profile", None)
    return {
        "name": str(person),
        "credentials": person.credentials,
        "profile": profile.get_absolute_url() if profile is not None else "",
        "claims_checked": len(entry["claims"]),
        "claims_total": total,
        "last_checked": timezone.localdate(entry["last"]).isoformat(),
        "approved": approved,
    }
