import pytest

from references.importers import ImportProblem, detect_format, import_references, parse_references
from references.models import Reference
from tests.factories import ReferenceFactory, UserFactory

pytestmark = pytest.mark.django_db

TREMOR_GUIDELINE = r"""@article{zesiewicz2011,
  author = {Zesiewicz, Theresa A. and Elble, Rodger J. and Louis, Elan D. and Gronseth, Gary S. and
            Ondo, William G. and Dewey, Jr., Richard B. and Okun, Michael S. and Sullivan, Kelly L.
            and Weiner, William J.},
  title = {Evidence-based guideline update: treatment of essential tremor},
  journal = {Neurology},
  year = {2011},
  volume = {77},
  number = {19},
  pages = {1752--1755},
  doi = {10.1212/WNL.0b013e318236f0fd},
  pmid = {22013182},
  keywords = {Practice Guideline; Essential Tremor},
}
"""

MYOCLONUS_TRIAL = r"""@article{hartmann2019,
  author = {Hartmann, Lena K. and Osei-Bonsu, Kwame and Lindqvist, Maja},
  title = {Levetiracetam versus clonazepam for cortical myoclonus: a randomised controlled trial},
  journal = {Journal of Clinical Movement Disorders},
  year = 2019,
  volume = 12,
  number = 3,
  pages = {201--209},
  doi = {https://doi.org/10.5555/JCMD.2019.0312},
  keywords = {Randomised Controlled Trial, myoclonus},
}
"""

NEUROLOGY_TEXTBOOK = r"""@book{vanderberg2018,
  author = {van der Berg, Anna M. and Okafor, Chidi},
  title = {Movement Disorders in Clinical Practice},
  publisher = {Northfield Medical Press},
  year = {2018},
  edition = {3},
}
"""

BROKEN_ENTRY = r"""@article{broken2020,
  author = {Nakamura, Yui},
  title = {Propranolol dosing in essential tremor,
  journal = {Tremor Reports},
  year = {2020},

"""

RIS_TWO_RECORDS = """TY  - JOUR
AU  - Hartmann, Lena K.
AU  - Osei-Bonsu, Kwame
TI  - Levetiracetam versus clonazepam for cortical myoclonus
T2  - Journal of Clinical Movement Disorders
PY  - 2019///
VL  - 12
IS  - 3
SP  - 201
EP  - 209
DO  - 10.5555/jcmd.2019.0312
KW  - Randomized Controlled Trial
ER  -

TY  - JOUR
AU  - Nakamura, Yui
T2  - Tremor Reports
PY  - 2020
ER  -
"""


def test_bibtex_entries_are_created_with_ama_authors_and_normalised_identifiers():
    """Three BibTeX entries become three references with AMA authors, source, year and a bare DOI."""
    report = import_references(TREMOR_GUIDELINE + MYOCLONUS_TRIAL + NEUROLOGY_TEXTBOOK)

    assert report.problems == []
    assert report.matched == []
    guideline, trial, textbook = report.created
    assert Reference.objects.count() == 3
    guideline.refresh_from_db()
    assert guideline.kind == Reference.Kind.GUIDELINE
    assert guideline.title == "Evidence-based guideline update: treatment of essential tremor"
    assert guideline.authors == "Zesiewicz TA, Elble RJ, Louis ED, et al"
    assert (guideline.source, guideline.year, guideline.volume, guideline.issue, guideline.pages) == (
        "Neurology",
        2011,
        "77",
        "19",
        "1752-1755",
    )
    assert (guideline.doi, guideline.pmid) == ("10.1212/wnl.0b013e318236f0fd", "22013182")
    assert trial.kind == Reference.Kind.CLINICAL_TRIAL
    assert trial.authors == "Hartmann LK, Osei-Bonsu K, Lindqvist M"
    assert trial.doi == "10.5555/jcmd.2019.0312"
    assert (textbook.kind, textbook.source, textbook.year) == (
        Reference.Kind.TEXTBOOK,
        "Northfield Medical Press",
        2018,
    )
    assert textbook.authors == "van der Berg AM, Okafor C"


