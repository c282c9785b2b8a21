import pytest
from django.core.exceptions import ValidationError

from articles.document import build_document
from articles.markdown_import import import_markdown, parse_markdown, split_reference
from articles.models import Claim, ContentLockedError, Section
from editorial.conditions import submission_problems
from references.models import Citation, Reference
from tests import workflow
from tests.factories import ArticleFactory, ReferenceFactory

# An article shaped like the seed page, in our own words. Line numbers matter to the tests.
SEED_SHAPED = """\
# How is myoclonus treated?

For most kinds of myoclonus, clonazepam is tried first, usually 0.5 to 1 mg taken at night [1].

## Recognising myoclonus

Be sure of the kind of movement before choosing a treatment.

- Myoclonic jerks are sudden, very short and not under the person's control [1, 2]
  - Tics differ: the person can hold them back for a while [2, 3]
- Ask what sets the jerks off, such as startle, posture or touch [2]

## Medicines

### First choice

- Clonazepam is the usual first medicine [1]
  - A typical dose is 0.5-1 mg at bedtime [1]
    - Taking it 1-2 hours before bed can ease drowsiness the next morning [1]

## Functional jerks

- Practising slow, deliberate movement such as tai chi helps regain control [4]
- Counting backwards or singing can break the pattern of a jerk [3-4]

## References

1. Managing involuntary muscle jerks. Clinical Practice Summaries, 2023
2. Myoclonus: features and differential diagnosis. Clinical Practice Summaries, 2023
3. Moreau L, Okafor N. Functional jerks and tics. Handb Clin Neurol. 2016;139:271-282. https://doi.org/10.5555/VETTED.2016.003
4. Physiotherapy for functional motor disorders: a consensus. J Neurol Neurosurg Psychiatry. 2015;86(10):1113-1119.
"""

KNOWN_DOI = "10.5555/vetted.2016.003"


def markdown_with_claims(claims: int, *, references: int = 20, per_section: int = 60, series: int = 0) -> str:
    """A generated article of ``claims`` claims (the short answer is one), for query budgets and `make bench`.

    Sections cycle through the three levels (##, ###, ####) with ``per_section`` claims each,
    nested three deep; each claim cites one or two of the ``references`` list items, which give a
    DOI, a PMID or only a title in turn, all new to a library that has no other ``series``. With
    the defaults, 10,000 claims take 199,759 characters: just under the form's limit of 200,000.
    """
    lines = ["Short answer [1].", ""]
    number, section = 1, 0
    while number < claims:
        section += 1
        lines += [f"{'#' * (2 + (section - 1) % 3)} Topic {section}", ""]
        for index in range(min(per_section, claims - number)):
            number += 1
            first = number % references + 1
            marker = f"[{first}, {first % references + 1}]" if index % 3 == 1 else f"[{first}]"
            lines.append(f"{'  ' * (index % 3)}- Fact {number} {marker}")
        lines.append("")
    lines += ["## References", ""]
    for item in range(1, references + 1):
        number = series * 1000 + item
        identifier = ("", f" doi:10.5555/bench.{number}", f" PMID: {30000000 + number}")[item % 3]
        lines.append(f"{item}. Study {number} of jerks. J Mov, 2020.{identifier}")
    return "\n".join(lines) + "\n"


def messages(plan_or_result) -> list[str]:
    return [problem.message for problem in plan_or_result.problems]


def texts(claims) -> list:
    """Claim texts as nested lists: ["a", ["a.1"]] for a claim with one child."""
    out = []
    for claim in claims:
        children = claim.children if hasattr(claim, "children") else claim["children"]
        out.append(claim.text if hasattr(claim, "text") else claim["text"])
        if children:
            out.append(texts(children))
    return out


# Parsing, without the database -----------------------------------------------------------------


