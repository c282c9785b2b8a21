"""Approved versions, append-only records, the content lock, claim verification and the audit trail."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.test import Client, override_settings
from django.utils import timezone

from articles.document import build_document, content_hash
from articles.models import Article, Claim, ContentLockedError, Section
from editorial.exceptions import TransitionForbiddenError, WorkflowError
from editorial.models import ArticleVersion, ClaimReview, ReviewAssignment, TransitionLog
from editorial.records import ImmutableRecordError
from editorial.services import assign_reviewer, perform_transition, record_claim_review
from references.models import Citation
from tests.factories import ArticleFactory, ClaimFactory, ReferenceFactory, SectionFactory, cite
from tests.workflow import (
    approved,
    author,
    declare_none,
    editor,
    in_days,
    ready_article,
    reviewer,
    submitted,
    under_review,
    verify_all,
    withdrawn,
)

pytestmark = pytest.mark.django_db


def claims_of(article: Article) -> list[Claim]:
    """The short answer first, then the section's claims."""
    return [*Claim.objects.filter(article=article).summaries(), *Claim.objects.filter(article=article).in_sections()]


def two_source_article():
    """A draft whose short answer and first claim cite one reference and whose second claim cites another."""
    article = ArticleFactory(title="How is essential tremor treated?")
    article.authors.add(author())
    shared, own = ReferenceFactory(title="Shared guideline"), ReferenceFactory(title="Trial of primidone", year=2015)
    cite(ClaimFactory(article=article, section=None, text="Propranolol or primidone."), shared)
    section = SectionFactory(article=article, heading="Medicines")
    cite(ClaimFactory(section=section, text="Propranolol reduces tremor.", position=0), shared)
    cite(ClaimFactory(section=section, text="Primidone helps too.", position=1), own)
    return article, own


# Approved versions


def test_approval_freezes_the_verified_document_as_version_one():
    """The version holds the document and hash of the content at approval, the approver and reviewers."""
    board_member = reviewer(first_name="Maya", last_name="Okafor", credentials="MD")
    article = under_review(by=board_member)
    verify_all(article, board_member)
    document = build_document(article)

    article = perform_transition(article, "approve", by=board_member)

    version = article.live_version
    assert (version.number, version.approved_by) == (1, board_member)
    # Frozen with the content: the authors and what they declared for this round.
    authors = [{"name": article.authors.get().display_name, "declaration": "declares no competing interests"}]
    assert version.document == {**document, "authors": authors}
    assert version.content_hash == content_hash(document) == content_hash(build_document(article))
    claims = Claim.objects.filter(article=article).count()
    assert version.reviewers == [
        {
            "name": "Maya Okafor, MD",
            "credentials": "MD",
            "profile": board_member.board_profile.get_absolute_url(),
            "claims_checked": claims,
            "claims_total": claims,
            "last_checked": timezone.localdate().isoformat(),
            "approved": True,
            "declaration": "declares no competing interests",
        }
    ]
    assert version.reviewer_names == "Maya Okafor, MD"
    log = TransitionLog.objects.filter(article=article).last()
    assert (log.transition, log.version, log.content_hash) == ("approve", version, version.content_hash)
    assert ReviewAssignment.objects.get(article=article).approved_content_hash == version.content_hash


def test_version_keeps_references_as_they_were_at_approval():
    """Correcting a reference later changes the draft's document, not the approved version's."""
    article, reference = two_source_article()
    article = approved(article)
    frozen = dict(article.live_version.document)

    reference.year = 2016
    reference.save()

    version = ArticleVersion.objects.get(pk=article.live_version.pk)
    assert version.document == frozen
    assert [entry["year"] for entry in version.document["references"]] == [2020, 2015]
    assert [entry["year"] for entry in build_document(article)["references"]] == [2020, 2016]


