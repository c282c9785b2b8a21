"""The author's edits to a draft, each one atomic and guarded by the article's edit version.

Every change names the edit version the author's page was showing. Under the article's row lock
it is compared with the current one: equal, the change is applied and the version goes up;
different, someone saved in between (another tab, another author) and `EditConflictError` is
raised with nothing written, so nobody's work is silently overwritten.
"""

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from articles.models import Article, Claim, Section, Topic, content_locked_error
from editorial import permissions
from editorial.exceptions import TransitionForbiddenError, WorkflowError
from editorial.models import ClaimReview, ReviewReply
from references.models import Citation, Reference
from writing.models import Deletion


class EditConflictError(Exception):
    """The article changed since the author's page was loaded; nothing was saved."""

    message = (
        "This article was changed after you opened it (in another tab, or by another author). "
        "Nothing was saved. Your text is kept below: reload the article, then apply it again."
    )


def _lock_for_author(article: Article, by) -> Article:
    """Lock the article row (inside a transaction) and check ``by`` may work on its content now."""
    locked = Article.objects.select_for_update().prefetch_related("authors").get(pk=article.pk)
    if not locked.is_editable:
        raise content_locked_error(locked.state)
    refusal = permissions.refusal("edit_content", by, locked)
    if refusal:
        raise TransitionForbiddenError(refusal)
    return locked


@contextmanager
def editing(article: Article, *, by, version: int) -> Iterator[Article]:
    """Lock the article, check the author may edit it now and saw its latest version; then bump it."""
    with transaction.atomic():
        locked = _lock_for_author(article, by)
        if locked.edit_version != version:
            raise EditConflictError(EditConflictError.message)
        yield locked
        Article.objects.filter(pk=locked.pk).update(edit_version=F("edit_version") + 1, updated_at=timezone.now())


class UndoRefusedError(WorkflowError):
    """A deletion cannot be undone (any more); nothing was restored."""


def _saved(instance, by):
    instance._history_user = by
    instance.full_clean()
    instance.save()
    return instance


def _next_position(queryset) -> int:
    highest = queryset.aggregate(highest=Max("position"))["highest"]
    return 0 if highest is None else highest + 1


KEEP = object()  # update_article's topic when the form did not send one


def update_article(article, *, by, version, title: str, headline: str, topic: int | None = KEEP) -> None:
    """Save the question, the headline and (unless ``KEEP``) the topic's id, None for no topic."""
    with editing(article, by=by, version=version) as locked:
        locked.title, locked.headline = title.strip(), headline.strip()
        if topic is not KEEP:
            locked.topic = None if topic is None else Topic.objects.get(pk=topic)
        _saved(locked, by)


def set_answer(article, *, by, version, text: str, plain_language: str) -> Claim:
    with editing(article, by=by, version=version) as locked:
        answer = Claim.objects.filter(article=locked, section__isnull=True).first() or Claim(article=locked)
        answer.text, answer.plain_language = text.strip(), plain_language.strip()
        return _saved(answer, by)


def add_section(article, *, by, version, heading: str, parent: str = "") -> Section:
    with editing(article, by=by, version=version) as locked:
        parent_section = Section.objects.get(article=locked, uuid=parent) if parent else None
        siblings = Section.objects.filter(article=locked, parent=parent_section)
        section = Section(article=locked, parent=parent_section, heading=heading.strip())
        section.position = _next_position(siblings)
        return _saved(section, by)


def update_section(
    article, *, by, version, section: str, heading: str, intro: str, search_interval_months: str | None = None
) -> Section:
    """Save a section's heading and intro and, when the form sent it, its evidence-search interval."""
    interval = _months(search_interval_months) if search_interval_months is not None else KEEP
    with editing(article, by=by, version=version) as locked:
        target = Section.objects.get(article=locked, uuid=section)
        target.heading, target.intro = heading.strip(), intro.strip()
        if interval is not KEEP:
            target.search_interval_months = interval
        return _saved(target, by)


def delete_section(article, *, by, version, section: str) -> Deletion:
    """Delete a section with its sub-sections, claims and citations; keep them for an undo."""
    with editing(article, by=by, version=version) as locked:
        target = Section.objects.get(article=locked, uuid=section)
        snapshot = _section_snapshot(locked, target)
        target._history_user = by
        target.delete()
        return _keep_for_undo(locked, by, Deletion.Kind.SECTION, snapshot)


def add_claim(article, *, by, version, section: str, text: str, plain_language: str = "", parent: str = "") -> Claim:
    with editing(article, by=by, version=version) as locked:
        target_section = Section.objects.get(article=locked, uuid=section)
        parent_claim = Claim.objects.get(article=locked, uuid=parent) if parent else None
        siblings = Claim.objects.filter(article=locked, section=target_section, parent=parent_claim)
        claim = Claim(
            article=locked,
            section=target_section,
            parent=parent_claim,
            text=text.strip(),
            plain_language=plain_language.strip(),
            position=_next_position(siblings),
        )
        return _saved(claim, by)