def test_parse_reads_title_short_answer_sections_and_nested_claims():
    """# is the title, the first paragraph the short answer, ## ### #### the section levels."""
    plan = parse_markdown(SEED_SHAPED)

    assert plan.title == "How is myoclonus treated?"
    assert plan.summary.text == (
        "For most kinds of myoclonus, clonazepam is tried first, usually 0.5 to 1 mg taken at night."
    )
    assert [section.heading for section in plan.sections] == ["Recognising myoclonus", "Medicines", "Functional jerks"]
    recognising, medicines, _ = plan.sections
    assert recognising.intro == "Be sure of the kind of movement before choosing a treatment."
    assert texts(recognising.claims) == [
        "Myoclonic jerks are sudden, very short and not under the person's control",
        ["Tics differ: the person can hold them back for a while"],
        "Ask what sets the jerks off, such as startle, posture or touch",
    ]
    assert [(child.heading, child.level) for child in medicines.children] == [("First choice", 2)]
    assert texts(medicines.children[0].claims) == [
        "Clonazepam is the usual first medicine",
        [
            "A typical dose is 0.5-1 mg at bedtime",
            ["Taking it 1-2 hours before bed can ease drowsiness the next morning"],
        ],
    ]
    assert plan.problems == []


def test_parse_reads_the_numbered_reference_list():
    """Item N of the list under “References” is reference N, with its line and fields."""
    plan = parse_markdown(SEED_SHAPED)

    assert [(item.number, item.line) for item in plan.references] == [(1, 28), (2, 29), (3, 30), (4, 31)]
    third = plan.references[2].fields
    assert (third["authors"], third["title"], third["source"]) == (
        "Moreau L, Okafor N",
        "Functional jerks and tics",
        "Handb Clin Neurol",
    )
    assert (third["year"], third["volume"], third["pages"], third["doi"]) == (2016, "139", "271-282", KNOWN_DOI)


@pytest.mark.parametrize(
    ("written", "numbers"),
    [
        ("[1]", (1,)),
        ("[1, 2]", (1, 2)),
        ("[1-3]", (1, 2, 3)),
        ("[2–4]", (2, 3, 4)),
        ("[1,3-4]", (1, 3, 4)),
    ],
)
def test_numeric_markers_become_numbers_and_leave_the_text(written, numbers):
    """Single numbers, lists and ranges (hyphen or en dash) are read in order and removed."""
    plan = parse_markdown(
        f"## Section\n\n- Caffeine can worsen jerks {written}\n\n## Sources\n\n1. A\n2. B\n3. C\n4. D\n"
    )

    claim = plan.sections[0].claims[0]
    assert claim.text == "Caffeine can worsen jerks"
    assert [marker.numbers for marker in claim.markers] == [numbers]


def test_markers_anywhere_in_the_text_are_removed_and_other_brackets_kept():
    """A marker mid-sentence goes with the space before it; ordinary bracketed words stay."""
    plan = parse_markdown(
        "## S\n\n- Valproate [2] helps some people [in small trials] [1].\n\n## References\n1. A\n2. B\n"
    )

    claim = plan.sections[0].claims[0]
    assert claim.text == "Valproate helps some people [in small trials]."
    assert [marker.numbers for marker in claim.markers] == [(2,), (1,)]


def test_identifier_markers_are_read_and_normalised():
    """[@doi:…] and [@pmid:…] become identifiers; the DOI is stored lower case."""
    plan = parse_markdown("## S\n\n- Levetiracetam can help [@doi:10.1212/WNL.X1; @pmid:22013182]\n")

    assert plan.sections[0].claims[0].markers[0].identifiers == (("doi", "10.1212/wnl.x1"), ("pmid", "22013182"))
    assert plan.problems == []


def test_unresolved_and_malformed_markers_are_reported_with_their_lines():
    """A number with no list item and an empty DOI are problems on the line where they stand."""
    text = (
        "Short answer [1].\n"  # line 1
        "\n"
        "## Section\n"  # line 3
        "\n"
        "- A claim that goes on\n"  # line 5
        "  over two lines [7]\n"  # line 6: the marker's own line
        "- Another one [@doi:]\n"  # line 7
        "- A range too far [1-3]\n"  # line 8
        "\n"
        "## References\n"
        "1. A source. A journal, 2020\n"
    )
    plan = parse_markdown(text)

    assert messages(plan) == [
        "Line 6: citation [7] has no matching item in the numbered reference list.",
        "Line 7: citation [@doi:] is not a DOI or PubMed ID; write it as [@doi:10.1212/WNL.0b013e318236f0fd] "
        "or [@pmid:22013182]. It was left out.",
        "Line 8: citation 2 in [1-3] has no matching item in the numbered reference list.",
        "Line 8: citation 3 in [1-3] has no matching item in the numbered reference list.",
    ]
    assert [problem.code for problem in plan.problems] == [
        "unresolved_citation",
        "not_an_identifier",
        "unresolved_citation",
        "unresolved_citation",
    ]
    claims = plan.sections[0].claims
    assert [claim.text for claim in claims] == ["A claim that goes on over two lines", "Another one", "A range too far"]


