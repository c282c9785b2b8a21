import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article
from references.models import Reference
from tests import workflow
from tests.editorial.test_admin import logged_in
from tests.factories import ArticleFactory, ClaimFactory, ReferenceFactory, SectionFactory, cite

pytestmark = pytest.mark.django_db


def changelist(client: Client, **params):
    return client.get(reverse("admin:references_reference_changelist"), params)


def listed(response) -> list[str]:
    return sorted(reference.title for reference in response.context["cl"].result_list)


def change_url(reference: Reference) -> str:
    return reverse("admin:references_reference_change", args=[reference.pk])


def form_data(**overrides) -> dict:
    return {
        "kind": Reference.Kind.GUIDELINE,
        "title": "Evidence-based guideline update: treatment of essential tremor",
        "authors": "Zesiewicz TA",
        "source": "Neurology",
        "year": "2011",
        "volume": "",
        "issue": "",
        "pages": "",
        "doi": "",
        "pmid": "",
        "url": "",
        **overrides,
    }


def citing_article(reference: Reference, *, claims: int = 1, **kwargs) -> Article:
    """A draft whose first `claims` claims cite `reference`."""
    section = SectionFactory(article=ArticleFactory(**kwargs))
    for _ in range(claims):
        cite(ClaimFactory(section=section), reference)
    return section.article


# Search


def test_search_finds_a_reference_by_title():
    """Any word of the title finds the reference."""
    ReferenceFactory(title="Clonazepam for myoclonus")
    ReferenceFactory(title="Propranolol in essential tremor")
    response = changelist(logged_in(workflow.editor()), q="myoclonus")
    assert listed(response) == ["Clonazepam for myoclonus"]


def test_search_finds_a_reference_by_doi_written_as_a_link():
    """A DOI pasted as a resolver link, in any case, finds the reference that stores it bare."""
    ReferenceFactory(title="Wanted", doi="10.1212/WNL.0b013e318236f0fd")
    ReferenceFactory(title="Other", doi="10.1000/other")
    response = changelist(logged_in(workflow.editor()), q="https://doi.org/10.1212/WNL.0b013E318236F0FD")
    assert listed(response) == ["Wanted"]


def test_search_finds_a_reference_by_pmid_with_its_label():
    """“PMID: 22013182” finds the reference whose PMID is 22013182."""
    ReferenceFactory(title="Wanted", pmid="22013182")
    ReferenceFactory(title="Other", pmid="31000000")
    response = changelist(logged_in(workflow.editor()), q="PMID: 22013182")
    assert listed(response) == ["Wanted"]


# Columns


def test_changelist_links_doi_and_pmid_to_their_resolvers():
    """The DOI links to doi.org and the PMID to PubMed."""
    ReferenceFactory(doi="10.1000/xyz", pmid="12345")
    content = changelist(logged_in(workflow.editor())).content.decode()
    assert '<a href="https://doi.org/10.1000/xyz">10.1000/xyz</a>' in content
    assert '<a href="https://pubmed.ncbi.nlm.nih.gov/12345/">12345</a>' in content


def test_cited_by_counts_distinct_articles():
    """Two claims of one article and one of another make “cited by 2”; an uncited reference shows 0."""
    cited = ReferenceFactory(title="Cited")
    citing_article(cited, claims=2)
    citing_article(cited)
    ReferenceFactory(title="Uncited")
    response = changelist(logged_in(workflow.editor()))
    counts = {reference.title: reference.cited_by for reference in response.context["cl"].result_list}
    assert counts == {"Cited": 2, "Uncited": 0}
    assert '<td class="field-cited_by">2</td>' in response.content.decode()


def test_change_page_lists_each_citing_article_with_its_state_and_citing_claims():
    """Each citing article is linked, with its state and how many of its claims cite the reference."""
    reference = ReferenceFactory()
    two_claims = citing_article(reference, claims=2, title="Does clonazepam help myoclonus?")
    one_claim = citing_article(reference, title="Does propranolol help tremor?")
    content = " ".join(logged_in(workflow.editor()).get(change_url(reference)).content.decode().split())
    for article, claims in ((two_claims, "2 claims"), (one_claim, "1 claim")):
        link = reverse("admin:articles_article_change", args=[article.pk])
        assert f'<a href="{link}">{article.title}</a> (draft): {claims}' in content
    assert "you cannot open" not in content