def test_revision_under_way_never_changes_the_live_version():
    """Revise, edit, resubmit and review: the live version, its document and its hash stay as approved."""
    board_member = reviewer()
    article = approved(by=board_member)
    live = article.live_version
    frozen = (live.pk, live.document, live.content_hash)

    def live_now():
        version = Article.objects.select_related("live_version").get(pk=article.pk).live_version
        return (version.pk, version.document, version.content_hash)

    article = perform_transition(article, "revise", by=article.authors.first())
    assert live_now() == frozen
    article.title = "A reworded question?"
    article.save()
    summary, first, _ = claims_of(article)
    first.text = "A rewritten claim."
    first.save()
    cite(ClaimFactory(section=first.section, text="A brand new claim.", position=9), ReferenceFactory())
    assert live_now() == frozen
    article = submitted(article)
    assert live_now() == frozen
    article = under_review(article, by=board_member)
    assert live_now() == frozen
    perform_transition(article, "request_changes", by=board_member, comment="Not yet.")
    assert live_now() == frozen
    assert frozen[1]["title"] == live.document["title"] != "A reworded question?"


def test_anonymous_reader_keeps_getting_the_approved_text_during_a_revision():
    """The reader page serves version 1 while the revision is drafted, submitted and reviewed."""
    board_member = reviewer()
    article = approved(by=board_member)
    url = article.get_absolute_url()
    approved_text = claims_of(article)[1].text
    reader = Client()

    article = perform_transition(article, "revise", by=article.authors.first())
    claim = claims_of(article)[1]
    claim.text = "An unreviewed new statement."
    claim.save()
    pages = [reader.get(url)]
    article = under_review(article, by=board_member)
    pages.append(reader.get(url))

    for page in pages:
        assert page.status_code == 200
        assert approved_text in page.content.decode()
        assert "An unreviewed new statement." not in page.content.decode()

    verify_all(article, board_member)
    perform_transition(article, "approve", by=board_member, change_note="A statement added.")
    assert "An unreviewed new statement." in reader.get(url).content.decode()


def test_reader_gets_410_for_a_withdrawn_article_and_the_version_again_after_reinstating():
    """Withdrawal hides the live version from readers; reinstating serves the same version again."""
    article = approved()
    url = article.get_absolute_url()
    reader = Client()
    article = withdrawn(article)
    assert reader.get(url).status_code == 410
    perform_transition(article, "reinstate", by=editor(), comment="Checked again.")
    assert reader.get(url).status_code == 200
    assert Article.objects.get(pk=article.pk).live_version.number == 1


def test_unapproved_article_is_not_served_to_readers():
    """A draft, a submission or an article under review has no live version and no page."""
    reader = Client()
    for article in (ready_article(), submitted(), under_review()):
        assert reader.get(article.get_absolute_url()).status_code == 404


def test_reapproval_makes_version_two_live_and_keeps_version_one_listed():
    """After a revision is approved, version 2 is live; version 1 is unchanged and still listed."""
    board_member = reviewer()
    article = approved(by=board_member)
    first = article.live_version
    first_document = first.document
    article = perform_transition(article, "revise", by=article.authors.first())
    claim = claims_of(article)[1]
    claim.text = "A corrected claim."
    claim.save()

    article = approved(article, by=board_member)

    assert article.live_version.number == 2
    assert list(article.versions.all()) == [article.live_version, first]
    assert ArticleVersion.objects.get(pk=first.pk).document == first_document
    assert article.live_version.content_hash != first.content_hash


# Append-only records


def records_of_each_kind():
    """One ArticleVersion, TransitionLog and ClaimReview from a real approval."""
    article = approved()
    return {
        "version": ArticleVersion.objects.get(article=article),
        "log": TransitionLog.objects.filter(article=article).first(),
        "claim_review": ClaimReview.objects.filter(assignment__article=article).first(),
    }


CHANGES = {
    "version": ("number", 99),
    "log": ("comment", "rewritten history"),
    "claim_review": ("comment", "rewritten history"),
}


def stored(record) -> dict:
    return type(record).objects.filter(pk=record.pk).values().get()


@pytest.mark.parametrize("kind", ["version", "log", "claim_review"])
def test_record_instance_cannot_be_saved_again(kind):
    """Changing a stored record and saving it raises ImmutableRecordError; the row is untouched."""
    record = records_of_each_kind()[kind]
    before = stored(record)
    field, value = CHANGES[kind]
    setattr(record, field, value)

    with pytest.raises(ImmutableRecordError, match="append-only; it cannot be changed"):
        record.save()

    assert stored(record) == before


