"""Matching references against the retraction records, and what a notice does to the workflow."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from articles.document import build_document, claim_fingerprints
from articles.models import Article, Claim
from editorial import evidence
from editorial.conditions import approval_problems, readiness
from editorial.exceptions import TransitionForbiddenError, WorkflowError
from editorial.models import Notification, PurgeRequest, TransitionLog
from editorial.services import perform_transition
from integrity.models import CitingReason, RetractionNotice, RetractionScan
from integrity.retractions import import_file
from tests import workflow
from tests.factories import ClaimFactory, ReferenceFactory, cite
from tests.integrity.csvfiles import row, write

pytestmark = pytest.mark.django_db


def live_article_citing(reference, **kwargs) -> Article:
    """A published article whose short answer and two claims cite ``reference``."""
    article = workflow.ready_article(claims=0, **kwargs)
    Claim.objects.filter(article=article).get().citations.update(reference=reference)
    section = article.sections.get()
    cite(ClaimFactory(section=section, position=0, text="Clonazepam reduces jerks."), reference)
    cite(ClaimFactory(section=section, position=1, text="Levetiracetam helps some."), ReferenceFactory())
    return workflow.approved(article)


def imported(tmp_path, *rows, name="rw.csv"):
    return import_file(write(tmp_path / name, rows))


# Matching


def test_references_are_matched_by_doi_whatever_its_case_and_by_pmid(tmp_path):
    """A DOI matches case-insensitively and with a resolver prefix, as references store it; a PMID exactly."""
    by_doi = ReferenceFactory(doi="10.1056/NEJMoa1234")
    by_pmid = ReferenceFactory(pmid="27654321")
    untouched = ReferenceFactory(doi="10.1056/other")
    imported(
        tmp_path,
        row(1, doi="https://doi.org/10.1056/nejmoa1234"),
        row(2, pmid="27654321", nature="Expression of concern"),
        row(3, doi="10.1056/unrelated"),
    )

    notices = evidence.scan()

    assert {(n.reference_id, n.record_id, n.matched_on) for n in notices} == {
        (by_doi.pk, 1, "doi"),
        (by_pmid.pk, 2, "pmid"),
    }
    assert not RetractionNotice.objects.filter(reference=untouched).exists()


def test_the_scan_reads_only_what_is_new_and_writes_each_match_once(tmp_path):
    """A second scan finds nothing; a newer file's new rows and a reference added later are matched then."""
    early = ReferenceFactory(doi="10.1/early")
    imported(tmp_path, row(1, doi="10.1/early"), *(row(n, doi=f"10.1/n{n}") for n in range(10, 40)))
    assert len(evidence.scan()) == 1
    assert evidence.scan() == []
    late = ReferenceFactory(pmid="555")
    imported(
        tmp_path,
        row(1, doi="10.1/early"),
        *(row(n, doi=f"10.1/n{n}") for n in range(10, 40)),
        row(2, pmid="555"),
        name="two.csv",
    )

    found = evidence.scan()

    assert [(notice.reference, notice.record_id) for notice in found] == [(late, 2)]
    latest = RetractionScan.objects.order_by("-id").first()
    assert latest.records_checked == 1  # the newer file's one new row, not the archive
    assert RetractionNotice.objects.filter(reference=early).count() == 1
    ReferenceFactory(doi="10.1/n11")  # a reference added after the scan, matching an old record
    assert [notice.record_id for notice in evidence.scan()] == [11]


def test_a_reinstatement_is_not_a_notice(tmp_path):
    ReferenceFactory(doi="10.1/back")
    imported(tmp_path, row(1, doi="10.1/back", nature="Reinstatement"))
    assert evidence.scan() == []


def test_the_import_command_matches_at_once_and_names_the_references_under_notice(tmp_path):
    live_article_citing(ReferenceFactory(title="A trial of clonazepam", doi="10.1/clon"))
    path = write(tmp_path / "rw.csv", [row(7, doi="10.1/clon", date="2/29/2024 0:00")])
    out = StringIO()

    call_command("import_retractions", str(path), stdout=out)

    assert "1 new notice(s) on 1 reference(s) in the library:" in out.getvalue()
    assert (
        "Retraction 2024-02-29: “A trial of clonazepam” (matched by DOI, Retraction Watch record 7)" in out.getvalue()
    )
    out = StringIO()
    call_command("import_retractions", str(path), stdout=out)
    assert "nothing changed" in out.getvalue()
    assert "No reference came under notice." in out.getvalue()