def test_change_page_names_only_the_citing_articles_the_viewer_may_open():
    """An author sees their own citing article and only a count of the others."""
    reference = ReferenceFactory()
    writer = workflow.author()
    own = citing_article(reference, title="My own question?")
    own.authors.add(writer)
    citing_article(reference, title="Someone else's question?")
    content = logged_in(writer).get(change_url(reference)).content.decode()
    assert "My own question?" in content
    assert "Someone else&#x27;s question?" not in content
    assert "Also cited by 1 article you cannot open." in content


def test_change_page_says_when_nothing_cites_the_reference():
    """An uncited reference says so."""
    content = logged_in(workflow.editor()).get(change_url(ReferenceFactory())).content.decode()
    assert "No article cites this reference." in content


# Likely duplicates


def test_near_identical_titles_are_flagged_as_likely_duplicates():
    """A copy without a DOI whose title differs only in case, punctuation and a typo is flagged both ways."""
    original = ReferenceFactory(title="Treatment of essential tremor: an evidence-based review", doi="10.1000/et")
    copy = ReferenceFactory(title="treatment of essential tremor - an evidence based reveiw", year=None)
    different = ReferenceFactory(title="Deep brain stimulation for dystonia")
    response = changelist(logged_in(workflow.editor()))
    content = response.content.decode()
    assert f'Possible duplicate of <a href="{change_url(copy)}">#{copy.pk}</a>' in content
    assert f'Possible duplicate of <a href="{change_url(original)}">#{original.pk}</a>' in content
    assert f"#{different.pk}</a>" not in content
    assert content.count("Possible duplicate of") == 2


def test_references_with_different_titles_are_not_flagged():
    """Titles about different things, or the same title in different years, are not duplicates."""
    ReferenceFactory(title="Clonazepam for cortical myoclonus")
    ReferenceFactory(title="Levetiracetam for cortical myoclonus")
    ReferenceFactory(title="Practice guideline: restless legs syndrome", year=2012)
    ReferenceFactory(title="Practice guideline: restless legs syndrome", year=2016)
    assert "Possible duplicate of" not in changelist(logged_in(workflow.editor())).content.decode()


def test_duplicates_filter_lists_only_likely_duplicates():
    """The “likely duplicates” filter keeps the flagged references and drops the rest."""
    ReferenceFactory(title="Gabapentin for restless legs")
    ReferenceFactory(title="Gabapentin for restless legs.", pmid="12345")
    ReferenceFactory(title="Iron for restless legs")
    response = changelist(logged_in(workflow.editor()), duplicate="yes")
    assert listed(response) == ["Gabapentin for restless legs", "Gabapentin for restless legs."]


def test_change_page_shows_the_likely_duplicates():
    """The change page names each likely duplicate with a link to it."""
    original = ReferenceFactory(title="Gabapentin for restless legs", source="Sleep")
    copy = ReferenceFactory(title="GABAPENTIN FOR RESTLESS LEGS")
    content = logged_in(workflow.editor()).get(change_url(copy)).content.decode()
    link = f'<a href="{change_url(original)}">#{original.pk}</a>'
    assert f"Possible duplicate of {link}: Gabapentin for restless legs (Sleep, 2020)" in content


def test_cited_filter_separates_cited_from_uncited_references():
    """“Cited” lists references some claim cites; “Not cited” the others."""
    citing_article(ReferenceFactory(title="Cited"))
    ReferenceFactory(title="Uncited")
    editor = logged_in(workflow.editor())
    assert listed(changelist(editor, cited="yes")) == ["Cited"]
    assert listed(changelist(editor, cited="no")) == ["Uncited"]


# Query budgets


