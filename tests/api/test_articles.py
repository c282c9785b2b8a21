"""The read API's articles: only live approved versions, numbered and shaped as the page shows them."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from editorial.models import ArticleVersion
from editorial.services import perform_transition
from tests import workflow
from tests.api.conftest import problem
from tests.factories import ArticleFactory, ClaimFactory, ReferenceFactory, SectionFactory, TopicFactory, cite

pytestmark = pytest.mark.django_db


def _detailed_article() -> Article:
    """An article with a short answer, a nested claim, plain language and two references."""
    article = ArticleFactory(
        title="How is essential tremor treated?", headline="Treating essential tremor", topic=TopicFactory(slug="neuro")
    )
    article.authors.add(workflow.author())
    guideline = ReferenceFactory(
        kind="guideline",
        title="Treatment of essential tremor",
        source="Neurology",
        year=2011,
        doi="10.1212/WNL.0b013e318236f0fd",
        pmid="22013182",
    )
    trial = ReferenceFactory(kind="rct", title="Primidone against placebo", doi="", pmid="")
    cite(ClaimFactory(article=article, section=None, text="Propranolol or primidone are tried first."), guideline)
    section = SectionFactory(article=article, heading="Medicines", intro="Two medicines help.")
    parent = ClaimFactory(
        section=section, text="Propranolol reduces limb tremor.", plain_language="A heart medicine steadies hands."
    )
    cite(parent, trial, guideline)
    cite(ClaimFactory(section=section, parent=parent, text="It suits people without asthma."), trial)
    reviewer = workflow.reviewer(first_name="Maya", last_name="Okafor", credentials="MD")
    return workflow.approved(article, by=reviewer)


def test_detail_is_the_live_version_numbered_as_on_the_page(api):
    """Sections, nested claims, plain language, citations by page number, references, review and hash."""
    article = _detailed_article()
    version = article.live_version
    response = api.get(f"/api/v1/articles/{version.slug}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["title"] == "How is essential tremor treated?"
    assert body["headline"] == "Treating essential tremor"
    assert body["summary"] == "Propranolol or primidone are tried first."
    assert body["topic"] == {"slug": "neuro", "name": article.topic.name}
    assert body["version"] == 1
    assert body["content_hash"] == version.content_hash
    assert body["url"] == f"http://127.0.0.1:8000/articles/{version.slug}/"
    assert body["update_under_review"] is False
    claims = len(body["sections"][0]["claims"]) + 1  # the short answer too
    credit = version.reviewers[0]
    assert body["reviewers"] == [
        {
            "name": "Maya Okafor, MD",
            "credentials": "MD",
            "profile_url": f"http://127.0.0.1:8000{credit['profile']}",
            "claims_checked": credit["claims_checked"],
            "claims_total": credit["claims_total"],
            "last_checked": credit["last_checked"],
            "declaration": "declares no competing interests",
            "approved": True,
        }
    ]
    assert credit["claims_checked"] == credit["claims_total"] >= claims
    assert body["timeline"]["approved_at"] == version.approved_at.isoformat().replace("+00:00", "Z")
    assert body["timeline"]["submitted_at"] is not None
    assert body["next_review_due"].startswith(str(version.approved_at.year + 1))
    # The short answer cites the guideline first: it is reference 1, the trial 2.
    assert body["short_answer"]["number"] is None
    assert body["short_answer"]["citations"] == [1]
    [section] = body["sections"]
    assert (section["heading"], section["intro"]) == ("Medicines", "Two medicines help.")
    [parent] = section["claims"]
    assert parent["number"] == "1"
    assert parent["plain_language"] == "A heart medicine steadies hands."
    assert parent["citations"] == [1, 2]
    [child] = parent["children"]
    assert (child["number"], child["text"], child["citations"]) == ("1.1", "It suits people without asthma.", [2])
    guideline, trial = body["references"]
    assert (guideline["number"], guideline["doi"], guideline["pmid"]) == (1, "10.1212/wnl.0b013e318236f0fd", "22013182")
    assert guideline["first_cited_by"] == body["short_answer"]["uuid"]
    assert (trial["number"], trial["title"], trial["first_cited_by"]) == (
        2,
        "Primidone against placebo",
        parent["uuid"],
    )


def test_detail_says_when_an_update_is_under_review_and_still_serves_the_approved_version(api):
    article = workflow.approved()
    slug = article.live_version.slug
    perform_transition(article, "revise", by=article.authors.first())
    article.title = "A reworded question?"
    article.save()
    workflow.submitted(article)
    body = api.get(f"/api/v1/articles/{slug}").json()
    assert body["update_under_review"] is True
    assert body["title"] != "A reworded question?"
    assert body["version"] == 1


@pytest.mark.parametrize(
    "make",
    [workflow.ready_article, workflow.submitted, workflow.under_review],
    ids=["draft", "submitted", "under_review"],
)
def test_an_article_never_approved_is_a_404_problem_everywhere(api, make):
    article = make()
    problem(api.get(f"/api/v1/articles/{article.slug}"), 404, "not-found")
    problem(api.get(f"/api/v1/articles/{article.slug}/versions"), 404, "not-found")
    assert api.get("/api/v1/articles").json()["items"] == []


def test_a_withdrawn_article_is_a_410_problem_with_the_withdrawal_date(api):
    article = workflow.withdrawn()
    slug = article.live_version.slug
    withdrawn_at = article.transition_logs.filter(transition="withdraw").get().created_at
    for path in (f"/api/v1/articles/{slug}", f"/api/v1/articles/{slug}/versions"):
        body = problem(api.get(path), 410, "withdrawn")
        assert body["withdrawn_at"] == withdrawn_at.isoformat()
        assert "The short answer." not in str(body)
    assert api.get("/api/v1/articles").json()["items"] == []
    perform_transition(article, "reinstate", by=workflow.editor(), comment="Checked.")
    assert api.get(f"/api/v1/articles/{slug}").status_code == 200


def test_an_earlier_address_redirects_to_the_live_one(api):
    article = workflow.approved(workflow.ready_article(slug="old-address"))
    perform_transition(article, "revise", by=article.authors.first())
    article.slug = "new-address"
    article.save()
    workflow.approved(article)
    response = api.get("/api/v1/articles/old-address")
    assert (response.status_code, response["Location"]) == (301, "/api/v1/articles/new-address")
    response = api.get("/api/v1/articles/old-address/versions")
    assert (response.status_code, response["Location"]) == (301, "/api/v1/articles/new-address/versions")
    versions = api.get("/api/v1/articles/new-address/versions").json()["versions"]
    assert [(v["version"], v["slug"], v["live"]) for v in versions] == [
        (2, "new-address", True),
        (1, "old-address", False),
    ]


def test_version_history_names_dates_and_reviewers_newest_first(api):
    first = workflow.reviewer(first_name="Ana", last_name="Silva", credentials="MD")
    article = workflow.approved(by=first)
    perform_transition(article, "revise", by=article.authors.first())
    second = workflow.reviewer(first_name="Ben", last_name="Cole", credentials="PharmD")
    workflow.approved(article, by=second, change_note="Doses brought up to date.")
    body = api.get(f"/api/v1/articles/{article.live_version.slug}/versions").json()
    assert [entry["change_note"] for entry in body["versions"]] == ["Doses brought up to date.", ""]
    versions = ArticleVersion.objects.filter(article=article).order_by("-number")
    assert [entry["version"] for entry in body["versions"]] == [2, 1]
    assert [entry["reviewers"][0]["name"] for entry in body["versions"]] == ["Ben Cole, PharmD", "Ana Silva, MD"]
    assert [entry["content_hash"] for entry in body["versions"]] == [v.content_hash for v in versions]
    assert all(entry["timeline"]["review_started_at"] for entry in body["versions"])


def test_detail_carries_each_claims_grade_and_the_evidence_dates(api):
    """GRADE as the board verified it, with the page's words; search dates; the version's change note."""
    article = workflow.ready_article(claims=0)
    section = article.sections.get()
    graded = ClaimFactory(
        section=section,
        text="Levetiracetam can be tried.",
        certainty="low",
        strength="conditional",
        direction="for",
        evidence_searched_on=date(2026, 10, 1),
    )
    cite(graded, ReferenceFactory())
    cite(ClaimFactory(section=section, text="Explain the plan.", good_practice=True), ReferenceFactory())
    article = workflow.approved(article)
    body = api.get(f"/api/v1/articles/{article.live_version.slug}").json()
    first, second = body["sections"][0]["claims"]
    assert first["grade"] == {
        "certainty": "low",
        "strength": "conditional",
        "direction": "for",
        "good_practice": False,
        "label": "Conditional recommendation for · Low certainty",
        "meaning": first["grade"]["meaning"],
    }
    assert "limited" in first["grade"]["meaning"]
    assert first["evidence_searched_on"] == "2026-10-01"
    assert second["grade"]["good_practice"] is True
    assert second["grade"]["certainty"] is None
    assert body["short_answer"]["grade"] is None
    assert body["evidence_last_checked"] == "2026-10-01"
    assert body["change_note"] == ""


def test_list_pages_with_a_cursor_newest_approval_first(api):
    articles = [workflow.approved() for _ in range(5)]
    newest_first = [article.live_version.slug for article in reversed(articles)]
    seen, path = [], "/api/v1/articles?limit=2"
    while path:
        body = api.get(path).json()
        seen += [item["slug"] for item in body["items"]]
        path = body["next"] and body["next"].removeprefix("http://127.0.0.1:8000")
        assert (body["next_cursor"] is None) == (path is None)
    assert seen == newest_first
    first = api.get("/api/v1/articles?limit=1").json()["items"][0]
    assert first["version"] == 1
    assert first["summary"] == "The short answer."
    assert first["content_hash"] == articles[-1].live_version.content_hash


def test_list_filters_by_topic_and_approval_time(api):
    neurology = TopicFactory(slug="neurology")
    workflow.approved()
    between = timezone.now()
    on_topic = workflow.approved(workflow.ready_article(topic=neurology))

    def slugs(query: str) -> list[str]:
        return [item["slug"] for item in api.get(f"/api/v1/articles?{query}").json()["items"]]

    assert slugs("topic=neurology") == [on_topic.live_version.slug]
    assert slugs("topic=cardiology") == []
    assert slugs(f"updated_since={between.isoformat().replace('+00:00', 'Z')}") == [on_topic.live_version.slug]
    naive = between.replace(tzinfo=None).isoformat()
    assert slugs(f"updated_since={naive}") == [on_topic.live_version.slug]  # read as UTC
    assert slugs(f"updated_since={(between + timedelta(days=1)).isoformat().replace('+00:00', 'Z')}") == []
    assert len(slugs("")) == 2


@pytest.mark.parametrize(
    "moment",
    ["0032-08-13T05:12:19-17:34", "2026-11-01T00:00:00+23:59", "9999-12-31T11:59:59-12:00", "0001-01-01T00:00:00Z"],
)
def test_any_iso_offset_is_answered_never_a_server_error(api, moment):
    """ISO 8601 allows offsets PostgreSQL refuses: the moment is moved to UTC first (found by Schemathesis)."""
    workflow.approved()
    response = api.get("/api/v1/articles", {"updated_since": moment})
    assert response.status_code == 200


def test_a_moment_beyond_the_calendar_in_utc_is_a_422_problem(api):
    """Year 1 at +14:00 is before year 1 in UTC: refused as out of range, not a 500."""
    body = problem(
        api.get("/api/v1/articles", {"updated_since": "0001-01-01T00:00:00+14:00"}), 422, "invalid-parameters"
    )
    assert body["errors"][0]["loc"] == ["query", "updated_since"]


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=101",
        "limit=ten",
        "cursor=abc",
        "cursor=1-2-3",
        "cursor=99999999999999999-1",
        "updated_since=yesterday",
        "updated_since=0.5",
        "updated_since=2026-11-01",
        "topic=no%20spaces",
    ],
)
def test_malformed_parameters_are_a_422_problem_naming_the_parameter(api, query):
    body = problem(api.get(f"/api/v1/articles?{query}"), 422, "invalid-parameters")
    assert body["errors"][0]["loc"] == ["query", query.split("=")[0]]


def test_malformed_slugs_and_search_words_are_refused(api):
    problem(api.get("/api/v1/articles/not%20a%20slug"), 422, "invalid-parameters")
    problem(api.get("/api/v1/search?q=%20%20"), 422, "invalid-parameters")
    problem(api.get("/api/v1/search"), 422, "invalid-parameters")
    problem(api.get("/api/v1/search?q=" + "a" * 201), 422, "invalid-parameters")
    problem(api.get("/api/v1/articles?topic=%00"), 400, "bad-request")


def test_search_is_the_readers_search(api):
    found = workflow.approved(workflow.ready_article(title="How is essential tremor treated?"))
    workflow.approved(workflow.ready_article(title="What helps migraine?"))
    body = api.get("/api/v1/search?q=tremor").json()
    assert body["query"] == "tremor"
    assert [result["slug"] for result in body["results"]] == [found.live_version.slug]
    assert body["results"][0]["url"].endswith(f"/articles/{found.live_version.slug}/")


def test_topics_list_those_with_published_articles_and_their_count(api):
    neurology = TopicFactory(slug="neurology", name="Neurology", description="The nervous system.")
    TopicFactory(slug="empty", name="Empty")
    workflow.approved(workflow.ready_article(topic=neurology))
    workflow.approved(workflow.ready_article(topic=neurology))
    workflow.submitted(workflow.ready_article(topic=TopicFactory(slug="draft-only")))
    topics = api.get("/api/v1/topics").json()["topics"]
    assert topics == [
        {
            "slug": "neurology",
            "name": "Neurology",
            "description": "The nervous system.",
            "articles": 2,
            "url": "http://127.0.0.1:8000/topics/neurology/",
        }
    ]


def test_every_problem_type_is_described_at_its_uri(api):
    from api.problems import TYPES

    for name, kind in TYPES.items():
        body = api.get(f"/api/v1/problems/{name}").json()
        assert body == {"type": kind.uri, "status": kind.status, "title": kind.title, "description": kind.description}
    problem(api.get("/api/v1/problems/no-such-type"), 422, "invalid-parameters")