# What a notice does


def test_a_retraction_on_a_live_article_voids_its_claims_tells_board_and_editors_once_and_purges(tmp_path):
    """Claims citing the source lose their marks; one re-review notice per person; the log and purges record it."""
    reference = ReferenceFactory(title="Retracted trial", doi="10.1/gone")
    article = live_article_citing(reference)
    editor, member = workflow.editor(), workflow.reviewer()
    document = build_document(article)
    before = claim_fingerprints(document)
    citing = {str(claim.uuid) for claim in Claim.objects.filter(article=article, citations__reference=reference)}
    assert document["summary"]["uuid"] in citing

    imported(tmp_path, row(1, doi="10.1/gone", reason="+Falsification/Fabrication of Data;"))
    evidence.scan()
    evidence.scan()

    after = claim_fingerprints(build_document(article))
    assert {uuid for uuid in before if before[uuid] != after[uuid]} == citing
    reviewer = article.live_version.approved_by
    assert approval_problems(article, reviewer, build_document(article))[0].startswith("2 of 3 claims are not verified")
    notices = Notification.objects.filter(kind=Notification.Kind.SOURCE_UNDER_NOTICE, article=article)
    assert {notice.recipient for notice in notices} >= {editor, member}
    assert notices.count() == len({notice.recipient_id for notice in notices})
    assert "Retraction on 2024-03-14 of cited source “Retracted trial”" in notices.first().body_text
    log = TransitionLog.objects.get(article=article, transition="retraction_notice")
    assert (log.actor, log.actor_name) == (None, "Retraction watch")
    purge = PurgeRequest.objects.get(reason__startswith="retraction notice")
    assert set(purge.keys.split()) == {f"reference-{reference.uuid}", f"article-{article.pk}"}


def test_a_correction_is_for_the_board_only(tmp_path):
    """No voided marks, no reader notice, no purge; the board is told."""
    reference = ReferenceFactory(doi="10.1/fixed")
    article = live_article_citing(reference)
    member = workflow.reviewer()
    editor = workflow.editor()
    before = claim_fingerprints(build_document(article))

    imported(tmp_path, row(1, doi="10.1/fixed", nature="Correction"))
    evidence.scan()

    assert claim_fingerprints(build_document(article)) == before
    recipients = set(
        Notification.objects.filter(article=article, kind="source_under_notice").values_list("recipient", flat=True)
    )
    assert member.pk in recipients
    assert editor.pk not in recipients
    assert not PurgeRequest.objects.filter(reason__contains="notice").exists()
    assert "Retracted" not in Client().get(article.get_absolute_url()).content.decode()


def test_the_reader_page_shows_a_dated_notice_on_the_reference_and_its_claims(tmp_path):
    reference = ReferenceFactory(title="Retracted trial", doi="10.1/gone")
    article = live_article_citing(reference)
    page = Client().get(article.get_absolute_url()).content.decode()
    assert "Cited source retracted" not in page

    imported(tmp_path, row(1, doi="10.1/gone", date="3/14/2024 0:00", reason="+Concerns/Issues About Data;"))
    evidence.scan()
    page = Client().get(article.get_absolute_url()).content.decode()

    # The short answer and one claim cite it, and the reference itself carries the notice.
    assert page.count("Cited source retracted") == 3
    assert page.count('<time datetime="2024-03-14">March 14, 2024</time>') == 3
    assert "Reasons given: Concerns/Issues About Data." in page
    assert 'href="https://doi.org/10.9999/notice.1"' in page
    assert "our Medical Advisory Board is re-reviewing the article" in page