def test_parsed_entries_know_the_line_they_start_on():
    """Each entry carries the 1-based line of its "@" line."""
    entries, problems = parse_references("% my library\n\n" + TREMOR_GUIDELINE + "\n" + NEUROLOGY_TEXTBOOK)
    assert problems == []
    assert [entry.line for entry in entries] == [3, 18]


def test_six_authors_are_all_listed_and_a_seventh_brings_et_al():
    """AMA lists up to six authors; with more, the first three and “et al”."""
    names = " and ".join(f"Author{n}, Alex" for n in range(1, 8))
    six = f"@article{{six, title = {{T}}, author = {{{names.rsplit(' and ', 1)[0]}}}}}"
    seven = f"@article{{seven, title = {{T}}, author = {{{names}}}}}"
    (six_entry, seven_entry), _ = parse_references(f"{six}\n{seven}")
    assert six_entry.authors == "Author1 A, Author2 A, Author3 A, Author4 A, Author5 A, Author6 A"
    assert seven_entry.authors == "Author1 A, Author2 A, Author3 A, et al"


def test_bibtex_names_keep_organisations_suffixes_and_accents():
    """Braced and corporate authors stay whole; “Jr.” follows the initials; LaTeX accents become letters."""
    text = (
        r"@article{x, title = {T}, author = {{World Health Organization} and "
        r"Dewey, Jr., Richard B. and Gonz{\'a}lez, Jean-Pierre and American Academy of Neurology}}"
    )
    (entry,), _ = parse_references(text)
    assert entry.authors == "World Health Organization, Dewey RB Jr, González JP, American Academy of Neurology"


def test_a_broken_bibtex_entry_is_reported_by_line_and_the_others_are_created():
    """An entry with an unclosed brace is a problem on its line; the entries around it are imported."""
    text = TREMOR_GUIDELINE + BROKEN_ENTRY + NEUROLOGY_TEXTBOOK
    broken_line = TREMOR_GUIDELINE.count("\n") + 1

    report = import_references(text)

    assert [reference.title for reference in report.created] == [
        "Evidence-based guideline update: treatment of essential tremor",
        "Movement Disorders in Clinical Practice",
    ]
    (problem,) = report.problems
    assert problem.line == broken_line == 15
    assert problem.code == "unreadable"
    assert problem.message.startswith("Line 15: the entry could not be read")
    assert "closing brace" in problem.message


def test_a_bibtex_entry_without_a_title_is_reported():
    """A complete entry that lacks a title is refused with a message naming its line."""
    text = TREMOR_GUIDELINE + "@article{untitled,\n  journal = {Tremor Reports},\n  year = {2020},\n}\n"
    entries, problems = parse_references(text)
    assert len(entries) == 1
    assert problems == [ImportProblem(line=15, message="Line 15: the entry has no title.", code="no_title")]


def test_a_bibtex_entry_with_an_invalid_doi_is_reported_in_the_models_words():
    """The DOI is checked with the model's validator, so the message shows a correct example."""
    (problem,) = parse_references("@article{x, title = {T}, doi = {10.1000}}")[1]
    assert problem.code == "invalid_doi"
    assert problem.message.startswith("Line 1: “10.1000” is not a DOI.")
    assert "10.1212/WNL.0b013e318236f0fd" in problem.message


def test_bibtex_strings_serve_later_entries_and_an_undefined_one_is_reported():
    """@string macros defined earlier are expanded; an undefined macro is a problem on its entry's line."""
    text = (
        '@string{neuro = "Neurology"}\n'
        "@article{a, title = {A}, journal = neuro}\n"
        "@article{b, title = {B}, journal = jcmd}"
    )
    entries, problems = parse_references(text)
    assert [entry.source for entry in entries] == ["Neurology"]
    assert [(problem.line, problem.code) for problem in problems] == [(3, "undefined_string")]
    assert "“jcmd” is not defined" in problems[0].message


