"""The author's workspace pages: list, editor, checklist, submit, revise, preview, access."""

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article, Claim
from editorial.services import perform_transition, record_claim_review
from tests import workflow
from tests.editorial.test_admin import logged_in
from tests.factories import ClaimFactory, ReferenceFactory, SectionFactory, TopicFactory

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def edit_url(article) -> str:
    return reverse("writing:edit", args=[article.pk])


def post(client, article, **data):
    version = Article.objects.get(pk=article.pk).edit_version
    return client.post(edit_url(article), {"version": version, **data})


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_the_workspace_needs_a_login_and_a_writing_role():
    """Anonymous visitors go to the login page; a board member without a writing role gets 403."""
    response = Client().get(reverse("writing:list"))
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/?next=/write/")
    assert as_user(workflow.reviewer()).get(reverse("writing:list")).status_code == 403
    assert as_user(workflow.author()).get(reverse("writing:list")).status_code == 200


def test_my_articles_show_state_reviewer_due_and_next_step():
    """Each article with what to do next: finish, answer comments, wait, revise."""
    writer = workflow.author()
    workflow.ready_article(by=writer, title="Draft question?")
    board_member = workflow.reviewer(first_name="Maya", last_name="Okafor")
    in_review = workflow.under_review(workflow.ready_article(by=writer, title="Reviewed question?"), by=board_member)
    claims = list(Claim.objects.filter(article=in_review))
    for claim in claims[:2]:
        record_claim_review(claim, by=board_member, verified=False, comment="Cite a trial.")
    perform_transition(in_review, "request_changes", by=board_member, comment="See comments.")
    workflow.approved(workflow.ready_article(by=writer, title="Approved question?"))
    workflow.ready_article(title="Someone else's question?")
    html = as_user(writer).get(reverse("writing:list")).content.decode()
    assert "Finish and submit" in html
    assert "Answer 2 review comments" in html
    assert "Revise" in html
    assert "Someone else" not in html


def test_author_creates_a_draft_and_edits_it_in_place():
    writer = workflow.author()
    client = as_user(writer)
    response = client.post(reverse("writing:new"), {"title": "What is the treatment for hiccups?"})
    article = Article.objects.get(title="What is the treatment for hiccups?")
    assert response["Location"] == edit_url(article)
    assert list(article.authors.all()) == [writer]
    post(client, article, action="answer", text="Most hiccups stop by themselves.", plain_language="")
    post(client, article, action="add_section", heading="Simple measures")
    section = article.sections.get()
    response = post(client, article, action="add_claim", section=str(section.uuid), text="Holding the breath can help.")
    assert response.status_code == 302
    html = client.get(edit_url(article)).content.decode()
    assert "Holding the breath can help." in html
    assert "cites no reference." in html  # the checklist says what is missing, with a link
    assert f'href="#claim-{Claim.objects.get(text="Holding the breath can help.").uuid}"' in html


def test_checklist_blocks_submission_until_every_claim_is_cited():
    """With an uncited claim the button is disabled and a forced post is refused; cited, it submits."""
    writer = workflow.author()
    article = workflow.ready_article(by=writer)
    uncited = ClaimFactory(section=article.sections.get(), text="An uncited statement.")
    client = as_user(writer)
    page = client.get(edit_url(article)).content.decode()
    assert "1 thing to fix" in page
    assert 'disabled aria-describedby="submit-why"' in page
    reason = f"Not yet: Section “Treatment”, claim 3 (“{uncited.text}”) cites no reference."
    assert f'<p id="submit-why" class="submit-why">{reason}</p>' in page
    refused = client.post(reverse("writing:transition", args=[article.pk, "submit"]), follow=True)
    assert "Fix the 1 item on the checklist first." in messages_of(refused)
    assert Article.objects.get(pk=article.pk).state == Article.State.DRAFT

    post(client, article, action="cite", claim=str(uncited.uuid), reference=ReferenceFactory().pk)
    client.post(reverse("writing:transition", args=[article.pk, "submit"]))
    assert Article.objects.get(pk=article.pk).state == Article.State.SUBMITTED
    queue = logged_in(workflow.reviewer()).get(reverse("admin:articles_article_changelist") + "?queue=board")
    assert article.title in queue.content.decode()


def test_empty_sections_and_references_cited_nowhere_are_on_the_checklist():
    writer = workflow.author()
    article = workflow.ready_article(by=writer)
    empty = SectionFactory(article=article, heading="Empty for now")
    lonely = ReferenceFactory(title="A gathered but uncited trial")
    article.gathered_references.add(lonely)
    page = as_user(writer).get(edit_url(article)).content.decode()
    assert f'<a href="#section-{empty.uuid}">Section “Empty for now” has no claims.</a>' in page
    assert f'<a href="#reference-{lonely.pk}">Reference “A gathered but uncited trial” is cited nowhere.</a>' in page