def test_unsupported_constructs_are_reported_by_line_and_skipped():
    """Tables, code blocks, quotes and images are skipped; the claims around them stay."""
    text = (
        "## Section\n"  # 1
        "\n"
        "| drug | dose |\n"  # 3
        "|---|---|\n"
        "| clonazepam | 0.5 mg |\n"
        "\n"
        "```\n"  # 7
        "dose = 0.5\n"
        "```\n"
        "\n"
        "> A quoted remark.\n"  # 11
        "\n"
        "- A claim ![chart](chart.png) with a picture\n"  # 13
    )
    plan = parse_markdown(text)

    assert messages(plan) == [
        "Line 3: a table cannot be imported; it was skipped.",
        "Line 7: a code block cannot be imported; it was skipped.",
        "Line 11: a block quote cannot be imported; it was skipped.",
        "Line 13: images cannot be imported; “chart” was skipped.",
    ]
    assert texts(plan.sections[0].claims) == ["A claim with a picture"]


def test_claims_deeper_than_three_levels_are_reported_and_placed_on_level_three():
    """A fourth-level bullet follows its third-level ancestor instead of nesting under it."""
    text = "## S\n\n- one\n  - two\n    - three\n      - four\n"
    plan = parse_markdown(text)

    assert texts(plan.sections[0].claims) == ["one", ["two", ["three", "four"]]]
    assert messages(plan) == ["Line 6: list items nest at most 3 levels; “four” was placed on level 3."]


def test_heading_levels_that_skip_or_go_too_deep_are_reported():
    """#### straight under ## becomes ###; ##### becomes ####."""
    text = "## A\n#### B\n### C\n#### D\n##### E\n"
    plan = parse_markdown(text)

    (a,) = plan.sections
    assert [(child.heading, child.level) for child in a.children] == [("B", 2), ("C", 2)]
    assert [(child.heading, child.level) for child in a.children[1].children] == [("D", 3), ("E", 3)]
    assert messages(plan) == [
        "Line 2: “#### B” skips a heading level; it was read as “###”.",
        "Line 5: “##### E” is deeper than sections go (## to ####); it was read as “####”.",
    ]


def test_short_answer_section_and_cited_paragraphs():
    """“## Short answer” holds the answer; a cited paragraph in a section is a claim, not intro."""
    text = (
        "## Short answer\n\nPropranolol is not a treatment for myoclonus [1].\n\n"
        "## Causes\n\nSeveral causes are common.\n\nLow oxygen after cardiac arrest is one [1].\n\n"
        "- Some medicines are another [1]\n\nA closing remark.\n\n"
        "## References\n\n1. A source. A journal, 2020\n"
    )
    plan = parse_markdown(text)

    assert plan.summary.text == "Propranolol is not a treatment for myoclonus."
    (causes,) = plan.sections
    assert causes.intro == "Several causes are common."
    assert texts(causes.claims) == [
        "Low oxygen after cardiac arrest is one.",
        "Some medicines are another",
        "A closing remark.",
    ]
    assert plan.problems == []