def test_ris_records_are_read_one_by_one_and_a_record_without_title_is_reported():
    """Of two RIS records, the one with TI is created and the one without is reported by its TY line."""
    report = import_references(RIS_TWO_RECORDS)

    (trial,) = report.created
    assert trial.title == "Levetiracetam versus clonazepam for cortical myoclonus"
    assert trial.kind == Reference.Kind.CLINICAL_TRIAL
    assert trial.authors == "Hartmann LK, Osei-Bonsu K"
    assert (trial.source, trial.year, trial.volume, trial.issue, trial.pages) == (
        "Journal of Clinical Movement Disorders",
        2019,
        "12",
        "3",
        "201-209",
    )
    assert report.problems == [ImportProblem(line=15, message="Line 15: the record has no title.", code="no_title")]


@pytest.mark.parametrize(
    ("ris_type", "keyword", "kind"),
    [
        ("JOUR", "", Reference.Kind.RESEARCH),
        ("JOUR", "Meta-Analysis", Reference.Kind.META_ANALYSIS),
        ("JOUR", "Systematic Review", Reference.Kind.SYSTEMATIC_REVIEW),
        ("JOUR", "Review", Reference.Kind.REVIEW),
        ("BOOK", "", Reference.Kind.TEXTBOOK),
        ("CHAP", "", Reference.Kind.TEXTBOOK),
        ("GOVDOC", "Practice Guideline", Reference.Kind.GUIDELINE),
        ("ELEC", "", Reference.Kind.OTHER),
    ],
)
def test_ris_types_and_keywords_set_the_kind(ris_type, keyword, kind):
    """A journal article is research unless a keyword names its publication type; books are textbooks."""
    (entry,), _ = parse_references(f"TY  - {ris_type}\nTI  - A title\nKW  - {keyword}\nER  - \n", "ris")
    assert entry.kind == kind


def test_ris_pubmed_accession_number_is_the_pmid_and_book_source_is_the_publisher():
    """AN is read as a PMID when the record comes from PubMed; a book's source is its publisher."""
    text = (
        "TY  - JOUR\nTI  - A\nJO  - Neurology\nDB  - PubMed\nAN  - 22013182\nER  - \n"
        "TY  - BOOK\nTI  - B\nT2  - Clinical Series\nPB  - Northfield Medical Press\nER  - \n"
    )
    article, book = parse_references(text)[0]
    assert (article.pmid, article.source) == ("22013182", "Neurology")
    assert book.source == "Northfield Medical Press"


def test_ris_with_single_spaced_tags_and_a_missing_er_is_still_read():
    """Tags written “TY - ” and a last record without ER are read; stray text between records is reported."""
    text = "TY - JOUR\nTI - First\nER -\nnot part of any record\nTY - JOUR\nTI - Second\n"
    entries, problems = parse_references(text)
    assert [entry.title for entry in entries] == ["First", "Second"]
    assert [(problem.line, problem.code) for problem in problems] == [(4, "outside_record")]


def test_identifier_lists_accept_doi_and_pmid_forms_and_report_garbage_by_line():
    """Bare, doi: and resolver DOIs and plain, labelled and PubMed-link PMIDs are read; the rest is reported."""
    text = (
        "10.1212/WNL.0b013e318236f0fd\n"
        "doi:10.5555/ABC.1, https://doi.org/10.5555/abc.2\n"
        "not an identifier\n"
        "22013182 PMID: 31234567; pmid 30000001\n"
        "https://pubmed.ncbi.nlm.nih.gov/30000002/\n"
    )
    entries, problems = parse_references(text)

    assert [(entry.line, entry.doi, entry.pmid) for entry in entries] == [
        (1, "10.1212/wnl.0b013e318236f0fd", None),
        (2, "10.5555/abc.1", None),
        (2, "10.5555/abc.2", None),
        (4, None, "22013182"),
        (4, None, "31234567"),
        (4, None, "30000001"),
        (5, None, "30000002"),
    ]
    assert all(entry.title == "" for entry in entries)
    assert [(problem.line, problem.code) for problem in problems] == [(3, "not_an_identifier")] * 3
    assert problems[0].message == (
        "Line 3: “not” is neither a DOI nor a PMID: a DOI looks like 10.1212/WNL.0b013e318236f0fd, "
        "a PMID like 22013182."
    )


