"""A new author in the workspace: drafting a cited article, and importing one written in Markdown."""

import re

import pytest

from articles.document import build_document
from articles.models import Article
from tests import workflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HICCUPS = "What is the treatment for hiccups?"
OUTLINE = {
    "Simple measures": [
        "Most bouts stop within minutes without treatment.",
        "Holding the breath can help.",
        "Sipping iced water may help.",
    ],
    "Persistent hiccups": ["Hiccups lasting over 48 hours need a medical assessment.", "Look for an underlying cause."],
    "Medicines": ["Chlorpromazine is the only licensed medicine in some countries."],
}
NESTED = {
    "Hiccups lasting over 48 hours need a medical assessment.": "Gastro-oesophageal reflux is a common cause.",
    "Chlorpromazine is the only licensed medicine in some countries.": "Baclofen or gabapentin are used off-label.",
}
BIBTEX = """@article{steger2015,
  author = {Steger, Martin and Schneemann, Markus and Fox, Mark},
  title = {Systemic review: the pathogenesis and pharmacological treatment of hiccups},
  journal = {Alimentary Pharmacology and Therapeutics},
  year = {2015},
  volume = {42},
  number = {9},
  pages = {1037--1050},
  doi = {10.1111/apt.13374}
}
"""


def log_in(page, site: str, username: str, password: str, next_path: str) -> None:
    page.goto(f"{site}/account/login/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{next_path}")


def submit_form(page, label: str, text: str, button: str) -> None:
    page.get_by_label(label, exact=True).fill(text)
    page.get_by_label(label, exact=True).locator("xpath=ancestor::form").get_by_role("button", name=button).click()
    page.wait_for_load_state()


def add_reference(page, title: str, source: str, year: str) -> None:
    page.get_by_text("Add one reference").click()
    form = page.locator("form", has=page.get_by_role("button", name="Add the reference"))
    form.get_by_label("Title").fill(title)
    form.get_by_label("Source").fill(source)
    form.get_by_label("Year").fill(year)
    form.get_by_role("button", name="Add the reference").click()
    page.wait_for_load_state()


def cite(page, claim_text: str, reference_title: str) -> None:
    """Cite from a claim's picker; claim_text None means the short answer."""
    if claim_text is None:
        claim = page.locator("#answer .w-claim")
    else:
        claim = page.locator(".w-claim", has=page.get_by_text(claim_text, exact=True)).last
    claim.get_by_text("Cite a reference…").first.click()
    picker = claim.locator(".cite-picker")  # opened in place (static/js/writing.js): this claim's own
    picker.locator("li", has_text=reference_title).first.get_by_role("button", name="Cite").click()
    # Posted with fetch, without reloading: wait for the citation to appear on this claim.
    claim.locator(":scope > .citations .citation-chip", has_text=reference_title[:30]).wait_for()


def test_new_author_drafts_a_cited_article_and_submits_it(page, demo_site, screenshot):
    """Three sections, eight claims (two nested), three references (one from BibTeX); submit when clean."""
    author = workflow.author(username="newauthor", first_name="Noor", last_name="Haddad", credentials="MD")
    author.set_password("a-long-test-password")
    author.save()
    log_in(page, demo_site, "newauthor", "a-long-test-password", "/write/")
    page.get_by_role("link", name="New article").click()
    page.get_by_label("The question your article answers").fill(HICCUPS)
    page.get_by_role("button", name="Create the draft").click()
    page.wait_for_url(re.compile(r".*/write/\d+/$"))

    submit_form(
        page,
        "The answer, in one or two sentences",
        "Most hiccups stop on their own; persistent ones need a cause found.",
        "Save the short answer",
    )
    for heading in OUTLINE:
        submit_form(page, "New section heading", heading, "Add section")
    for heading, claims in OUTLINE.items():
        for text in claims:
            submit_form(page, f"New claim in “{heading}”", text, "Add claim")
    for parent, text in NESTED.items():
        claim = page.locator(".w-claim", has=page.locator(f"text={parent}")).first
        claim.get_by_text("Add a nested claim").first.click()
        claim.get_by_label("Nested claim").first.fill(text)
        claim.get_by_role("button", name="Add nested claim").first.click()
        page.wait_for_load_state()

    page.get_by_text("Paste references in bulk").click()
    submit_form(page, "Paste references", BIBTEX, "Add these references")
    assert page.get_by_text("1 added, 0 already in the library").is_visible()
    add_reference(page, "Hiccups: a review of treatments", "American Family Physician", "2017")
    add_reference(page, "Persistent hiccups in adults", "British Medical Journal", "2020")

    checklist = page.locator(".checklist")
    assert checklist.get_by_text("cites no reference").count() == 9  # eight claims and the short answer
    assert page.get_by_role("button", name="Submit for review").is_disabled()
    screenshot("author-editor-checklist", full_page=False)

    article = Article.objects.get(title=HICCUPS)
    claims = [*OUTLINE["Simple measures"], *OUTLINE["Persistent hiccups"], *OUTLINE["Medicines"], *NESTED.values()]
    sources = ["Systemic review", "Hiccups: a review", "Persistent hiccups in adults"]
    declaration = page.locator("#declaration")
    declaration.get_by_label("I have no competing interests to declare").check()
    declaration.get_by_role("button", name="Declare").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your declaration for this submission: no competing interests").is_visible()
    cite(page, None, sources[0])
    for index, text in enumerate(claims):
        cite(page, text, sources[index % 3])
    assert page.get_by_text("Every claim is cited").is_visible()
    screenshot("author-editor-outline", element="#sections")

    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_load_state()
    assert page.get_by_text("Submitted: the Medical Advisory Board has been told.").is_visible()
    article.refresh_from_db()
    assert article.state == Article.State.SUBMITTED
    document = build_document(article)
    assert [section["heading"] for section in document["sections"]] == list(OUTLINE)
    assert (
        sum(1 for section in document["sections"] for claim in section["claims"] for _ in [claim, *claim["children"]])
        == 8
    )
    assert len(document["references"]) == 3

    board = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    reviewer_page = board.new_page()
    log_in(reviewer_page, demo_site, "reviewer", "vetted-demo", "/admin/articles/article/?queue=board")
    assert reviewer_page.get_by_role("link", name=HICCUPS).is_visible()
    board.close()