def update_claim(article, *, by, version, claim: str, text: str, plain_language: str) -> Claim:
    with editing(article, by=by, version=version) as locked:
        target = Claim.objects.get(article=locked, uuid=claim)
        target.text, target.plain_language = text.strip(), plain_language.strip()
        return _saved(target, by)


RECOMMENDATIONS = {
    "": ("", ""),
    **{
        f"{strength}_{direction}": (strength, direction) for strength in Claim.Strength for direction in Claim.Direction
    },
}


def grade_claim(
    article,
    *,
    by,
    version,
    claim: str,
    certainty: str,
    recommendation: str,
    good_practice: bool,
    evidence_searched_on: str,
    search_interval_months: str,
) -> Claim:
    """Set a claim's GRADE (certainty, recommendation as "strength_direction", or good practice)
    and its evidence-search date and interval; the model's rules refuse impossible combinations."""
    if recommendation not in RECOMMENDATIONS:
        raise ValidationError("Choose a recommendation from the list.", code="invalid_recommendation")
    searched_on = _past_date(evidence_searched_on)
    interval = _months(search_interval_months)
    with editing(article, by=by, version=version) as locked:
        target = Claim.objects.get(article=locked, uuid=claim)
        target.certainty = certainty
        target.strength, target.direction = RECOMMENDATIONS[recommendation]
        target.good_practice = good_practice
        target.evidence_searched_on, target.search_interval_months = searched_on, interval
        return _saved(target, by)


def _past_date(value: str) -> date | None:
    """An ISO date not in the future, or None for an empty field."""
    value = value.strip()
    if not value:
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError as error:
        raise ValidationError("Give the search date as YYYY-MM-DD.", code="invalid_date") from error
    if parsed > timezone.localdate():
        raise ValidationError("The evidence search date cannot be in the future.", code="future_date")
    return parsed


def _months(value: str) -> int | None:
    """A whole number of months, or None for an empty field (the model checks the range)."""
    value = value.strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 4:
        raise ValidationError("Give the search interval as a whole number of months.", code="invalid_months")
    return int(value)


def delete_claim(article, *, by, version, claim: str) -> Deletion:
    """Delete a claim with its nested claims and citations; keep them for an undo."""
    with editing(article, by=by, version=version) as locked:
        target = Claim.objects.get(article=locked, uuid=claim, section__isnull=False)
        snapshot = _claim_snapshot(target)
        target._history_user = by
        target.delete()
        return _keep_for_undo(locked, by, Deletion.Kind.CLAIM, snapshot)


def deletion_preview(article, *, kind: str, uuid: str) -> dict:
    """What deleting the section or claim ``uuid`` would remove, as the snapshot an undo restores."""
    if kind == Deletion.Kind.SECTION:
        return _section_snapshot(article, Section.objects.get(article=article, uuid=uuid))
    return _claim_snapshot(Claim.objects.get(article=article, uuid=uuid, section__isnull=False))


