"""The author's edits to a draft, each one atomic and guarded by the article's edit version.

Every change names the edit version the author's page was showing. Under the article's row lock
it is compared with the current one: equal, the change is applied and the version goes up;
different, someone saved in between (another tab, another author) and `EditConflictError` is
raised with nothing written, so nobody's work is silently overwritten.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from articles.models import Article, Claim, Section, content_locked_error
from editorial import permissions
from editorial.exceptions import TransitionForbiddenError
from editorial.models import ClaimReview, ReviewReply
from references.models import Citation, Reference


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


def _saved(instance, by):
    instance._history_user = by
    instance.full_clean()
    instance.save()
    return instance


def _next_position(queryset) -> int:
    highest = queryset.aggregate(highest=Max("position"))["highest"]
    return 0 if highest is None else highest + 1


def update_article(article, *, by, version, title: str, headline: str) -> None:
    with editing(article, by=by, version=version) as locked:
        locked.title, locked.headline = title.strip(), headline.strip()
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


def update_section(article, *, by, version, section: str, heading: str, intro: str) -> Section:
    with editing(article, by=by, version=version) as locked:
        target = Section.objects.get(article=locked, uuid=section)
        target.heading, target.intro = heading.strip(), intro.strip()
        return _saved(target, by)


def delete_section(article, *, by, version, section: str) -> None:
    with editing(article, by=by, version=version) as locked:
        target = Section.objects.get(article=locked, uuid=section)
        target._history_user = by
        target.delete()


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


def delete_claim(article, *, by, version, claim: str) -> None:
    with editing(article, by=by, version=version) as locked:
        target = Claim.objects.get(article=locked, uuid=claim, section__isnull=False)
        target._history_user = by
        target.delete()


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
