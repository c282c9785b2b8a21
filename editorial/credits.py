"""Who an approved version's verification rests on: the credits its readers see.

A reviewer who approves may have carried over marks from an earlier round instead of checking
those claims again (`services.carry_over_verifications`); the credit for those claims goes to
whoever checked them, with how many claims each checked, so "Medically reviewed by" never names
only someone who checked almost nothing.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

from articles.document import Document, claims_in_reading_order
from editorial.conditions import verified_marks


@dataclass
class Check:
    """What one person checked of a version: the claims (by uuid) and when they last checked one."""

    person: Any
    last: datetime
    claims: set[str] = field(default_factory=set)


def credited_checks(article, document: Document, approvers: list) -> list[Check]:
    """Who checked the claims of ``document`` that ``approvers`` verified (an adopted mark counts
    for whoever checked it), approvers first in order of approval, then by how much they checked."""
    checked: dict[int, Check] = {}
    for approver in approvers:
        for uuid, mark in verified_marks(article, approver, document).items():
            origin = mark.checked_in
            person = origin.assignment.reviewer
            check = checked.setdefault(person.pk, Check(person, origin.created_at))
            check.claims.add(uuid)
            check.last = max(check.last, origin.created_at)
    order = {approver.pk: index for index, approver in enumerate(approvers)}
    return sorted(checked.values(), key=lambda check: (order.get(check.person.pk, len(order)), -len(check.claims)))


def review_credits(
    checks: list[Check], document: Document, approvers: list, declarations: dict[int, str] | None = None
) -> list[dict[str, Any]]:
    """One entry per `credited_checks` entry: name, credentials, board profile link, how many of
    the claims they checked, when they last checked one, and whether they approved this version.
    Kept as text in the version, like its content. ``declarations``: each person's
    competing-interest sentence by id, added as ``declaration``.
    """
    total = sum(1 for _ in claims_in_reading_order(document))
    approver_ids = {approver.pk for approver in approvers}
    credits = [_credit(check, total, approved=check.person.pk in approver_ids) for check in checks]
    if declarations is not None:
        for credit, check in zip(credits, checks, strict=True):
            credit["declaration"] = declarations[check.person.pk]
    return credits


def _credit(check: Check, total: int, *, approved: bool) -> dict[str, Any]:
    person = check.person
    profile = getattr(person, "board_profile", None)
    return {
        "name": str(person),
        "credentials": person.credentials,
        "profile": profile.get_absolute_url() if profile is not None else "",
        "claims_checked": len(check.claims),
        "claims_total": total,
        "last_checked": timezone.localdate(check.last).isoformat(),
        "approved": approved,
    }
