"""The board's workspace in the admin: queue, visibility, the review page, buttons, carry-over."""

import pytest
from django.urls import reverse

from articles.models import Article, Claim
from editorial.models import ClaimReview, Notification
from editorial.review import word_diff
from editorial.services import carry_over_verifications, perform_transition, record_claim_review
from tests import workflow
from tests.editorial.test_admin import logged_in
from tests.factories import ClaimFactory, ReferenceFactory, cite

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:articles_article_changelist"


def review_url(article) -> str:
    return reverse("admin:articles_article_review", args=[article.pk])


def transition_url(article, name: str) -> str:
    return reverse("admin:articles_article_transition", args=[article.pk, name])


def mark_url(claim) -> str:
    return reverse("admin:articles_article_mark_claim", args=[claim.article_id, claim.uuid])


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


# The queue


def test_board_members_land_on_their_own_queue_and_editors_see_everything():
    """A reviewer opening Articles is taken to “assigned to me or waiting”; an editor is not redirected."""
    reviewer = workflow.reviewer()
    response = logged_in(reviewer).get(reverse(CHANGELIST))
    assert response.status_code == 302
    assert response["Location"].endswith("?queue=board")
    assert logged_in(workflow.editor()).get(reverse(CHANGELIST)).status_code == 200


def test_board_members_land_on_the_queue_after_logging_in():
    """The admin home sends a board member to their queue; editors get the usual index."""
    response = logged_in(workflow.reviewer()).get(reverse("admin:index"))
    assert response["Location"] == f"{reverse(CHANGELIST)}?queue=board"
    assert logged_in(workflow.editor()).get(reverse("admin:index")).status_code == 200


def test_queue_lists_what_is_assigned_to_me_or_waiting_with_reviewer_due_and_waiting():
    """The queue shows assigned and unassigned submissions, with the reviewer and an overdue marker."""
    member = workflow.reviewer(first_name="Maya", last_name="Okafor")
    mine = workflow.under_review(by=member)
    waiting = workflow.submitted()
    elsewhere = workflow.under_review()  # someone else's review
    page = logged_in(member).get(reverse(CHANGELIST), {"queue": "board"}).content.decode()
    assert mine.title in page
    assert waiting.title in page
    assert elsewhere.title not in page
    assert "Maya Okafor" in page
    assert "today" in page  # days waiting since submission


def test_queue_filters_overdue_and_searches_claim_text():
    """Overdue finds articles whose open review is past due; search reaches the claims' words."""
    late = workflow.under_review()
    late.assignments.update(due_at=workflow.in_days(-1))
    on_time = workflow.under_review()
    client = logged_in(workflow.editor())
    overdue = client.get(reverse(CHANGELIST), {"overdue": "yes"}).content.decode()
    assert late.title in overdue
    assert on_time.title not in overdue
    assert "Overdue" in overdue
    claim = Claim.objects.filter(article=on_time).exclude(section=None).first()  # factory text is unique
    found = client.get(reverse(CHANGELIST), {"q": claim.text}).content.decode()
    assert on_time.title in found
    assert late.title not in found


def test_queue_costs_the_same_queries_for_two_and_for_twelve_articles(django_assert_num_queries):
    """Authors and open assignments are prefetched: no query per row."""
    editor = workflow.editor()
    client = logged_in(editor)
    for _ in range(2):
        workflow.under_review()
    client.get(reverse(CHANGELIST))
    # Queries: session, user, permissions ×2, topics (filter), count ×2, the page, authors,
    # open assignments with their reviewers.
    with django_assert_num_queries(10):
        client.get(reverse(CHANGELIST))
    for _ in range(10):
        workflow.under_review()
    with django_assert_num_queries(10):
        assert client.get(reverse(CHANGELIST)).status_code == 200


# Who sees what


