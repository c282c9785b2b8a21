import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse

from articles.document import build_document, claims_in_reading_order
from articles.models import Article, Claim, Section, Topic
from editorial.models import ArticleVersion, ClaimReview, ReviewAssignment, TransitionLog
from references.models import Citation, Reference

pytestmark = pytest.mark.django_db

MUSCLE_JERKING = "what-is-the-treatment-for-muscle-jerking"


def snapshot() -> dict:
    """Everything load_demo writes, as comparable values (password hashes are salted, so left out)."""
    return {
        "users": list(
            get_user_model()
            .objects.order_by("username")
            .values_list("username", "first_name", "credentials", "is_superuser", "groups__name")
        ),
        "topics": list(Topic.objects.values_list("name", "slug")),
        "articles": list(Article.objects.order_by("slug").values_list("slug", "title", "state", "topic__name")),
        "sections": list(Section.objects.order_by("id").values_list("uuid", "heading", "parent__uuid", "position")),
        "claims": list(Claim.objects.order_by("id").values_list("uuid", "text", "section__uuid", "parent__uuid")),
        "references": list(Reference.objects.order_by("id").values_list("uuid", "title", "doi", "pmid")),
        "citations": list(Citation.objects.order_by("id").values_list("claim__uuid", "reference__uuid", "position")),
        "versions": list(ArticleVersion.objects.order_by("id").values_list("article__slug", "number", "content_hash")),
        "log": list(TransitionLog.objects.order_by("id").values_list("article__slug", "transition", "actor_name")),
        "assignments": list(ReviewAssignment.objects.order_by("id").values_list("article__slug", "status", "due_at")),
        "claim_reviews": list(ClaimReview.objects.order_by("id").values_list("claim_uuid", "verified")),
    }


@pytest.fixture
def demo():
    with override_settings(DEBUG=True):
        call_command("load_demo", stdout=io.StringIO())


def test_load_demo_twice_gives_the_same_data(demo):
    """A second run creates nothing new and changes nothing."""
    before = snapshot()
    with override_settings(DEBUG=True):
        call_command("load_demo", stdout=io.StringIO())
    assert snapshot() == before


def test_load_demo_is_refused_when_debug_is_off():
    """Demo users have a published password, so production refuses the command and writes nothing."""
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="only with DEBUG on"):
        call_command("load_demo")
    assert not Article.objects.exists()
    assert not get_user_model().objects.exists()


def test_demo_users_are_in_their_roles_and_can_log_in(demo):
    """author, reviewer and editor belong to their groups; admin is a superuser; all use the demo password."""
    users = get_user_model().objects.prefetch_related("groups")
    roles = {user.username: ({group.name for group in user.groups.all()}, user.is_superuser) for user in users}
    assert roles == {
        "author": ({"Authors"}, False),
        "reviewer": ({"Reviewers"}, False),
        "editor": ({"Editors"}, False),
        "admin": (set(), True),
    }
    client = Client()  # through the login page: django-axes needs the request that Client.login() does not pass
    client.post(reverse("accounts:login"), {"username": "reviewer", "password": "vetted-demo"})
    assert client.session.get("_auth_user_id") == str(users.get(username="reviewer").pk)


def test_muscle_jerking_article_has_the_seed_structure(demo):
    """A cited summary, six top-level sections with their sub-sections, 36 claims, five references."""
    article = Article.objects.get(slug=MUSCLE_JERKING)
    document = build_document(article)
    authors = [{"name": "Alex Rivera, MPH", "declaration": "declares no competing interests"}]
    assert article.live_version.document == {**document, "authors": authors}
    assert document["headline"] == "Treatment of Muscle Jerking"
    assert [(s["heading"], [c["heading"] for c in s["children"]]) for s in document["sections"]] == [
        ("Diagnosis and Classification", []),
        ("Pharmacological Treatment", ["First-Line Therapy", "Alternative Medications"]),
        ("Non-Pharmacological Approaches", ["For Functional Jerks", "For Tremor-Related Jerking"]),
        ("Special Clinical Scenarios", ["Post-Hypoxic Myoclonus", "Dystonia-Related Jerking"]),
        ("Follow-up and Monitoring", []),
        ("Caution Regarding Equipment and Aids", []),
    ]
    claims = list(claims_in_reading_order(document))
    assert len(claims) == 37  # the short answer and 36 claims
    assert all(claim["citations"] for claim in claims)
    assert Claim.objects.filter(article=article, parent__isnull=False).count() == 7
    assert document["summary"]["citations"] == [document["references"][0]["uuid"]]


def test_muscle_jerking_page_numbers_the_five_references_in_order_of_first_citation(demo):
    """The served page lists references 1–5 as the seed numbers them."""
    response = Client().get(f"/articles/{MUSCLE_JERKING}/")
    assert response.status_code == 200
    html = response.content.decode()
    titles = [
        "Treatment for Involuntary Muscle Jerking",
        "Myoclonus Characteristics and Diagnostic Considerations",
        "Functional jerks, tics, and paroxysmal movement disorders.",
        "Guideline Directed Topic Overview",
        "Involuntary jerking of lower half of the body (spinal myoclonus).",
    ]
    for number, title in enumerate(titles, start=1):
        entry = html[html.index(f'<li id="ref-{number}"') :]
        assert title in entry[: entry.index("</li>")]
    assert 'id="ref-6"' not in html


def test_demo_has_articles_in_every_working_state(demo):
    """Besides the approved article there are drafts and articles in review for every screen to show."""
    states = set(Article.objects.values_list("state", flat=True))
    assert states == {"approved", "draft", "submitted", "under_review", "changes_requested"}


def test_demo_goes_through_the_workflow(demo):
    """The approved article was approved by the demo reviewer, then revised and approved again
    with a change note; the review in progress is overdue."""
    article = Article.objects.get(slug=MUSCLE_JERKING)
    assert article.live_version.number == 2
    assert article.live_version.approved_by.username == "reviewer"
    assert article.live_version.change_note.startswith("New literature search on clonazepam")
    assert list(article.transition_logs.values_list("transition", "actor__username")) == [
        ("declare_interests", "author"),
        ("submit", "author"),
        ("assign", "editor"),
        ("start_review", "reviewer"),
        ("declare_interests", "reviewer"),
        ("approve", "reviewer"),
        ("revise", "author"),
        ("declare_interests", "author"),
        ("submit", "author"),
        ("start_review", "reviewer"),
        ("declare_interests", "reviewer"),
        ("approve", "reviewer"),
    ]
    grades = [claim.get("grade") for claim in claims_in_reading_order(article.live_version.document)]
    assert grades[0] == {"certainty": "low", "strength": "conditional", "direction": "for"}
    assert {"good_practice": True} in grades
    assert None in grades
    assert article.live_version.reviewers[0]["declaration"] == "declares no competing interests"
    in_review = Article.objects.get(state=Article.State.UNDER_REVIEW)
    assert ReviewAssignment.objects.overdue().get().article == in_review
    returned = Article.objects.get(state=Article.State.CHANGES_REQUESTED)
    assert returned.transition_logs.last().comment == "One claim needs a source; see the claim comments."
    assert ClaimReview.objects.filter(assignment__article=returned, verified=False).count() == 1