def test_a_stale_tab_gets_a_conflict_message_and_its_text_back():
    """The second tab's save answers 409 with the typed text shown, and nothing is overwritten."""
    writer = workflow.author()
    article = workflow.ready_article(by=writer)
    claim = Claim.objects.filter(article=article).exclude(section=None).first()
    client = as_user(writer)
    client.post(edit_url(article), {"version": 0, "action": "update_claim", "claim": claim.uuid, "text": "Tab one."})
    response = client.post(
        edit_url(article),
        {"version": 0, "action": "update_claim", "claim": claim.uuid, "text": "Tab two's careful words."},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Your change was not saved" in html
    assert "Tab two&#x27;s careful words." in html or "Tab two's careful words." in html
    claim.refresh_from_db()
    assert claim.text == "Tab one."


def article_urls(pk: int) -> list[tuple[str, str]]:
    """Every /write/<id>/… page, with the method it answers."""
    return [
        ("get", reverse("writing:edit", args=[pk])),
        ("post", reverse("writing:edit", args=[pk])),
        ("get", reverse("writing:preview", args=[pk])),
        ("get", reverse("writing:confirm_delete", args=[pk]) + "?section=00000000-0000-0000-0000-000000000000"),
        ("post", reverse("writing:transition", args=[pk, "submit"])),
        ("post", reverse("writing:transition", args=[pk, "revise"])),
    ]


def test_another_author_cannot_open_or_change_an_article():
    """Someone else's article answers 404, as if it did not exist; its author and an editor open it."""
    writer = workflow.author()
    article = workflow.ready_article(by=writer)
    stranger = as_user(workflow.author())
    assert stranger.get(edit_url(article)).status_code == 404
    assert stranger.post(edit_url(article), {"version": 0, "action": "add_section", "heading": "x"}).status_code == 404
    assert Article.objects.get(pk=article.pk).sections.count() == 1
    assert as_user(writer).get(edit_url(article)).status_code == 200
    assert as_user(workflow.editor()).get(edit_url(article)).status_code == 200


def test_someone_elses_article_looks_exactly_like_a_missing_one():
    """Another author and a board member without a writing role get the same 404 as for an id that does not exist."""
    article = workflow.ready_article()
    missing = Article.objects.order_by("-pk").first().pk + 1000
    for user in (workflow.author(), workflow.reviewer()):
        client = as_user(user)
        for (method, url), (_, missing_url) in zip(article_urls(article.pk), article_urls(missing), strict=True):
            response = getattr(client, method)(url)
            assert response.status_code == 404, (user, method, url)
            assert response.content == getattr(client, method)(missing_url).content
    assert Article.objects.get(pk=article.pk).state == Article.State.DRAFT


def test_content_is_read_only_in_review_and_revise_starts_a_revision_when_approved():
    writer = workflow.author()
    submitted = workflow.submitted(workflow.ready_article(by=writer))
    page = as_user(writer).get(edit_url(submitted)).content.decode()
    assert "its content is read-only until they decide" in page
    assert 'name="action" value="update_claim"' not in page

    approved = workflow.approved(workflow.ready_article(by=writer))
    client = as_user(writer)
    assert "Revise" in client.get(edit_url(approved)).content.decode()
    client.post(reverse("writing:transition", args=[approved.pk, "revise"]))
    assert Article.objects.get(pk=approved.pk).state == Article.State.DRAFT
    assert 'name="action" value="update_claim"' in client.get(edit_url(approved)).content.decode()


def test_the_reviewers_overall_comment_is_shown_above_the_claim_comments():
    """The comment given with "request changes" on this round heads the editor; a resubmission takes it away."""
    writer = workflow.author()
    board_member = workflow.reviewer(first_name="Maya", last_name="Okafor")
    article = workflow.under_review(workflow.ready_article(by=writer), by=board_member)
    claim = Claim.objects.filter(article=article).exclude(section=None).first()
    record_claim_review(claim, by=board_member, verified=False, comment="Which trial shows this?")
    perform_transition(article, "request_changes", by=board_member, comment="Good start.\nTwo claims need sources.")
    client = as_user(writer)
    html = client.get(edit_url(article)).content.decode()
    assert "The reviewer asked for changes" in html
    assert "<blockquote><p>Good start.<br>Two claims need sources.</p></blockquote>" in html
    assert "Maya Okafor" in html.split('id="review-summary"')[1].split("</section>")[0]
    assert html.index("Good start.") < html.index("Which trial shows this?")

    workflow.submitted(Article.objects.get(pk=article.pk))
    assert "The reviewer asked for changes" not in client.get(edit_url(article)).content.decode()


def test_an_author_gives_the_article_a_topic_in_the_editor():
    """The question's form has the topics; choosing one saves it, "No topic yet" clears it, an old form keeps it."""
    writer = workflow.author()
    article = workflow.ready_article(by=writer, topic=None)
    neurology = TopicFactory(name="Neurology")
    client = as_user(writer)
    page = client.get(edit_url(article)).content.decode()
    assert f'<option value="{neurology.pk}">Neurology</option>' in page
    post(client, article, action="article", title=article.title, headline="", topic=neurology.pk)
    assert Article.objects.get(pk=article.pk).topic == neurology
    page = client.get(edit_url(article)).content.decode()
    assert f'<option value="{neurology.pk}" selected>Neurology</option>' in page
    post(client, article, action="article", title="A reworded question?", headline="")
    assert Article.objects.get(pk=article.pk).topic == neurology
    post(client, article, action="article", title=article.title, headline="", topic="")
    assert Article.objects.get(pk=article.pk).topic is None


def test_reviewer_comments_appear_beside_their_claims_and_can_be_answered():
    writer = workflow.author()
    board_member = workflow.reviewer(first_name="Maya", last_name="Okafor")
    article = workflow.under_review(workflow.ready_article(by=writer), by=board_member)
    claim = Claim.objects.filter(article=article).exclude(section=None).first()
    comment = record_claim_review(claim, by=board_member, verified=False, comment="Which trial shows this?")
    perform_transition(article, "request_changes", by=board_member, comment="One claim needs a source.")
    client = as_user(writer)
    html = client.get(edit_url(article)).content.decode()
    assert "Maya Okafor</strong> asked: “Which trial shows this?”" in html
    assert "1 review comment to answer." in html
    post(client, article, action="answer_comment", review=comment.pk, text="Added the 2019 trial.")
    html = client.get(edit_url(article)).content.decode()
    assert "Your answer: Added the 2019 trial." in html
    assert "review comment to answer" not in html
    review_page = logged_in(board_member).get(reverse("admin:articles_article_review", args=[article.pk]))
    assert "answered: “Added the 2019 trial.”" in review_page.content.decode()


def test_preview_uses_the_reader_templates_and_says_it_is_a_preview():
    writer = workflow.author()
    article = workflow.ready_article(by=writer, title="What is the treatment for hiccups?")
    html = as_user(writer).get(reverse("writing:preview", args=[article.pk])).content.decode()
    assert '<h1 id="article-title">What is the treatment for hiccups?</h1>' in html
    assert "Preview of your draft" in html
    assert "Draft: not reviewed yet" in html
    assert "Medically reviewed by" not in html
    assert as_user(workflow.author()).get(reverse("writing:preview", args=[article.pk])).status_code == 404


def test_authors_log_in_on_the_site_and_land_in_their_workspace():
    """Good credentials lead to /write/; wrong ones get a clear error and no session."""
    writer = workflow.author(username="noor")
    writer.set_password("a-long-test-password")
    writer.save()
    client = Client()
    refused = client.post(reverse("accounts:login"), {"username": "noor", "password": "wrong"})
    assert refused.status_code == 200
    assert "Please enter a correct username and password" in refused.content.decode()
    assert client.get(reverse("writing:list")).status_code == 302
    response = client.post(
        reverse("accounts:login"), {"username": "noor", "password": "a-long-test-password"}, follow=True
    )
    assert response.redirect_chain == [(reverse("editorial:landing"), 302), (reverse("writing:list"), 302)]
    assert response.status_code == 200


def test_the_editor_costs_the_same_queries_for_a_short_and_a_long_draft(django_assert_num_queries):
    """The outline, citations, comments and checklist are read in a fixed number of queries."""
    writer = workflow.author()
    short = workflow.ready_article(by=writer, claims=2)
    long = workflow.ready_article(by=writer, claims=30)
    client = as_user(writer)
    client.get(edit_url(short))
    # Queries: session, user, the article with its authors (2), the writer's permissions (2),
    # the document (3), the facts its fingerprints cover, references and which are shared, comments
    # with their replies (2), citations' ids, the notices on the cited references, the authors'
    # declarations of competing interests, the reviewer's overall comment, the topics, the deletion
    # that can be undone.
    with django_assert_num_queries(19):
        client.get(edit_url(short))
    with django_assert_num_queries(19):
        assert client.get(edit_url(long)).status_code == 200


def test_authors_complete_their_own_references_but_not_shared_ones():
    """A reference only this article cites can be completed here; one other articles cite cannot."""
    writer = workflow.author()
    article = workflow.ready_article(by=writer)
    own = ReferenceFactory(title="A placeholder", source="", year=None)
    article.gathered_references.add(own)
    shared = Claim.objects.filter(article=article).first().citations.get().reference
    other = workflow.ready_article()
    other_claim = Claim.objects.filter(article=other).first()
    other_claim.citations.all().delete()
    other_claim.citations.create(reference=shared, position=0)
    client = as_user(writer)
    fields = {"kind": "guideline", "title": "Hiccups: a clinical guideline", "source": "Neurology", "year": 2019}
    post(
        client,
        article,
        action="update_reference",
        reference=own.pk,
        **{f"ref{own.pk}-{k}": v for k, v in fields.items()},
    )
    own.refresh_from_db()
    assert (own.title, own.source, own.year) == ("Hiccups: a clinical guideline", "Neurology", 2019)

    response = post(
        client,
        article,
        action="update_reference",
        reference=shared.pk,
        **{f"ref{shared.pk}-{k}": v for k, v in fields.items()},
    )
    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.title != "Hiccups: a clinical guideline"
    page = client.get(edit_url(article)).content.decode()
    assert "an editor corrects it in the library" in page