def test_the_reader_page_with_a_notice_costs_the_same_queries(tmp_path, django_assert_num_queries):
    """Rendered from the page cache, a page with a notice costs what any page does: identity and notices."""
    article = live_article_citing(ReferenceFactory(doi="10.1/gone"))
    imported(tmp_path, row(1, doi="10.1/gone"))
    evidence.scan()
    reader = Client()
    reader.get(article.get_absolute_url())
    # Queries: the article with its live version's identity; the notices on its sources.
    with django_assert_num_queries(2):
        assert "Cited source retracted" in reader.get(article.get_absolute_url()).content.decode()


# Dismissing a false match


def test_an_editor_dismisses_a_false_match_with_a_reason_and_the_notice_goes(tmp_path):
    """Logged on the citing article; the marks count again; readers no longer see it; the page is purged."""
    reference = ReferenceFactory(doi="10.1/gone")
    article = live_article_citing(reference)
    before = claim_fingerprints(build_document(article))
    imported(tmp_path, row(1, doi="10.1/gone"))
    (notice,) = evidence.scan()
    editor = workflow.editor()

    with pytest.raises(WorkflowError, match="Say why this is a false match."):
        evidence.dismiss_notice(notice, by=editor, reason="  ")
    evidence.dismiss_notice(notice, by=editor, reason="The database names another paper with a mistyped DOI.")

    notice.refresh_from_db()
    assert (notice.status, notice.dismissed_by) == ("dismissed", editor)
    assert claim_fingerprints(build_document(article)) == before
    log = TransitionLog.objects.get(article=article, transition="dismiss_notice")
    assert log.actor == editor
    assert "mistyped DOI" in log.comment
    assert PurgeRequest.objects.filter(reason__startswith=f"notice {notice.pk} dismissed").exists()
    assert "Cited source retracted" not in Client().get(article.get_absolute_url()).content.decode()
    with pytest.raises(WorkflowError, match="already dismissed"):
        evidence.dismiss_notice(notice, by=editor, reason="Again.")


def test_only_editors_dismiss_notices_in_the_service_and_the_admin(tmp_path):
    reference = ReferenceFactory(doi="10.1/gone")
    live_article_citing(reference)
    imported(tmp_path, row(1, doi="10.1/gone"))
    (notice,) = evidence.scan()
    member, editor = workflow.reviewer(is_staff=True), workflow.editor(is_staff=True)
    url = reverse("admin:integrity_retractionnotice_dismiss", args=[notice.pk])

    with pytest.raises(TransitionForbiddenError, match="Only an editor can do this."):
        evidence.dismiss_notice(notice, by=member, reason="Not ours.")
    refused = Client()
    refused.force_login(member)
    assert refused.get(url).status_code == 403
    assert refused.post(url, {"reason": "Not ours."}).status_code == 403
    assert RetractionNotice.objects.get().status == "active"

    allowed = Client()
    allowed.force_login(editor)
    assert allowed.get(url).status_code == 200
    assert allowed.post(url, {"reason": "Another paper."}).status_code == 302
    assert RetractionNotice.objects.get().status == "dismissed"


def test_the_board_queue_flags_articles_citing_a_source_under_notice(tmp_path):
    reference = ReferenceFactory(doi="10.1/gone")
    flagged = live_article_citing(reference)
    other = workflow.approved()
    imported(tmp_path, row(1, doi="10.1/gone"))
    evidence.scan()
    client = Client()
    client.force_login(workflow.editor(is_staff=True))

    page = client.get(reverse("admin:articles_article_changelist"), {"evidence": "notice"}).content.decode()

    assert flagged.title in page
    assert other.title not in page
    assert "Retraction</strong> of a cited source: re-review" in page


# Before approval