def test_an_incomplete_doi_in_a_list_is_reported_with_an_example():
    """“10.1000” lacks the suffix: the problem says so and shows a well-formed DOI."""
    entries, problems = parse_references("10.5555/ok\n\n10.1000\n", "ids")
    assert len(entries) == 1
    assert [(problem.line, problem.code) for problem in problems] == [(3, "invalid_doi")]
    assert problems[0].message.startswith("Line 3: “10.1000” is not a DOI.")


def test_identifier_only_lines_create_placeholder_references_and_say_what_to_complete():
    """A DOI or PMID alone is saved with the identifier as its title, and the line is noted for completion."""
    report = import_references("doi:10.5555/ABC.1\nPMID: 22013182\n")

    assert [(reference.title, reference.doi, reference.pmid) for reference in report.created] == [
        ("doi:10.5555/abc.1", "10.5555/abc.1", None),
        ("PMID: 22013182", None, "22013182"),
    ]
    assert all(not reference.is_complete for reference in report.created)
    assert [(problem.code, problem.message) for problem in report.problems] == [
        (
            "identifier_only",
            "Line 1: only an identifier was given (doi:10.5555/abc.1); add the title, source and year, "
            "which an article citing it needs before it is submitted.",
        ),
        (
            "identifier_only",
            "Line 2: only an identifier was given (PMID: 22013182); add the title, source and year, "
            "which an article citing it needs before it is submitted.",
        ),
    ]


def test_an_entry_whose_doi_is_in_the_library_is_matched_and_left_unchanged():
    """An existing reference with that DOI (however written) is matched, not created or modified."""
    existing = ReferenceFactory(title="Treatment of essential tremor", doi="10.1212/WNL.0b013e318236f0fd")

    report = import_references(TREMOR_GUIDELINE + NEUROLOGY_TEXTBOOK)

    assert report.matched == [existing]
    assert [reference.title for reference in report.created] == ["Movement Disorders in Clinical Practice"]
    existing.refresh_from_db()
    assert (existing.title, existing.pmid, existing.source) == (
        "Treatment of essential tremor",
        None,
        "Journal of Clinical Examples",
    )


def test_an_identifier_in_the_library_is_matched_by_pmid():
    """A PMID on a line is matched to the reference carrying it; no placeholder is created."""
    existing = ReferenceFactory(pmid="22013182")
    report = import_references("PMID: 22013182")
    assert (report.matched, report.created, report.problems) == ([existing], [], [])


def test_the_same_doi_twice_in_one_paste_is_created_once():
    """A repeated entry counts once; the later line is noted."""
    report = import_references(MYOCLONUS_TRIAL + MYOCLONUS_TRIAL.replace("hartmann2019", "hartmann2019b"))

    assert len(report.created) == 1
    assert Reference.objects.filter(doi="10.5555/jcmd.2019.0312").count() == 1
    assert report.problems == [
        ImportProblem(
            line=12, message="Line 12: the same DOI or PMID as the entry on line 1; it counts once.", code="repeated"
        )
    ]


def test_a_repeated_identifier_of_a_matched_reference_counts_once():
    """A DOI and the PMID of the same library reference, both pasted, match it once."""
    existing = ReferenceFactory(doi="10.1212/wnl.0b013e318236f0fd", pmid="22013182")
    report = import_references("10.1212/WNL.0b013e318236f0fd\n22013182\n")
    assert report.matched == [existing]
    assert report.created == []
    assert [(problem.line, problem.code) for problem in report.problems] == [(2, "repeated")]


def test_an_invalid_entry_saves_nothing_and_does_not_undo_the_valid_ones():
    """An entry the model refuses (a year far in the future) leaves no reference or history behind."""
    future = NEUROLOGY_TEXTBOOK.replace("2018", "2300")
    report = import_references(TREMOR_GUIDELINE + future)

    assert [reference.pk for reference in report.created] == list(Reference.objects.values_list("pk", flat=True))
    assert not Reference.objects.filter(title="Movement Disorders in Clinical Practice").exists()
    assert not Reference.history.filter(title="Movement Disorders in Clinical Practice").exists()
    (problem,) = report.problems
    assert problem.line == 15
    assert problem.message.startswith("Line 15: year: Ensure this value is less than or equal to")