@pytest.mark.parametrize("references", [3, 30])
def test_changelist_queries_do_not_grow_with_the_references(references, django_assert_num_queries):
    """Cited-by counts and duplicate flags cost the same queries for 3 references as for 30."""
    for number in range(references):
        reference = ReferenceFactory(title=f"Study {number} of a treatment for tremor and myoclonus")
        citing_article(reference, claims=2)
    client = logged_in(workflow.editor())
    # 1 session, 2 user, 3 user's own permissions, 4 their groups' permissions, 5 (id, title, year)
    # of the whole library for the duplicate flags, 6 filtered count, 7 unfiltered count, 8 the
    # page of references with their cited-by counts (a subquery), 9 the years for the year filter.
    with django_assert_num_queries(9):
        response = changelist(client)
    assert len(response.context["cl"].result_list) == references


@pytest.mark.parametrize("articles", [1, 5])
def test_change_page_queries_do_not_grow_with_the_citing_articles(articles, django_assert_num_queries):
    """The cited-by list costs the same queries for one citing article as for five."""
    reference = ReferenceFactory(title="Gabapentin for restless legs")
    ReferenceFactory(title="Gabapentin for restless legs!")
    for _ in range(articles):
        citing_article(reference, claims=2)
    client = logged_in(workflow.editor())
    client.get(change_url(reference))  # fills Django's content-type cache, as any earlier request would
    # 1 session, 2 user, 3 the reference, 4 user's own permissions, 5 their groups' permissions,
    # 6 (id, title, year) of the library for its duplicates, 7 the citing articles with their
    # claim counts and visibility, 8 the likely duplicates' titles and sources.
    with django_assert_num_queries(8):
        response = client.get(change_url(reference))
    assert len(response.context["citing_articles"]) == articles


# Permissions


@pytest.mark.parametrize("role", [workflow.editor, workflow.author])
def test_editors_and_authors_can_add_and_change_references(role):
    """Both roles that write content add references and correct them."""
    client = logged_in(role())
    response = client.post(reverse("admin:references_reference_add"), form_data(doi="https://doi.org/10.1000/ET"))
    assert response.status_code == 302
    reference = Reference.objects.get()
    assert reference.doi == "10.1000/et"
    response = client.post(change_url(reference), form_data(year="2012", doi=reference.doi))
    assert response.status_code == 302
    reference.refresh_from_db()
    assert reference.year == 2012


def test_reviewers_can_view_references_but_not_change_or_add_them():
    """The board reads the library; a POST to change a reference is refused with 403 and changes nothing."""
    reference = ReferenceFactory(title="Original title")
    client = logged_in(workflow.reviewer())
    assert changelist(client).status_code == 200
    page = client.get(change_url(reference))
    assert page.status_code == 200
    assert b'type="submit" value="Save"' not in page.content
    assert client.post(change_url(reference), form_data(title="Rewritten")).status_code == 403
    assert client.get(reverse("admin:references_reference_add")).status_code == 403
    reference.refresh_from_db()
    assert reference.title == "Original title"


def test_anonymous_visitors_are_sent_to_log_in():
    """Without a login the reference list and change page redirect to the admin login."""
    reference = ReferenceFactory()
    client = Client()
    for url in (reverse("admin:references_reference_changelist"), change_url(reference)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    assert client.post(change_url(reference), form_data(title="Rewritten")).status_code == 302
    reference.refresh_from_db()
    assert reference.title != "Rewritten"


def test_citation_reference_picker_finds_a_reference_by_pmid_with_its_label():
    """The citation form's autocomplete shares the search: “PMID: 22013182” finds the reference."""
    wanted = ReferenceFactory(title="Wanted", pmid="22013182")
    ReferenceFactory(title="Other")
    params = {"term": "PMID: 22013182", "app_label": "references", "model_name": "citation", "field_name": "reference"}
    response = logged_in(workflow.editor()).get(reverse("admin:autocomplete"), params)
    assert [result["id"] for result in response.json()["results"]] == [str(wanted.pk)]