SEED_SHAPED = """# What is the treatment for muscle jerking?

For most kinds of myoclonus, clonazepam gives the best results first; 0.5-1 mg at night is usual [1].

## Diagnosis and classification

Identify the kind of jerk before treating it.

- Myoclonus means sudden, brief movements the person does not intend [1, 2]
- Tell it apart from tics, which can be held back for a while, and from seizures [2, 3]

## Pharmacological treatment

### First-line therapy

- Clonazepam is the usual first choice for most forms [1]
  - A typical dose is 0.5-1 mg at bedtime [1]
  - Benefit is often seen within the first week [1]

### Alternatives

- For functional jerks, relaxation and grounding techniques help [4]
- Tizanidine, baclofen and clonazepam together helped some people [5]

## Non-pharmacological approaches

- Slow movement practice such as yoga or tai chi builds control [4]

## References

1. Treatment for Involuntary Muscle Jerking. Practical Summaries of Clinical Guidelines, 2025
2. Myoclonus: Clinical Features and Diagnosis. Practical Summaries of Clinical Guidelines, 2025
3. Functional jerks, tics, and paroxysmal movement disorders. Handbook of Clinical Neurology, 2016
4. Functional Jerks Management. Practical Summaries of Clinical Guidelines, 2025
5. Involuntary jerking of lower half of the body. Practical Summaries of Clinical Guidelines, 2025
"""


def test_author_imports_a_markdown_article_of_the_seed_shape(page, demo_site, screenshot):
    """Sections, nested claims, citations and reference numbers come out as written."""
    author = workflow.author(username="mdauthor")
    author.set_password("a-long-test-password")
    author.save()
    log_in(page, demo_site, "mdauthor", "a-long-test-password", "/write/")
    page.get_by_role("link", name="New article").click()
    page.get_by_label("The question your article answers").fill("Untitled article")
    page.get_by_role("button", name="Create the draft").click()
    page.wait_for_url(re.compile(r".*/write/\d+/$"))
    page.get_by_text("Import an article written in Markdown").click()
    submit_form(page, "Paste an article written in Markdown", SEED_SHAPED, "Import")
    assert page.get_by_text("imported").first.is_visible()

    article = Article.objects.get(authors=author)
    assert article.title == "What is the treatment for muscle jerking?"
    document = build_document(article)
    assert document["summary"]["text"].startswith("For most kinds of myoclonus")
    headings = [
        (section["heading"], [child["heading"] for child in section["children"]]) for section in document["sections"]
    ]
    assert headings == [
        ("Diagnosis and classification", []),
        ("Pharmacological treatment", ["First-line therapy", "Alternatives"]),
        ("Non-pharmacological approaches", []),
    ]
    first_line = document["sections"][1]["children"][0]["claims"]
    assert [claim["text"] for claim in first_line[0]["children"]] == [
        "A typical dose is 0.5-1 mg at bedtime",
        "Benefit is often seen within the first week",
    ]
    # The demo library already holds these five (one titled with a final full stop): they are matched.
    numbers = {reference["title"].rstrip("."): reference["number"] for reference in document["references"]}
    assert numbers == {
        "Treatment for Involuntary Muscle Jerking": 1,
        "Myoclonus: Clinical Features and Diagnosis": 2,
        "Functional jerks, tics, and paroxysmal movement disorders": 3,
        "Functional Jerks Management": 4,
        "Involuntary jerking of lower half of the body": 5,
    }
    by_uuid = {reference["uuid"]: reference["number"] for reference in document["references"]}
    diagnosis = document["sections"][0]["claims"]
    assert [[by_uuid[uuid] for uuid in claim["citations"]] for claim in diagnosis] == [[1, 2], [2, 3]]
    # Every claim is cited: what is left before submitting is the author's declaration of interests.
    assert page.locator(".checklist li").all_inner_texts() == [
        f"{author.display_name} has not declared competing interests for this submission."
    ]
    screenshot("author-markdown-import", full_page=False)