def test_uncited_reference_items_and_stray_content_are_reported():
    """A list item nobody cites, and a list outside any section, are named."""
    plan = parse_markdown(
        "Answer [1].\n\n- stray bullet\n\n## References\n\n1. Cited. J, 2020\n2. Not cited. J, 2021\n"
    )

    assert messages(plan) == [
        "Line 3: this list is in no ## section, so its items have nowhere to go; it was skipped.",
        "Line 8: reference 2 is not cited; it was not imported.",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Zesiewicz TA, Elble RJ, Louis ED, et al. Evidence-based guideline update: treatment of essential "
            "tremor. Neurology. 2011;77(19):1752-1755. doi:10.1212/WNL.0b013e318236f0fd",
            {
                "authors": "Zesiewicz TA, Elble RJ, Louis ED, et al",
                "title": "Evidence-based guideline update: treatment of essential tremor",
                "source": "Neurology",
                "year": 2011,
                "volume": "77",
                "issue": "19",
                "pages": "1752-1755",
                "doi": "10.1212/wnl.0b013e318236f0fd",
                "pmid": None,
            },
        ),
        (
            "Caviness JN, Brown P. Myoclonus: current concepts. Lancet Neurol. 2004 Oct;3(10):598-607. "
            "PMID: 15380156; PMCID: PMC1234.",
            {
                "authors": "Caviness JN, Brown P",
                "title": "Myoclonus: current concepts",
                "source": "Lancet Neurol",
                "year": 2004,
                "volume": "3",
                "issue": "10",
                "pages": "598-607",
                "doi": None,
                "pmid": "15380156",
            },
        ),
        (
            "Spinal myoclonus: a case series. Journal of Movement Studies, 2005",
            {"authors": "", "title": "Spinal myoclonus: a case series", "source": "Journal of Movement Studies"},
        ),
        (
            "Does it work? BMJ. 2020;368:m123. https://doi.org/10.1136/BMJ.M123 "
            "https://pubmed.ncbi.nlm.nih.gov/32000001/",
            {"title": "Does it work?", "source": "BMJ", "year": 2020, "doi": "10.1136/bmj.m123", "pmid": "32000001"},
        ),
        (
            "Notes from a departmental meeting",
            {"authors": "", "title": "Notes from a departmental meeting", "source": "", "year": None},
        ),
    ],
)
def test_split_reference_reads_common_citation_shapes(text, expected):
    """AMA/Vancouver, “Title. Source, Year”, identifiers in any common form, else the whole text as title."""
    fields = split_reference(text)
    assert {key: fields[key] for key in expected} == expected


# Importing ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_builds_the_article_and_numbers_references_by_first_citation():
    """Sections, nested claims and citations land as written; the known DOI is matched, not copied."""
    author = workflow.author()
    known = ReferenceFactory(title="Functional jerks and tics", doi=KNOWN_DOI, source="Handb Clin Neurol", year=2016)
    article = ArticleFactory(title="Untitled")

    result = import_markdown(article, SEED_SHAPED, by=author)

    assert result.problems == []
    assert result.title_set is True
    assert (result.created_sections, result.created_claims, result.created_citations) == (4, 9, 12)
    assert result.matched_references == [known]
    assert len(result.created_references) == 3
    document = build_document(article)
    assert document["title"] == "How is myoclonus treated?"
    references = {entry["uuid"]: entry["number"] for entry in document["references"]}
    assert document["summary"]["text"].startswith("For most kinds of myoclonus")
    assert [references[uuid] for uuid in document["summary"]["citations"]] == [1]
    recognising, medicines, functional = document["sections"]
    assert [section["heading"] for section in document["sections"]] == [
        "Recognising myoclonus",
        "Medicines",
        "Functional jerks",
    ]
    assert recognising["intro"] == "Be sure of the kind of movement before choosing a treatment."
    first, second = recognising["claims"]
    assert [references[uuid] for uuid in first["citations"]] == [1, 2]
    assert [references[uuid] for uuid in first["children"][0]["citations"]] == [2, 3]
    assert [references[uuid] for uuid in second["citations"]] == [2]
    (first_choice,) = medicines["children"]
    assert first_choice["heading"] == "First choice"
    assert texts(first_choice["claims"]) == [
        "Clonazepam is the usual first medicine",
        [
            "A typical dose is 0.5-1 mg at bedtime",
            ["Taking it 1-2 hours before bed can ease drowsiness the next morning"],
        ],
    ]
    assert [[references[uuid] for uuid in claim["citations"]] for claim in functional["claims"]] == [[4], [3, 4]]
    assert [(entry["number"], entry["title"]) for entry in document["references"]] == [
        (1, "Managing involuntary muscle jerks"),
        (2, "Myoclonus: features and differential diagnosis"),
        (3, "Functional jerks and tics"),
        (4, "Physiotherapy for functional motor disorders: a consensus"),
    ]
    assert document["references"][2]["uuid"] == str(known.uuid)
    assert submission_problems(document) == []


