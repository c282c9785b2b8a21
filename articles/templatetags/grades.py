"""Grades as readers see them: a badge per graded claim and the key, worded for the audience.

They read the frozen document only (`articles.grading`), so the reader page makes no query for them.
"""

from django import template

from articles.document import Document, claims_in_reading_order
from articles.grading import (
    CERTAINTIES,
    CERTAINTY_MEANING,
    GOOD_PRACTICE_MEANING,
    STRENGTH_MEANING,
    STRENGTHS,
    Badge,
    badge,
    describe,
    meaning_audience,
)

register = template.Library()


@register.filter
def grade_badge(claim: dict, audience: str) -> Badge | None:
    """The claim's badge for ``audience``, None when it is ungraded."""
    return badge(claim.get("grade"), audience)


@register.filter
def grade_summary(claim: dict) -> str:
    """The claim's grade in one line, for authors and editors: “moderate certainty; strong for”."""
    return describe(claim.get("grade"))


@register.inclusion_tag("articles/_grade_key.html")
def grade_key(document: Document, audience: str) -> dict:
    """The key to the badges, once per page, when the document grades any claim."""
    grades = [claim["grade"] for claim in claims_in_reading_order(document) if claim.get("grade")]
    words = meaning_audience(audience)
    return {
        "shown": bool(grades),
        "patient": words == "patient",
        "certainties": [(label, CERTAINTY_MEANING[words][value]) for value, label in CERTAINTIES.items()],
        "strengths": [(label, STRENGTH_MEANING[words][value]) for value, label in STRENGTHS.items()],
        "good_practice": GOOD_PRACTICE_MEANING[words],
    }