def test_a_draft_citing_a_retracted_source_needs_a_reason_per_claim(tmp_path):
    """The checklist names each claim; the author states why; then the article can be submitted."""
    reference = ReferenceFactory(title="Retracted trial", doi="10.1/gone")
    imported(tmp_path, row(1, doi="10.1/gone"))
    evidence.scan()
    article = workflow.ready_article(claims=1)
    writer = article.authors.get()
    claim = Claim.objects.filter(article=article, section__isnull=False).get()
    cite(claim, reference)

    problems = [problem.message for problem in readiness(article, build_document(article))]
    assert problems == [
        f"Section “Treatment”, claim 1 (“{claim.text}”) cites “Retracted trial”, retracted on 2024-03-14: "
        "say why it still cites it, or cite another source."
    ]
    with pytest.raises(WorkflowError, match="not ready for review"):
        perform_transition(article, "submit", by=writer)
    with pytest.raises(WorkflowError, match="Say why"):
        evidence.state_citing_reason(claim, reference=reference, by=writer, reason=" ")
    with pytest.raises(TransitionForbiddenError):
        evidence.state_citing_reason(claim, reference=reference, by=workflow.author(), reason="Mine now.")

    evidence.state_citing_reason(claim, reference=reference, by=writer, reason="The claim discusses the retraction.")

    assert readiness(article, build_document(article)) == []
    assert perform_transition(article, "submit", by=writer).state == Article.State.SUBMITTED
    assert CitingReason.objects.get().by == writer


def test_approval_is_refused_while_a_retracted_source_is_cited_without_a_reason(tmp_path):
    """A retraction arriving during the review: every claim verified again, approval still refused."""
    reference = ReferenceFactory(doi="10.1/gone")
    member = workflow.reviewer()
    article = workflow.ready_article(claims=1)
    cite(Claim.objects.filter(article=article, section__isnull=False).get(), reference)
    article = workflow.under_review(article, by=member)
    imported(tmp_path, row(1, doi="10.1/gone"))
    evidence.scan()
    workflow.verify_all(article, member)

    with pytest.raises(WorkflowError) as caught:
        perform_transition(article, "approve", by=member)

    assert (caught.value.code, caught.value.message) == (
        "retracted_source",
        "A claim cites a retracted source without saying why.",
    )
    assert "retracted on 2024-03-14: say why it still cites it" in caught.value.problems[0]
    assert Article.objects.get(pk=article.pk).state == Article.State.UNDER_REVIEW


def test_the_review_page_shows_the_notice_on_the_cited_source(tmp_path):
    reference = ReferenceFactory(doi="10.1/gone")
    member = workflow.reviewer(is_staff=True)
    article = workflow.ready_article(claims=1)
    cite(Claim.objects.filter(article=article, section__isnull=False).get(), reference)
    article = workflow.under_review(article, by=member)
    imported(tmp_path, row(1, doi="10.1/gone", nature="Expression of concern", reason="+Concerns/Issues About Data;"))
    evidence.scan()
    client = Client()
    client.force_login(member)

    page = client.get(reverse("admin:articles_article_review", args=[article.pk])).content.decode()

    assert "<strong>Expression of concern</strong> on March 14, 2024: Concerns/Issues About Data" in page


def test_the_workspace_shows_the_notice_and_takes_the_reason_on_the_claim(tmp_path):
    reference = ReferenceFactory(title="Retracted trial", doi="10.1/gone")
    imported(tmp_path, row(1, doi="10.1/gone"))
    evidence.scan()
    article = workflow.ready_article(claims=1)
    writer = article.authors.get()
    claim = Claim.objects.filter(article=article, section__isnull=False).get()
    cite(claim, reference)
    client = Client()
    client.force_login(writer)
    edit = reverse("writing:edit", args=[article.pk])
    page = client.get(edit).content.decode()
    assert "<strong>Retraction</strong> of reference [2] on March 14, 2024" in page
    assert "Why does this claim still cite a retracted source?" in page

    posted = {"action": "state_citing_reason", "version": article.edit_version, "claim": claim.uuid}
    client.post(edit, {**posted, "reference": "not-a-uuid", "reason": "x"})
    client.post(edit, {**posted, "reference": reference.uuid, "reason": "It reports the retraction itself."})

    assert CitingReason.objects.get().reason == "It reports the retraction itself."
    assert "Why this claim still cites it: It reports the retraction itself." in client.get(edit).content.decode()
    assert perform_transition(article, "submit", by=writer).state == Article.State.SUBMITTED


def test_the_nightly_scan_is_scheduled_on_the_scans_queue():
    from django.conf import settings

    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["scan-retractions"]
    assert entry["task"] == "editorial.tasks.scan_retractions"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({settings.VETTED_RETRACTION_SCAN_HOUR}, {0})
    assert app.amqp.router.route({}, "editorial.tasks.scan_retractions")["queue"].name == "scans"