@pytest.mark.django_db
def test_document_numbers_follow_first_citation_not_the_pasted_list():
    """Pasted item 2 cited first becomes reference 1 of the article."""
    text = (
        "Answer [2].\n\n## S\n\n- Claim [1]\n\n"
        "## References\n\n1. Alpha study. J One, 2020\n2. Beta study. J Two, 2021\n"
    )
    article = ArticleFactory()

    import_markdown(article, text, by=workflow.author())

    assert [(entry["number"], entry["title"]) for entry in build_document(article)["references"]] == [
        (1, "Beta study"),
        (2, "Alpha study"),
    ]


@pytest.mark.django_db
def test_unresolved_marker_is_reported_and_the_claim_kept_with_its_other_citations():
    """[9] with four list items: the problem names line 3 and the claim still cites [1]."""
    text = "## Treatment\n\n- Clonazepam is tried first [1, 9]\n\n## References\n\n1. A guide. A journal, 2022\n"
    article = ArticleFactory()

    result = import_markdown(article, text, by=workflow.author())

    assert [(problem.line, problem.message) for problem in result.problems] == [
        (3, "Line 3: citation 9 in [1, 9] has no matching item in the numbered reference list.")
    ]
    claim = Claim.objects.get(article=article, text="Clonazepam is tried first")
    assert [citation.reference.title for citation in claim.citations.all()] == ["A guide"]


@pytest.mark.django_db
def test_single_unresolved_number_is_reported_in_the_documented_words():
    """A lone [9] reads “citation [9] has no matching item…”, and the claim is created uncited."""
    article = ArticleFactory()

    result = import_markdown(article, "## S\n\n- Uncited claim [9]\n", by=workflow.author())

    assert messages(result) == ["Line 3: citation [9] has no matching item in the numbered reference list."]
    assert list(Claim.objects.filter(article=article).values_list("text", flat=True)) == ["Uncited claim"]


@pytest.mark.django_db
def test_locked_article_refuses_the_import_and_nothing_is_created():
    """A submitted article raises ContentLockedError before anything is written."""
    article = workflow.submitted(workflow.ready_article())
    counts = [model.objects.count() for model in (Section, Claim, Citation, Reference)]

    with pytest.raises(ContentLockedError):
        import_markdown(article, SEED_SHAPED, by=article.authors.first())

    assert [model.objects.count() for model in (Section, Claim, Citation, Reference)] == counts


@pytest.mark.django_db
def test_invalid_part_rolls_back_the_whole_import_and_names_its_line():
    """A heading longer than a section heading may be fails on its line; nothing is kept."""
    article = ArticleFactory()
    text = f"Answer.\n\n## Fine\n\n- A claim\n\n## {'x' * 201}\n"

    with pytest.raises(ValidationError) as raised:
        import_markdown(article, text, by=workflow.author())

    assert raised.value.message.startswith("Line 7: ")
    assert not Section.objects.filter(article=article).exists()
    assert not Claim.objects.filter(article=article).exists()


@pytest.mark.django_db
def test_identifier_markers_match_a_known_reference_or_create_one():
    """A known DOI is cited as is; an unknown one becomes a placeholder, as a pasted identifier does."""
    known = ReferenceFactory(doi="10.5555/known.1")
    article = ArticleFactory()
    text = "## S\n\n- Known source [@doi:https://doi.org/10.5555/KNOWN.1]\n- New source [@doi:10.5555/new.2]\n"

    result = import_markdown(article, text, by=workflow.author())

    assert result.matched_references == [known]
    (created,) = result.created_references
    assert (created.doi, created.title, created.is_complete) == ("10.5555/new.2", "doi:10.5555/new.2", False)
    assert [(problem.code, problem.message) for problem in result.problems] == [
        (
            "identifier_only",
            "Line 4: only an identifier was given (doi:10.5555/new.2); add the title, source and year, "
            "which an article citing it needs before it is submitted.",
        )
    ]
    cited = [
        list(claim.citations.values_list("reference", flat=True))
        for claim in Claim.objects.filter(article=article).order_by("position")
    ]
    assert cited == [[known.pk], [created.pk]]


