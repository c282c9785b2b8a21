"""GRADE on claims: what each grade means, for the two kinds of reader, and the short marker
the Markdown import reads.

A claim may carry a certainty of evidence (high, moderate, low, very low) and, when it is a
recommendation, a strength (strong, conditional) and a direction (for, against); or it is a
good-practice statement, ungraded by design. The fields live on `articles.models.Claim`; this
module holds the words readers are shown and the rules every screen asks.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Certainty(models.TextChoices):
    HIGH = "high", _("High")
    MODERATE = "moderate", _("Moderate")
    LOW = "low", _("Low")
    VERY_LOW = "very_low", _("Very low")


class Strength(models.TextChoices):
    STRONG = "strong", _("Strong")
    CONDITIONAL = "conditional", _("Conditional")


class Direction(models.TextChoices):
    FOR = "for", _("For")
    AGAINST = "against", _("Against")


CERTAINTIES = {value: str(label) for value, label in Certainty.choices}
STRENGTHS = {value: str(label) for value, label in Strength.choices}
DIRECTIONS = {value: str(label).lower() for value, label in Direction.choices}

# What a certainty means, in the GRADE working group's terms (professionals) and in everyday
# words (patients and carers).
CERTAINTY_MEANING = {
    "professional": {
        "high": "We are very confident that the true effect lies close to the estimate.",
        "moderate": "We are moderately confident: the true effect is likely close to the estimate, "
        "but may be substantially different.",
        "low": "Our confidence is limited: the true effect may be substantially different from the estimate.",
        "very_low": "We have very little confidence: the true effect is likely substantially different "
        "from the estimate.",
    },
    "patient": {
        "high": "Good research supports this. New studies are very unlikely to change it.",
        "moderate": "Research supports this, but new studies could still change it.",
        "low": "There is only limited research on this. New studies may well change it.",
        "very_low": "There is very little good research on this. It is an informed best guess.",
    },
}
STRENGTH_MEANING = {
    "professional": {
        "strong": "Desirable effects clearly outweigh undesirable ones (or clearly do not): most informed "
        "patients would choose the recommended course.",
        "conditional": "The balance is closer or uncertain: choices will vary with patients' values and "
        "preferences, so shared decision-making matters.",
    },
    "patient": {
        "strong": "Experts are confident this is the right choice for most people.",
        "conditional": "The right choice depends on your situation and what matters to you: talk it over "
        "with your clinician.",
    },
}
GOOD_PRACTICE_MEANING = {
    "professional": "A good-practice statement: the benefit is so clear that grading the evidence "
    "would not be a sensible use of resources.",
    "patient": "Basic good care that experts agree on; it is not graded because the benefit is obvious.",
}


def meaning_audience(audience: str) -> str:
    """Patients and carers get everyday words; professionals, students and undeclared readers the technical ones."""
    return "patient" if audience == "patient" else "professional"


def grade_of(
    *, certainty: str = "", strength: str = "", direction: str = "", good_practice: bool = False
) -> dict[str, Any] | None:
    """The grade as the document freezes it, or None for an ungraded claim."""
    if good_practice:
        return {"good_practice": True}
    if not (certainty or strength or direction):
        return None
    return {"certainty": certainty, "strength": strength, "direction": direction}


def is_recommendation_without_certainty(grade: dict[str, Any] | None) -> bool:
    """A recommendation (a strength and direction) whose evidence has no certainty yet."""
    return bool(grade) and not grade.get("good_practice") and bool(grade.get("strength")) and not grade["certainty"]


@dataclass(frozen=True)
class Badge:
    """A claim's grade as a reader sees it: a short label and what it means for their audience."""

    kind: str  # "certainty-high" … "good-practice": the CSS class
    label: str
    meaning: str


def badge(grade: dict[str, Any] | None, audience: str) -> Badge | None:
    """The badge for a frozen grade, or None when the claim is ungraded."""
    if not grade:
        return None
    words = meaning_audience(audience)
    if grade.get("good_practice"):
        return Badge("good-practice", "Good practice", GOOD_PRACTICE_MEANING[words])
    parts, meanings = [], []
    certainty, strength = grade.get("certainty", ""), grade.get("strength", "")
    if strength:
        parts.append(f"{STRENGTHS[strength]} recommendation {DIRECTIONS[grade['direction']]}")
        meanings.append(STRENGTH_MEANING[words][strength])
    if certainty:
        parts.append(f"{CERTAINTIES[certainty]} certainty")
        meanings.append(CERTAINTY_MEANING[words][certainty])
    return Badge(f"certainty-{certainty or 'none'}", " · ".join(parts), " ".join(meanings))


def describe(grade: dict[str, Any] | None) -> str:
    """The grade in one line for editors and diffs: “moderate certainty; strong for”, or “ungraded”."""
    if not grade:
        return "ungraded"
    if grade.get("good_practice"):
        return "good-practice statement"
    parts = []
    if grade.get("certainty"):
        parts.append(f"{CERTAINTIES[grade['certainty']].lower()} certainty")
    if grade.get("strength"):
        parts.append(f"{grade['strength']} {grade['direction']}")
    return "; ".join(parts)


# The Markdown import's marker, at the end of a claim: {GRADE: moderate}, {GRADE: low; conditional
# against}, {GRADE: strong for} (a recommendation still to be graded) or {good practice}.
MARKER = re.compile(r"\s*\{\s*(?:(?P<good>good[ -]practice)|GRADE\s*:\s*(?P<grade>[^{}]*))\s*\}\s*$", re.IGNORECASE)
_CERTAINTY_WORDS = {
    "high": "high",
    "moderate": "moderate",
    "low": "low",
    "very low": "very_low",
    "very_low": "very_low",
}


class MarkerError(ValueError):
    """A grade marker that could not be read; the message says what it expects."""


def parse_marker(text: str) -> tuple[str, dict[str, Any] | None]:
    """Split a trailing grade marker off a claim's text: (text without it, the grade's fields or None).

    The fields are those of `articles.models.Claim` (certainty, strength, direction, good_practice).
    """
    match = MARKER.search(text)
    if match is None:
        return text, None
    rest = text[: match.start()].rstrip()
    if match.group("good"):
        return rest, {"certainty": "", "strength": "", "direction": "", "good_practice": True}
    fields = {"certainty": "", "strength": "", "direction": "", "good_practice": False}
    for part in (piece.strip().lower() for piece in match.group("grade").split(";")):
        words = " ".join(part.replace("certainty", "").split())
        if words in _CERTAINTY_WORDS and not fields["certainty"]:
            fields["certainty"] = _CERTAINTY_WORDS[words]
            continue
        pieces = words.split()
        if len(pieces) == 2 and pieces[0] in STRENGTHS and pieces[1] in DIRECTIONS and not fields["strength"]:
            fields["strength"], fields["direction"] = pieces
            continue
        raise MarkerError(
            f"“{part}” is not a grade: write e.g. {{GRADE: moderate}}, {{GRADE: low; conditional for}} "
            "or {good practice}."
        )
    if not (fields["certainty"] or fields["strength"]):
        raise MarkerError("The grade marker is empty: write e.g. {GRADE: moderate; strong for}.")
    return rest, fields