def test_authors_see_only_their_own_articles():
    """An author's list holds their articles; another author's article is not found."""
    writer = workflow.author()
    own = workflow.ready_article(by=writer)
    other = workflow.ready_article()
    client = logged_in(writer)
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert own.title in page
    assert other.title not in page
    assert client.get(reverse("admin:articles_article_change", args=[other.pk])).status_code == 404
    assert client.get(review_url(other)).status_code == 404


def test_reviewers_see_submissions_and_their_assignments_but_not_others_reviews_or_drafts():
    """The queue and what was assigned to them; never a draft or a colleague's review."""
    member = workflow.reviewer()
    draft = workflow.ready_article()
    theirs = workflow.under_review()
    mine = workflow.under_review(by=member)
    client = logged_in(member)
    assert client.get(review_url(mine)).status_code == 200
    assert client.get(review_url(theirs)).status_code == 404
    assert client.get(review_url(draft)).status_code == 404


# The review page


def test_review_page_shows_progress_and_controls_to_the_assigned_reviewer():
    """Progress counts the reviewer's marks; each claim has mark controls; approval is off until all are verified."""
    member = workflow.reviewer()
    article = workflow.under_review(by=member)
    page = logged_in(member).get(review_url(article)).content.decode()
    assert "0 of 3 claims verified" in page
    assert page.count('name="verdict" value="verified"') == 3
    assert "Approve and publish" in page
    assert 'disabled aria-describedby="blocked-approve"' in page
    assert "3 of 3 claims are not verified yet." in page


def test_review_page_lists_doi_and_pubmed_links_beside_each_claim():
    """A cited reference shows its DOI and PubMed links next to the claim that cites it."""
    article = workflow.ready_article(claims=0)
    reference = ReferenceFactory(title="A trial of clonazepam", doi="10.1000/trial.1", pmid="12345678")
    cite(ClaimFactory(section=article.sections.get(), text="Clonazepam helps."), reference)
    member = workflow.reviewer()
    article = workflow.under_review(article, by=member)
    page = logged_in(member).get(review_url(article)).content.decode()
    assert "https://doi.org/10.1000/trial.1" in page
    assert "https://pubmed.ncbi.nlm.nih.gov/12345678/" in page


def test_editors_see_the_review_page_without_mark_controls():
    """Only the assigned reviewer marks claims."""
    article = workflow.under_review()
    page = logged_in(workflow.editor()).get(review_url(article)).content.decode()
    assert "claims verified" in page
    assert 'name="verdict"' not in page


def test_review_page_costs_the_same_queries_however_long_the_article(django_assert_num_queries):
    """Sections, claims, references and marks are read in a fixed number of queries."""
    member = workflow.reviewer()
    short = workflow.under_review(workflow.ready_article(claims=2), by=member)
    record_claim_review(Claim.objects.filter(article=short).first(), by=member, verified=True)
    long = workflow.ready_article(claims=0)
    section = long.sections.get()
    for position in range(40):
        cite(ClaimFactory(section=section, position=position), ReferenceFactory())
    long = workflow.under_review(long, by=member)
    workflow.verify_all(long, member)
    client = logged_in(member)
    client.get(review_url(short))
    # Queries: session, user, permissions ×2, the article, its authors, the document (3), the
    # notices on its references and the facts its fingerprints cover (integrity), open
    # assignments, marks and the authors' answers to them, then the buttons: three assignment
    # lookups by the rules, who wrote or edited the article (four-eyes, once), the reviewer's
    # declaration of competing interests (once), and the approval check's marks, fingerprint
    # facts and retraction notices.
    with django_assert_num_queries(22):
        client.get(review_url(short))
    with django_assert_num_queries(22):
        assert "41 of 41 claims verified" in client.get(review_url(long)).content.decode()


def test_marking_claims_from_the_review_page_goes_through_the_workflow():
    """“Verified” records a mark; “Needs change” without a comment is refused and records nothing."""
    member = workflow.reviewer()
    article = workflow.under_review(by=member)
    claim = Claim.objects.filter(article=article).first()
    client = logged_in(member)
    response = client.post(mark_url(claim), {"verdict": "needs_change", "comment": " "}, follow=True)
    assert "Say what needs to change in this claim." in messages_of(response)
    assert not ClaimReview.objects.exists()
    response = client.post(mark_url(claim), {"verdict": "verified"})
    assert response["Location"].endswith(f"#claim-{claim.uuid}")
    assert ClaimReview.objects.get().verified