@pytest.mark.django_db
def test_identifier_marker_uses_the_pasted_list_item_with_that_doi():
    """[@doi:…] naming an item of the pasted list cites that item's reference, with its details."""
    article = ArticleFactory()
    text = (
        "## S\n\n- Claim [@doi:10.5555/abc]\n\n## References\n\n1. Gamma trial. J Three. 2019;4:5-6. doi:10.5555/ABC\n"
    )

    result = import_markdown(article, text, by=workflow.author())

    assert result.problems == []
    (created,) = result.created_references
    assert (created.title, created.source, created.year, created.doi) == ("Gamma trial", "J Three", 2019, "10.5555/abc")


@pytest.mark.django_db
def test_list_items_without_identifiers_match_an_existing_title():
    """“Beta study.” matches an existing “Beta Study” despite case and punctuation."""
    existing = ReferenceFactory(title="Beta Study")
    article = ArticleFactory()

    result = import_markdown(
        article, "## S\n\n- Claim [1]\n\n## References\n\n1. Beta study. J Two, 2021\n", by=workflow.author()
    )

    assert result.matched_references == [existing]
    assert result.created_references == []


@pytest.mark.django_db
def test_list_items_repeating_an_identifier_or_a_title_count_once():
    """Two items with one DOI, or one title, are one reference; the later item is noted, and its citations kept."""
    article = ArticleFactory()
    text = (
        "## S\n\n- One [1]\n- Two [2]\n- Three [3]\n- Four [4]\n\n## References\n\n"
        "1. Alpha trial. J One, 2020. doi:10.5555/alpha\n"  # line 10
        "2. Alpha trial, reprinted. J Two, 2021. https://doi.org/10.5555/ALPHA\n"
        "3. Beta study. J One, 2020\n"
        "4. Beta Study! J One, 2020\n"
    )

    result = import_markdown(article, text, by=workflow.author())

    assert [(problem.line, problem.code, problem.message) for problem in result.problems] == [
        (11, "repeated", "Line 11: the same DOI or PMID as the entry on line 10; it counts once."),
        (13, "repeated", "Line 13: the same title as the entry on line 12; it counts once."),
    ]
    alpha, beta = result.created_references
    cited = [claim.citations.get().reference for claim in Claim.objects.filter(article=article).order_by("position")]
    assert cited == [alpha, alpha, beta, beta]


@pytest.mark.django_db
def test_a_list_item_the_model_refuses_is_reported_and_the_rest_imported():
    """An item with an invalid URL is a problem on its line, as in a pasted list; its claim stays, uncited by it."""
    article = ArticleFactory()
    text = "## S\n\n- One [1, 2]\n\n## References\n\n1. Gamma study. J Three, 2019. http://x\n2. Delta. J Four, 2020\n"

    result = import_markdown(article, text, by=workflow.author())

    assert [(problem.line, problem.code, problem.message) for problem in result.problems] == [
        (7, "invalid", "Line 7: URL: Enter a valid URL.")
    ]
    (claim,) = Claim.objects.filter(article=article)
    assert [citation.reference.title for citation in claim.citations.all()] == ["Delta"]


@pytest.mark.django_db
def test_a_list_item_saved_by_someone_else_meanwhile_is_matched(monkeypatch):
    """Losing the race for a DOI cites the winner, as pasting references does, and keeps the rest of the import."""
    validate = Reference.full_clean

    def validate_then_lose_the_race(reference, *args, **kwargs):
        validate(reference, *args, **kwargs)
        if reference.doi == KNOWN_DOI:
            Reference.objects.create(title="Saved by a colleague", doi=reference.doi)

    monkeypatch.setattr(Reference, "full_clean", validate_then_lose_the_race)
    article = ArticleFactory()

    result = import_markdown(article, SEED_SHAPED, by=workflow.author())

    (winner,) = result.matched_references
    assert winner.title == "Saved by a colleague"
    assert len(result.created_references) == 3
    assert Citation.objects.filter(claim__article=article, reference=winner).count() == 2
    assert result.created_claims == 9