@pytest.mark.parametrize("kind", ["version", "log", "claim_review"])
def test_record_instance_cannot_be_deleted(kind):
    """Deleting a record raises ImmutableRecordError and the row stays."""
    record = records_of_each_kind()[kind]
    before = stored(record)

    with pytest.raises(ImmutableRecordError, match="append-only; it cannot be deleted"):
        record.delete()

    assert stored(record) == before


@pytest.mark.parametrize("kind", ["version", "log", "claim_review"])
def test_records_cannot_be_updated_or_deleted_in_bulk(kind):
    """QuerySet update, bulk_update and delete all raise; every row stays as written."""
    record = records_of_each_kind()[kind]
    model = type(record)
    before = list(model.objects.order_by("pk").values())
    field, value = CHANGES[kind]

    with pytest.raises(ImmutableRecordError, match="cannot be updated"):
        model.objects.filter(pk=record.pk).update(**{field: value})
    setattr(record, field, value)
    # bulk_update opens an atomic block without a savepoint, so give it one to fail inside.
    with pytest.raises(ImmutableRecordError, match="cannot be updated"), transaction.atomic():
        model.objects.bulk_update([record], [field])
    with pytest.raises(ImmutableRecordError, match="cannot be deleted"):
        model.objects.all().delete()

    assert list(model.objects.order_by("pk").values()) == before


@pytest.mark.parametrize("kind", ["version", "log", "claim_review"])
def test_new_instance_reusing_a_stored_pk_cannot_overwrite_the_row(kind):
    """A fresh instance given an existing pk is inserted, never used to UPDATE the stored row."""
    record = records_of_each_kind()[kind]
    before = stored(record)
    forged = type(record)(**{**before, CHANGES[kind][0]: CHANGES[kind][1]})

    with pytest.raises(IntegrityError), transaction.atomic():
        forged.save()

    assert stored(record) == before


# Claim verification follows the content


def test_edited_claim_loses_its_verification_and_untouched_ones_keep_it():
    """After changes are requested and one claim rewritten, only that claim needs verifying again."""
    board_member = reviewer()
    article = under_review(by=board_member)
    verify_all(article, board_member)
    perform_transition(article, "request_changes", by=board_member, comment="Say which dose.")
    summary, first, second = claims_of(article)
    second.text = "Propranolol 40 mg twice daily reduces tremor."
    second.save()
    article = under_review(submitted(article), by=board_member)

    with pytest.raises(WorkflowError) as caught:
        perform_transition(article, "approve", by=board_member)

    assert caught.value.problems == [
        "1 of 3 claims is not verified yet.",
        "Section “Treatment”, claim 2 (“Propranolol 40 mg twice daily reduces tremor.”) is not verified.",
    ]
    record_claim_review(second, by=board_member, verified=True)
    article = perform_transition(article, "approve", by=board_member)
    assert article.state == Article.State.APPROVED


def test_citing_a_different_source_voids_the_claims_verification():
    """Changing a claim's citations is an edit of the claim as far as verification goes."""
    board_member = reviewer()
    article = under_review(by=board_member)
    verify_all(article, board_member)
    perform_transition(article, "request_changes", by=board_member, comment="Cite the trial.")
    summary, first, second = claims_of(article)
    cite(first, ReferenceFactory(title="The trial"))
    article = under_review(submitted(article), by=board_member)

    with pytest.raises(WorkflowError) as caught:
        perform_transition(article, "approve", by=board_member)

    assert caught.value.problems[1:] == [f"Section “Treatment”, claim 1 (“{first.text}”) is not verified."]


def test_editing_a_cited_reference_voids_verification_of_the_claims_citing_it():
    """A corrected reference needs re-checking of every claim that cites it, and only those."""
    board_member = reviewer()
    article, reference = two_source_article()
    article = under_review(article, by=board_member)
    verify_all(article, board_member)

    reference.source = "Annals of Tremor"
    reference.save()

    with pytest.raises(WorkflowError) as caught:
        perform_transition(article, "approve", by=board_member)
    assert caught.value.problems == [
        "1 of 3 claims is not verified yet.",
        "Section “Medicines”, claim 2 (“Primidone helps too.”) is not verified.",
    ]
    record_claim_review(claims_of(article)[2], by=board_member, verified=True)
    article = perform_transition(article, "approve", by=board_member)
    assert article.live_version.document["references"][1]["source"] == "Annals of Tremor"