def undo_deletion(article, *, by, deletion: int) -> Deletion:
    """Put back what ``by`` deleted, with the same ids, stable ids, positions and citations.

    Refused (`UndoRefusedError`, nothing restored) for someone else's deletion, after
    ``Deletion.UNDO_WINDOW``, and once anything was saved in the article since: the deletion's
    ``version_after`` is the edit version the restore must find, under the same lock as every edit.
    """
    record = Deletion.objects.filter(pk=deletion, article=article).first()
    if record is None:
        raise UndoRefusedError(
            "There is nothing to undo: it was undone already, or a later deletion replaced it.", code="undo_gone"
        )
    if record.deleted_by_id != by.pk:
        raise UndoRefusedError("Only the person who deleted it can undo a deletion.", code="undo_not_yours")
    if timezone.now() > record.expires_at:
        minutes = int(Deletion.UNDO_WINDOW.total_seconds() // 60)
        raise UndoRefusedError(
            f"A deletion can be undone for {minutes} minutes; this one is older. Add the part again instead.",
            code="undo_expired",
        )
    try:
        with editing(article, by=by, version=record.version_after) as locked:
            snapshot = record.snapshot
            for row in snapshot["sections"]:
                _restored(Section(article=locked, **row), by)
            for row in snapshot["claims"]:
                _restored(Claim(article=locked, **row), by)
            for row in snapshot["citations"]:
                _restored(Citation(**row), by)
            Deletion.objects.filter(pk=record.pk).delete()
    except EditConflictError as error:
        raise UndoRefusedError(
            f"The article was changed after {record.description} was deleted, so the deletion can no longer be "
            "undone. Add the part again instead.",
            code="undo_stale",
        ) from error
    return record


SECTION_FIELDS = ("id", "uuid", "parent_id", "position", "heading", "intro", "search_interval_months")
CLAIM_FIELDS = (
    *("id", "uuid", "section_id", "parent_id", "position", "text", "plain_language"),
    *("certainty", "strength", "direction", "good_practice", "evidence_searched_on", "search_interval_months"),
)
CITATION_FIELDS = ("id", "claim_id", "reference_id", "position")


def _subtree(rows: list[dict], root_id: int) -> list[dict]:
    """The row ``root_id`` and every row under it (through ``parent_id``), parents before children."""
    children = defaultdict(list)
    for row in rows:
        children[row["parent_id"]].append(row)
    found = [row for row in rows if row["id"] == root_id]
    for row in found:  # grows while it is walked: breadth first
        found.extend(children[row["id"]])
    return found


def _section_snapshot(article, section: Section) -> dict:
    rows = Section.objects.filter(article=article).order_by("position", "id").values(*SECTION_FIELDS)
    sections = _subtree(list(rows), section.pk)
    claims = list(
        Claim.objects.filter(section_id__in=[row["id"] for row in sections])
        .order_by("position", "id")
        .values(*CLAIM_FIELDS)
    )
    roots = [row for row in claims if row["parent_id"] is None]
    claims = [row for root in roots for row in _subtree(claims, root["id"])]
    return _with_citations({"sections": sections, "claims": claims})


def _claim_snapshot(claim: Claim) -> dict:
    rows = Claim.objects.filter(section_id=claim.section_id).order_by("position", "id").values(*CLAIM_FIELDS)
    return _with_citations({"sections": [], "claims": _subtree(list(rows), claim.pk)})


def _with_citations(snapshot: dict) -> dict:
    claim_ids = [row["id"] for row in snapshot["claims"]]
    citations = Citation.objects.filter(claim_id__in=claim_ids).order_by("id").values(*CITATION_FIELDS)
    return {**snapshot, "citations": list(citations)}


def _keep_for_undo(locked: Article, by, kind: str, snapshot: dict) -> Deletion:
    # Any older deletion in this article is stale from now on (the version moves), so it goes.
    Deletion.objects.filter(article=locked).delete()
    return Deletion.objects.create(
        article=locked, deleted_by=by, kind=kind, snapshot=snapshot, version_after=locked.edit_version + 1
    )


def _restored(instance, by):
    """Insert a row again exactly as it was (its primary key included), validated and in the history."""
    instance._history_user = by
    instance._change_reason = "Undo of a deletion"
    instance.full_clean()
    instance.save(force_insert=True)
    return instance


def move(article, *, by, version, kind: str, uuid: str, direction: str) -> None:
    """Swap a section or claim with its neighbour among its siblings ("up" or "down")."""
    with editing(article, by=by, version=version) as locked:
        model = Section if kind == "section" else Claim
        item = model.objects.get(article=locked, uuid=uuid)
        siblings = model.objects.filter(article=locked, parent=item.parent)
        if model is Claim:
            siblings = siblings.filter(section=item.section)
        ordered = list(siblings.order_by("position", "id"))
        index = ordered.index(item)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(ordered):
            return
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, sibling in enumerate(ordered):
            if sibling.position != position:
                sibling.position = position
                sibling._history_user = by
                sibling.save()


def cite(article, *, by, version, claim: str, reference: int) -> Citation:
    with editing(article, by=by, version=version) as locked:
        target = Claim.objects.get(article=locked, uuid=claim)
        source = Reference.objects.get(pk=reference)
        locked.gathered_references.add(source)
        citation = Citation(claim=target, reference=source, position=_next_position(target.citations.all()))
        return _saved(citation, by)


def uncite(article, *, by, version, citation: int) -> None:
    with editing(article, by=by, version=version) as locked:
        target = Citation.objects.get(pk=citation, claim__article=locked)
        target._history_user = by
        target.delete()


def gather(article, *, by, version, references: list[Reference]) -> None:
    """Add references to the article's list (they are then offered for citing, and checked)."""
    with editing(article, by=by, version=version) as locked:
        locked.gathered_references.add(*references)


def add_reference(article, *, by, version, reference: Reference) -> Reference:
    with editing(article, by=by, version=version) as locked:
        _saved(reference, by)
        locked.gathered_references.add(reference)
        return reference


def update_reference(article, *, by, version, reference: Reference) -> Reference:
    """Complete or correct a reference this article gathered, if no other article cites it.

    A reference other articles cite is shared: correcting it changes what their reviewers
    approved, so that goes through an editor in the reference library instead.
    """
    with editing(article, by=by, version=version) as locked:
        refusal = permissions.reference_refusal(by, reference, article=locked)
        if refusal:
            raise TransitionForbiddenError(refusal)
        return _saved(reference, by)


def answer_comment(article, *, by, review: int, text: str) -> ReviewReply:
    """Reply to a reviewer's comment on a claim; allowed while the article awaits the author."""
    text = text.strip()
    with transaction.atomic():
        locked = _lock_for_author(article, by)
        comment = ClaimReview.objects.get(pk=review, assignment__article=locked, verified=False)
        reply = ReviewReply(review=comment, author=by, author_name=by.display_name[:200], text=text)
        reply.full_clean()
        reply.save()
        return reply