@pytest.mark.django_db
def test_import_appends_after_existing_sections_and_keeps_the_short_answer():
    """Existing content stays first; a second short answer is reported, not created."""
    author = workflow.author()
    article = workflow.ready_article(by=author)
    answer = Claim.objects.get(article=article, section=None)

    result = import_markdown(
        article, "A new answer [1].\n\n## Added\n\n- Claim [1]\n\n## Sources\n\n1. A. B, 2020\n", by=author
    )

    assert messages(result) == [
        "Line 1: the article already has a short answer, so the pasted one was not imported; "
        "edit the short answer to change it."
    ]
    assert Claim.objects.get(article=article, section=None) == answer
    assert [section["heading"] for section in build_document(article)["sections"]] == ["Treatment", "Added"]
    existing = Section.objects.get(article=article, heading="Treatment")
    assert Section.objects.get(article=article, heading="Added").position == existing.position + 1


@pytest.mark.django_db
def test_a_real_title_is_kept_and_the_pasted_one_reported():
    """Only an empty or placeholder question is replaced by the pasted # title."""
    article = ArticleFactory(title="Which drugs help myoclonus?")

    result = import_markdown(article, "# Something else\n\n## S\n", by=workflow.author())

    article.refresh_from_db()
    assert article.title == "Which drugs help myoclonus?"
    assert result.title_set is False
    assert messages(result) == [
        "Line 1: the article's question stays “Which drugs help myoclonus?”; "
        "the pasted title “Something else” was not used."
    ]


@pytest.mark.django_db
def test_history_records_who_imported():
    """django-simple-history names the importing author and the reason on every created row."""
    author = workflow.author()
    article = ArticleFactory()

    import_markdown(article, "## S\n\n- Claim [1]\n\n## References\n\n1. A. B, 2020\n", by=author)

    claim = Claim.objects.get(article=article)
    records = [claim.history.get(), claim.section.history.get(), claim.citations.get().history.get()]
    records.append(claim.citations.get().reference.history.get())
    assert {(record.history_user, record.history_change_reason) for record in records} == {
        (author, "Imported from Markdown")
    }


@pytest.mark.django_db
def test_every_created_row_has_its_history_row_naming_the_importer():
    """Sections, claims, citations and new references each get one “+” history row: who imported, and why."""
    author = workflow.author()
    article = ArticleFactory()

    result = import_markdown(article, markdown_with_claims(40, per_section=10), by=author)

    claims = Claim.objects.filter(article=article)
    created = [
        (Section, Section.objects.filter(article=article)),
        (Claim, claims),
        (Citation, Citation.objects.filter(claim__in=claims)),
        (Reference, Reference.objects.filter(pk__in=[reference.pk for reference in result.created_references])),
    ]
    assert [rows.count() for _, rows in created] == [
        result.created_sections,
        result.created_claims,
        result.created_citations,
        20,
    ]
    for model, rows in created:
        records = model.history.filter(id__in=rows.values("pk"))
        tracked = [field.attname for field in model.history.model.tracked_fields]
        assert sorted(records.values_list(*tracked)) == sorted(rows.values_list(*tracked))
        assert set(records.values_list("history_type", "history_user", "history_change_reason")) == {
            ("+", author.pk, "Imported from Markdown")
        }


# SAVEPOINT (the import's transaction); SELECT … FOR UPDATE the article's state; SELECT whether it has
# a short answer; SELECT the position of its last section; SELECT the library's references sharing a
# DOI or PMID with the list, and those whose title matches an item without either; SAVEPOINT, INSERT the
# new references, INSERT their history, RELEASE; INSERT the sections of level 1, 2 and 3, then their
# history; INSERT the claims of level 1, 2 and 3, then their history; INSERT the citations, then their
# history; RELEASE. SQLite takes at most 999 parameters a statement, so Django splits a long INSERT there
# (one per 83 claims' history rows, say): 500 claims run on PostgreSQL only, where the lock matters.
IMPORT_QUERIES = 21


@pytest.mark.django_db
@pytest.mark.parametrize("claims", [50, pytest.param(500, marks=pytest.mark.postgres)])
def test_import_queries_do_not_grow_with_the_claims(claims, django_assert_num_queries):
    """Rows of a kind are inserted together, so 50 claims and 500 cost the same queries."""
    author = workflow.author()
    article = ArticleFactory()
    text = markdown_with_claims(claims, per_section=10)

    with django_assert_num_queries(IMPORT_QUERIES):
        result = import_markdown(article, text, by=author)

    assert (result.created_claims, len(result.created_references), result.problems) == (claims, 20, [])
    assert Claim.objects.filter(article=article).count() == claims