def test_a_reviewer_not_assigned_cannot_mark_claims():
    """Another board member's post is refused with a reason and records nothing."""
    article = workflow.under_review()
    other = workflow.reviewer()
    editor_client = logged_in(workflow.editor())
    claim = Claim.objects.filter(article=article).first()
    response = editor_client.post(mark_url(claim), {"verdict": "verified"}, follow=True)
    assert "Only the reviewer assigned to this article can review the claims of it." in messages_of(response)
    assert logged_in(other).post(mark_url(claim), {"verdict": "verified"}).status_code == 404
    assert not ClaimReview.objects.exists()


# Buttons


def test_buttons_appear_only_for_actions_the_viewer_may_take():
    """A board member sees “Start the review” on a submission; its author does not."""
    article = workflow.submitted()
    change = reverse("admin:articles_article_change", args=[article.pk])
    assert "Start the review" in logged_in(workflow.reviewer()).get(change).content.decode()
    author_page = logged_in(article.authors.get()).get(change).content.decode()
    assert "Start the review" not in author_page
    approved = workflow.approved()
    approved_change = reverse("admin:articles_article_change", args=[approved.pk])
    assert "Withdraw from readers" in logged_in(workflow.editor()).get(approved_change).content.decode()
    assert "Withdraw from readers" not in logged_in(approved.authors.get()).get(approved_change).content.decode()


def test_reviewer_starts_verifies_and_approves_through_the_buttons():
    """Start review, approval refused until every claim is verified, then approved and live."""
    member = workflow.reviewer()
    article = workflow.submitted()
    client = logged_in(member)
    response = client.post(transition_url(article, "start_review"))
    assert response["Location"] == review_url(article)
    article.refresh_from_db()
    assert article.state == Article.State.UNDER_REVIEW

    undeclared = client.post(transition_url(article, "approve"), {"next": review_url(article)}, follow=True)
    assert "Declare your competing interests for this review first." in messages_of(undeclared)
    declared = client.post(reverse("admin:integrity_declaration_declare", args=[article.pk]), {"none": "on"})
    assert declared["Location"] == review_url(article)

    refused = client.post(transition_url(article, "approve"), {"next": review_url(article)}, follow=True)
    assert "Verify every claim before approving." in messages_of(refused)
    article.refresh_from_db()
    assert article.state == Article.State.UNDER_REVIEW

    for claim in Claim.objects.filter(article=article):
        client.post(mark_url(claim), {"verdict": "verified"})
    client.post(transition_url(article, "approve"), {"next": review_url(article)})
    article.refresh_from_db()
    assert article.state == Article.State.APPROVED
    assert article.live_version is not None


def test_request_changes_needs_a_comment_and_an_author_cannot_approve():
    """Comment-requiring buttons refuse an empty comment; a refused rule changes nothing."""
    member = workflow.reviewer()
    article = workflow.under_review(by=member)
    response = logged_in(member).post(transition_url(article, "request_changes"), {"comment": ""}, follow=True)
    assert "Say what the authors should change." in messages_of(response)
    response = logged_in(article.authors.get()).post(transition_url(article, "approve"), follow=True)
    assert "You wrote or edited this article, so you cannot approve it." in messages_of(response)
    article.refresh_from_db()
    assert article.state == Article.State.UNDER_REVIEW