# The content lock


LOCKED_STATES = ["submitted", "under_review", "approved", "withdrawn"]


def locked_article(state: str) -> Article:
    board_member = reviewer()
    if state == "submitted":
        return submitted()
    if state == "under_review":
        return under_review(by=board_member)
    if state == "approved":
        return approved(by=board_member)
    return withdrawn(approved(by=board_member))


def edit_title(article):
    article.title = "A sneaky new question?"
    article.save()


def edit_headline(article):
    article.headline = "A sneaky headline"
    article.save()


def edit_section(article):
    section = Section.objects.get(article=article)
    section.heading = "Sneaky heading"
    section.save()


def add_section(article):
    SectionFactory(article=article)


def delete_section(article):
    Section.objects.get(article=article).delete()


def edit_claim(article):
    claim = claims_of(article)[1]
    claim.text = "A sneaky claim."
    claim.save()


def add_claim(article):
    ClaimFactory(section=Section.objects.get(article=article))


def delete_claim(article):
    claims_of(article)[2].delete()


def add_citation(article):
    Citation.objects.create(claim=claims_of(article)[1], reference=ReferenceFactory(), position=5)


def delete_citation(article):
    Citation.objects.filter(claim__article=article).first().delete()


def edit_citation(article):
    citation = Citation.objects.filter(claim__article=article).first()
    citation.reference = ReferenceFactory()
    citation.save()


EDITS = [
    edit_title,
    edit_headline,
    edit_section,
    add_section,
    delete_section,
    edit_claim,
    add_claim,
    delete_claim,
    add_citation,
    delete_citation,
    edit_citation,
]


@pytest.mark.parametrize("edit", EDITS, ids=lambda edit: edit.__name__)
@pytest.mark.parametrize("state", LOCKED_STATES)
def test_content_is_locked_outside_draft_and_changes_requested(state, edit):
    """Editing a title, section, claim or citation of a locked article raises ContentLockedError; nothing changes."""
    article = locked_article(state)
    document = build_document(Article.objects.get(pk=article.pk))

    with pytest.raises(ContentLockedError) as caught, transaction.atomic():
        edit(Article.objects.get(pk=article.pk))

    assert caught.value.code == "content_locked"
    assert "its content is locked. Start a revision to change it." in caught.value.messages[0]
    assert build_document(Article.objects.get(pk=article.pk)) == document


@pytest.mark.parametrize("edit", EDITS, ids=lambda edit: edit.__name__)
def test_content_is_editable_again_once_changes_are_requested(edit):
    """The lock lifts when the reviewer hands the article back."""
    board_member = reviewer()
    article = under_review(by=board_member)
    perform_transition(article, "request_changes", by=board_member, comment="Rework it.")
    document = build_document(article)

    edit(Article.objects.get(pk=article.pk))

    assert build_document(Article.objects.get(pk=article.pk)) != document


# Two independent approvals


@override_settings(VETTED_REQUIRED_APPROVALS=2)
def test_two_required_approvals_publish_only_after_the_second_independent_reviewer():
    """The first approval is recorded but the article waits; the second reviewer's approval publishes both names."""
    first = reviewer(first_name="Maya", last_name="Okafor", credentials="MD")
    second = reviewer(first_name="Lars", last_name="Berg", credentials="PhD")
    article = under_review(by=first)
    verify_all(article, first)

    article = perform_transition(article, "approve", by=first)

    assert article.state == Article.State.UNDER_REVIEW
    assert article.live_version is None
    assert not ArticleVersion.objects.filter(article=article).exists()
    log = TransitionLog.objects.filter(article=article).last()
    assert (log.transition, log.from_state, log.to_state, log.actor) == (
        "approve",
        "under_review",
        "under_review",
        first,
    )
    with pytest.raises(TransitionForbiddenError, match="Only the reviewer assigned"):
        perform_transition(article, "approve", by=first)

    assign_reviewer(article, reviewer=second, by=editor(), due_at=in_days(3))
    declare_none(article, second, role="reviewer")
    with pytest.raises(WorkflowError, match="Verify every claim"):
        perform_transition(article, "approve", by=second)
    verify_all(article, second)
    article = perform_transition(article, "approve", by=second)

    assert article.state == Article.State.APPROVED
    assert article.live_version.approved_by == second
    credits = article.live_version.reviewers
    total = Claim.objects.filter(article=article).count()
    assert [(c["name"], c["claims_checked"], c["claims_total"], c["approved"]) for c in credits] == [
        ("Maya Okafor, MD", total, total, True),  # approved first
        ("Lars Berg, PhD", total, total, True),
    ]
    assert TransitionLog.objects.filter(article=article, transition="approve").count() == 2