def test_a_reference_saved_by_someone_else_meanwhile_is_matched(monkeypatch):
    """Losing a race for a DOI after validation matches the winner and keeps the other entries."""
    validate = Reference.full_clean

    def validate_then_lose_the_race(reference, *args, **kwargs):
        validate(reference, *args, **kwargs)
        if reference.doi == "10.5555/jcmd.2019.0312":
            Reference.objects.create(title="Saved by a colleague", doi=reference.doi)

    monkeypatch.setattr(Reference, "full_clean", validate_then_lose_the_race)
    report = import_references(MYOCLONUS_TRIAL + NEUROLOGY_TEXTBOOK)

    assert [reference.title for reference in report.matched] == ["Saved by a colleague"]
    assert [reference.title for reference in report.created] == ["Movement Disorders in Clinical Practice"]
    assert Reference.objects.count() == 2
    # The undone bulk insert left no history behind; the textbook saved on its own has its one row.
    assert Reference.history.filter(title="Movement Disorders in Clinical Practice").count() == 1


def test_import_reads_the_library_once_and_inserts_the_new_references_together(django_assert_num_queries):
    """Matching takes one query for the whole paste; the new references and their history one insert each."""
    ReferenceFactory(doi="10.5555/jcmd.2019.0312")
    # SAVEPOINT (the import's transaction, inside the test's), SELECT the references sharing a DOI or PMID
    # (the trial is matched); SAVEPOINT, INSERT the guideline and the textbook, INSERT their history rows,
    # RELEASE; RELEASE the import's savepoint. Nothing is asked per entry, so a longer paste costs the same.
    with django_assert_num_queries(7):
        report = import_references(TREMOR_GUIDELINE + NEUROLOGY_TEXTBOOK + MYOCLONUS_TRIAL)
    assert (len(report.created), len(report.matched)) == (2, 1)
    assert Reference.history.filter(id__in=[reference.pk for reference in report.created]).count() == 2


def test_imported_references_record_who_imported_them():
    """The history row of each created reference names the importing user and the format."""
    author = UserFactory()
    (reference,) = import_references(NEUROLOGY_TEXTBOOK, by=author).created
    record = reference.history.get()
    assert (record.history_user, record.history_change_reason) == (author, "Imported from BibTeX")


def test_parsing_reads_no_database(django_assert_num_queries):
    """Parsing is pure: it can preview a paste without touching the database (or the network)."""
    with django_assert_num_queries(0):
        parse_references(TREMOR_GUIDELINE + RIS_TWO_RECORDS + "10.5555/x")


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        (TREMOR_GUIDELINE, "bibtex"),
        ("  @Article ( key,\n title = {T} )", "bibtex"),
        (RIS_TWO_RECORDS, "ris"),
        ("\ufeffTY  - JOUR\nTI  - T\nER  - ", "ris"),
        ("10.1212/WNL.0b013e318236f0fd\nPMID: 22013182", "ids"),
        ("contact me @ the clinic", "ids"),
    ],
)
def test_the_format_is_detected(text, fmt):
    """“@type{” lines mean BibTeX, “TY  -” lines RIS, anything else a list of identifiers."""
    assert detect_format(text) == fmt


def test_auto_detection_parses_each_format():
    """With the default format, each kind of paste is read by its own parser."""
    assert parse_references(NEUROLOGY_TEXTBOOK)[0][0].title == "Movement Disorders in Clinical Practice"
    assert parse_references(RIS_TWO_RECORDS)[0][0].title == "Levetiracetam versus clonazepam for cortical myoclonus"
    assert parse_references("PMID: 22013182")[0][0].pmid == "22013182"


def test_a_paste_in_another_format_than_chosen_is_reported():
    """Choosing BibTeX for a list of DOIs reports that no entry was found, on the first line."""
    assert parse_references("\n10.5555/x", "bibtex") == (
        [],
        [
            ImportProblem(
                line=2,
                message="Line 2: no BibTeX entry found; an entry starts like “@article{key,”.",
                code="no_entries",
            )
        ],
    )


def test_an_unknown_format_is_refused():
    """Only auto, bibtex, ris and ids are formats."""
    with pytest.raises(ValueError, match="“endnote” is not a reference format"):
        parse_references("x", "endnote")