def test_transition_buttons_only_accept_posts_and_safe_return_addresses():
    """A GET changes nothing; a foreign “next” is replaced by the article's page."""
    member = workflow.reviewer()
    article = workflow.submitted()
    client = logged_in(member)
    client.get(transition_url(article, "start_review"))
    article.refresh_from_db()
    assert article.state == Article.State.SUBMITTED
    response = client.post(transition_url(article, "revise"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("admin:articles_article_change", args=[article.pk])


# Re-review


def revised_and_resubmitted():
    """An approved article, revised with one claim edited and one added, submitted again."""
    first = workflow.reviewer(first_name="Maya")
    article = workflow.approved(by=first)
    author = article.authors.get()
    perform_transition(article, "revise", by=author)
    edited = Claim.objects.filter(article=article).exclude(section=None).first()
    edited.text = "Clonazepam is the first choice for cortical myoclonus."
    edited.save()
    cite(ClaimFactory(section=edited.section, text="A new claim about levetiracetam."), ReferenceFactory())
    return workflow.submitted(article), edited


def test_re_review_shows_what_changed_since_the_live_version_with_word_differences():
    """Edited and new claims are marked and the edited words highlighted."""
    article, edited = revised_and_resubmitted()
    member = workflow.reviewer()
    article = workflow.under_review(article, by=member)
    page = logged_in(member).get(review_url(article)).content.decode()
    assert "Changes since the live version 1" in page
    assert "<ins>Clonazepam</ins> is" in page
    assert "<ins>the first choice for cortical myoclonus.</ins>" in page
    assert 'class="change change-edited"' in page
    assert 'class="change change-added"' in page


def test_unchanged_claims_verified_last_round_carry_over_in_one_action():
    """Carry-over marks the unchanged claims verified; edited and new ones still need checking."""
    article, edited = revised_and_resubmitted()
    member = workflow.reviewer()
    article = workflow.under_review(article, by=member)
    client = logged_in(member)
    total = Claim.objects.filter(article=article).count()
    assert f"Carry over {total - 2} unchanged claims" in client.get(review_url(article)).content.decode()
    response = client.post(reverse("admin:articles_article_carry_over", args=[article.pk]), follow=True)
    assert f"{total - 2} unchanged claims carried over." in messages_of(response)
    assert f"{total - 2} of {total} claims verified" in response.content.decode()
    carried = ClaimReview.objects.filter(assignment__reviewer=member)
    assert all(review.carried_from.assignment.reviewer.first_name == "Maya" for review in carried)
    assert all(review.carried_from.assignment.round == 1 for review in carried)
    assert not carried.filter(claim=edited).exists()


def test_carried_over_marks_name_who_checked_the_claim_and_who_carried_it():
    """A carried mark reads “Verified by <checker> … in round 1; carried over unchanged by <adopter>”."""
    article, _ = revised_and_resubmitted()
    member = workflow.reviewer(first_name="Ravi", last_name="Shah")
    article = workflow.under_review(article, by=member)
    client = logged_in(member)
    client.post(reverse("admin:articles_article_carry_over", args=[article.pk]))
    page = client.get(review_url(article)).content.decode()
    maya = str(ClaimReview.objects.filter(assignment__round=1).first().assignment.reviewer)
    assert f"by {maya}," in page
    assert "in round 1; carried over unchanged by Ravi Shah" in page


def test_carrying_over_a_carried_mark_points_to_where_the_claim_was_checked():
    """Carried twice, a mark still names the round-1 check, not the mark that adopted it."""
    article, _ = revised_and_resubmitted()
    second = workflow.reviewer()
    article = workflow.under_review(article, by=second)
    carry_over_verifications(article, by=second)
    perform_transition(article, "request_changes", by=second, comment="One more change, please.")
    workflow.submitted(article)
    third = workflow.reviewer()
    article = workflow.under_review(article, by=third)
    carry_over_verifications(article, by=third)
    adopted = ClaimReview.objects.filter(assignment__reviewer=third)
    assert adopted.exists()
    assert {review.carried_from.assignment.round for review in adopted} == {1}


def test_word_diff_escapes_and_marks_changes():
    """Removed words are <del>, added <ins>, and the text is escaped."""
    assert str(word_diff("take 2 mg <daily>", "take 4 mg <daily>")) == (
        "take <del>2</del> <ins>4</ins> mg &lt;daily&gt;"
    )


# History and versions


def test_content_history_shows_each_edit_with_before_after_and_who():
    """An author's edit to a claim appears with the old and new words and the author's name."""
    writer = workflow.author(first_name="Alex", last_name="Rivera")
    article = workflow.ready_article(by=writer)
    claim = Claim.objects.filter(article=article).exclude(section=None).first()
    old_text = claim.text
    claim.text = "Clonazepam 0.5 mg at night."
    claim._history_user = writer
    claim.save()
    page = logged_in(writer).get(reverse("admin:articles_article_content_history", args=[article.pk]))
    html = page.content.decode()
    assert f"<del>{old_text}</del> → <ins>Clonazepam 0.5 mg at night.</ins>" in html
    assert "Alex Rivera" in html
    assert "Claim changed" in html
    other = logged_in(workflow.author()).get(reverse("admin:articles_article_content_history", args=[article.pk]))
    assert other.status_code == 404


def test_approved_versions_can_be_viewed_as_readers_saw_them():
    """An editor opens version 1 rendered like the reader page, marked as shown from the admin."""
    article = workflow.approved()
    version = article.live_version
    url = reverse("admin:editorial_articleversion_view", args=[version.pk])
    page = logged_in(workflow.editor()).get(url).content.decode()
    assert "Version 1, approved" in page
    assert "(live now)" in page
    assert version.document["title"] in page
    assert logged_in(workflow.author()).get(url).status_code == 404  # an author of other articles


def test_only_the_assigned_reviewer_can_carry_over_marks():
    """An editor's carry-over is refused with the reason and records nothing."""
    article, _ = revised_and_resubmitted()
    article = workflow.under_review(article, by=workflow.reviewer())
    before = ClaimReview.objects.count()
    response = logged_in(workflow.editor()).post(
        reverse("admin:articles_article_carry_over", args=[article.pk]), follow=True
    )
    assert "Only the reviewer assigned to this article can review the claims of it." in messages_of(response)
    assert ClaimReview.objects.count() == before


def test_claim_and_section_lists_follow_article_visibility():
    """An author's claim list holds only their articles' claims; an editor's holds all."""
    writer = workflow.author()
    own = workflow.ready_article(by=writer)
    other = workflow.ready_article()
    other_claim = Claim.objects.filter(article=other).first()
    own_claim = Claim.objects.filter(article=own).first()
    url = reverse("admin:articles_claim_changelist")
    page = logged_in(writer).get(url).content.decode()
    assert f"/admin/articles/claim/{own_claim.pk}/change/" in page
    assert f"/admin/articles/claim/{other_claim.pk}/change/" not in page
    assert f"/admin/articles/claim/{other_claim.pk}/change/" in logged_in(workflow.editor()).get(url).content.decode()


def test_a_resubmission_is_offered_back_to_the_reviewer_who_asked_for_changes():
    """Their queue lists it under "Resubmitted after my review", the assign form picks them first, and the
    submission notice says so; another board member's "mine" does not list it."""
    from editorial.forms import AssignReviewerForm

    member, other = workflow.reviewer(first_name="Rae", last_name="Viewer"), workflow.reviewer()
    article = workflow.under_review(by=member)
    perform_transition(article, "request_changes", by=member, comment="Cite the 2019 guideline.")
    workflow.declare_none(article, article.authors.get())
    article = perform_transition(article, "submit", by=article.authors.get())
    queue = reverse("admin:articles_article_changelist")
    assert article.title in logged_in(member).get(queue, {"queue": "returned"}).content.decode()
    assert article.title in logged_in(member).get(queue, {"queue": "mine"}).content.decode()
    assert article.title not in logged_in(other).get(queue, {"queue": "mine"}).content.decode()
    assert AssignReviewerForm(article=article).fields["reviewer"].initial == member.pk
    notice = Notification.objects.filter(kind="submitted", article=article).first()
    assert "It comes back after Rae Viewer asked for changes" in notice.body_text