@override_settings(VETTED_REQUIRED_APPROVALS=2)
def test_an_approval_of_content_since_changed_does_not_count_twice():
    """When a cited reference changes between approvals, the first approval no longer matches the content."""
    first, second = reviewer(), reviewer()
    article, reference = two_source_article()
    article = under_review(article, by=first)
    assign_reviewer(article, reviewer=second, by=editor(), due_at=in_days(3))
    declare_none(article, second, role="reviewer")
    verify_all(article, first)
    perform_transition(article, "approve", by=first)
    reference.pages = "1-9"
    reference.save()
    verify_all(article, second)

    article = perform_transition(article, "approve", by=second)

    assert article.state == Article.State.UNDER_REVIEW
    assert article.live_version is None


# Audit


def test_log_survives_deleting_the_actors_account():
    """Deleting an author's account keeps their log rows, with the name kept as text."""
    writer = author(first_name="Ada", last_name="Lovelace")
    article = ready_article(by=writer)
    perform_transition(article, "submit", by=writer)
    log = TransitionLog.objects.get(article=article, transition="submit")

    writer.delete()

    log = TransitionLog.objects.get(pk=log.pk)
    assert (log.actor, log.actor_name, log.transition) == (None, "Ada Lovelace", "submit")


def test_reviewers_account_cannot_be_deleted_while_their_assignments_exist():
    """Assignments protect the reviewer's account, so who reviewed what cannot vanish."""
    board_member = reviewer()
    approved(by=board_member)
    with pytest.raises(ProtectedError), transaction.atomic():
        board_member.delete()
    assert ReviewAssignment.objects.filter(reviewer=board_member).exists()


def test_claim_review_survives_deleting_the_claim():
    """Removing a claim during changes keeps the review, identified by the claim's stable ID."""
    board_member = reviewer()
    article = under_review(by=board_member)
    verify_all(article, board_member)
    perform_transition(article, "request_changes", by=board_member, comment="Drop claim 2.")
    claim = claims_of(article)[2]
    claim_uuid = claim.uuid

    claim.delete()

    review = ClaimReview.objects.get(claim_uuid=claim_uuid)
    assert (review.claim, review.verified) == (None, True)


@pytest.mark.parametrize(
    ("transition", "comment", "reason"),
    [
        ("submit", "", "submit"),
        ("request_changes", "  Add the dose. ", "request_changes: Add the dose."),
        ("approve", "", "approve"),
        ("withdraw", "Superseded.", "withdraw: Superseded."),
    ],
)
def test_history_records_the_acting_user_and_change_reason(transition, comment, reason):
    """django-simple-history notes who performed each transition and why."""
    board_member = reviewer()
    chief = editor()
    if transition == "submit":
        article = ready_article()
        actor = article.authors.first()
    elif transition == "request_changes":
        article, actor = under_review(by=board_member), board_member
    elif transition == "approve":
        article, actor = under_review(by=board_member), board_member
        verify_all(article, board_member)
    else:
        article, actor = approved(by=board_member), chief

    perform_transition(article, transition, by=actor, comment=comment)

    latest = article.history.first()
    assert (latest.history_user, latest.history_change_reason, latest.state) == (actor, reason, article.state)


def test_history_traces_every_state_an_article_passed_through():
    """The article's history lists each transition's state with its actor, oldest first."""
    writer = author()
    board_member = reviewer()
    article = ready_article(by=writer)
    approved(article, by=board_member)

    rows = list(
        Article.objects.get(pk=article.pk)
        .history.filter(history_change_reason__isnull=False)
        .order_by("history_date", "history_id")
        .values_list("state", "history_user", "history_change_reason")
    )
    assert rows == [
        ("submitted", writer.pk, "submit"),
        ("under_review", board_member.pk, "start_review"),
        ("approved", board_member.pk, "approve"),
    ]
