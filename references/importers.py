"""Read references pasted in bulk — BibTeX, RIS or a list of DOIs and PMIDs — and import them.

`parse_references` reads the text one entry at a time, so a malformed entry is reported with the
line it starts on and never stops the others. `import_references` saves the new entries and
matches the others to the library by DOI or PMID, leaving the existing references untouched.

`save_references` is that matching and saving on its own, the one way pasted references enter
the library: the Markdown import (`articles.markdown_import`) sends its reference list through it.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

import rispy
from bibtexparser.bibdatabase import UndefinedString
from bibtexparser.bparser import BibTexParser
from bibtexparser.customization import splitname
from bibtexparser.latexenc import latex_to_unicode
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from simple_history.utils import bulk_create_with_history

from references.duplicates import normalize_title
from references.models import Reference
from references.validators import DOI_PREFIXES, normalize_doi, normalize_pmid, validate_doi, validate_pmid

Kind = Reference.Kind

FORMATS = ("auto", "bibtex", "ris", "ids")
FORMAT_LABELS = {"bibtex": "BibTeX", "ris": "RIS", "ids": "a list of DOIs and PMIDs"}

# AMA style lists every author up to six; with more, the first three and "et al". The citation
# template adds the period after the authors, so "et al" is stored without one.
AMA_MAX_AUTHORS = 6
AMA_AUTHORS_BEFORE_ET_AL = 3

# Publication types as bibliographic databases write them in keywords (PubMed's "Meta-Analysis",
# "Practice Guideline", "Randomized Controlled Trial"), compared after _keyword_form().
KEYWORD_KINDS = {
    "guideline": Kind.GUIDELINE,
    "practice guideline": Kind.GUIDELINE,
    "clinical practice guideline": Kind.GUIDELINE,
    "meta analysis": Kind.META_ANALYSIS,
    "network meta analysis": Kind.META_ANALYSIS,
    "systematic review": Kind.SYSTEMATIC_REVIEW,
    "clinical trial": Kind.CLINICAL_TRIAL,
    "controlled clinical trial": Kind.CLINICAL_TRIAL,
    "randomized controlled trial": Kind.CLINICAL_TRIAL,
    "drug label": Kind.DRUG_LABEL,
    "prescribing information": Kind.DRUG_LABEL,
    "review": Kind.REVIEW,
    "narrative review": Kind.REVIEW,
}
# When keywords name several kinds ("Systematic Review; Meta-Analysis"), the most specific wins.
KIND_PRECEDENCE = (
    Kind.GUIDELINE,
    Kind.META_ANALYSIS,
    Kind.SYSTEMATIC_REVIEW,
    Kind.CLINICAL_TRIAL,
    Kind.DRUG_LABEL,
    Kind.REVIEW,
)

BIBTEX_KINDS = {
    "article": Kind.RESEARCH,
    "inproceedings": Kind.RESEARCH,
    "conference": Kind.RESEARCH,
    "book": Kind.TEXTBOOK,
    "mvbook": Kind.TEXTBOOK,
    "inbook": Kind.TEXTBOOK,
    "incollection": Kind.TEXTBOOK,
    "booklet": Kind.TEXTBOOK,
}
RIS_KINDS = {
    "JOUR": Kind.RESEARCH,
    "JFULL": Kind.RESEARCH,
    "EJOUR": Kind.RESEARCH,
    "INPR": Kind.RESEARCH,
    "ABST": Kind.RESEARCH,
    "CPAPER": Kind.RESEARCH,
    "BOOK": Kind.TEXTBOOK,
    "EBOOK": Kind.TEXTBOOK,
    "EDBOOK": Kind.TEXTBOOK,
    "CHAP": Kind.TEXTBOOK,
    "ECHAP": Kind.TEXTBOOK,
}
RIS_BOOK_TYPES = {"BOOK", "EBOOK", "EDBOOK"}

# Authors that are bodies, not people: "American Academy of Neurology" is cited as written.
_ORGANISATION = re.compile(
    r"\b(academy|agency|association|board|cent(?:er|re)s?|college|collaborat\w*|committee|consortium|council|"
    r"department|federation|foundation|group|institute|ministry|network|organi[sz]ation|panel|society|"
    r"task force)\b",
    re.IGNORECASE,
)
# A name already in AMA form: "Zesiewicz TA".
_AMA_NAME = re.compile(r"[^\s,][^,]*?\s+[A-Z]{1,3}")
_BIBTEX_START = re.compile(r"^\s*@")
_BIBTEX_ENTRY = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
_BIBTEX_TYPE = re.compile(r"^\s*@\s*([A-Za-z]*)")
_RIS_TAG = re.compile(r"^\s*([A-Z][A-Z0-9])\s+-(?:\s+(.*))?$")
_RIS_START = re.compile(r"^\s*TY\s+-", re.MULTILINE)
_YEAR = re.compile(r"\b(\d{4})\b")
# Commas and whitespace separate identifiers; a semicolon only when a space or the line's end
# follows it, because old (SICI) DOIs contain semicolons: 10.1002/(SICI)…3.0.CO;2-O.
_ID_SEPARATOR = re.compile(r"[\s,]+|;(?=\s|$)")
# "PMID: 123", "PMID 123", "doi: 10.1000/x" → "PMID:123", "doi:10.1000/x": one token each.
_ID_LABEL = re.compile(r"\b(doi|pmid)(?:\s*:\s*|\s+(?=\d))", re.IGNORECASE)
# PubMed's addresses, old and new; the PMID follows.
PUBMED_URL = r"https?://(?:www\.)?(?:pubmed\.ncbi\.nlm\.nih\.gov|ncbi\.nlm\.nih\.gov/pubmed)/"
_PUBMED_URL = re.compile(rf"{PUBMED_URL}(\d+)/?")


@dataclass(kw_only=True)
class ParsedReference:
    """One entry read from the pasted text, shaped like a Reference but not saved."""

    kind: str = Kind.RESEARCH
    title: str = ""
    authors: str = ""
    source: str = ""
    year: int | None = None
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str | None = None
    pmid: str | None = None
    url: str = ""
    line: int

    @property
    def identifiers(self) -> list[tuple[str, str]]:
        """The entry's ("doi", value) and ("pmid", value) pairs, DOI first."""
        return _identifiers(self.doi, self.pmid)

    @property
    def placeholder_title(self) -> str:
        """The identifier as written in a citation, standing in for a missing title."""
        return f"doi:{self.doi}" if self.doi else f"PMID: {self.pmid}"

    def to_reference(self) -> Reference:
        """An unsaved Reference with these values; an identifier-only entry gets a placeholder title."""
        return Reference(
            kind=self.kind,
            title=self.title or self.placeholder_title,
            authors=self.authors,
            source=self.source,
            year=self.year,
            volume=self.volume,
            issue=self.issue,
            pages=self.pages,
            doi=self.doi,
            pmid=self.pmid,
            url=self.url,
        )


@dataclass
class ImportProblem:
    """Something wrong with (or worth checking in) the pasted text at `line`; `code` names the kind."""

    line: int
    message: str
    code: str

    @classmethod
    def at(cls, line: int, text: str, code: str) -> "ImportProblem":
        """A problem whose message starts with its line: “Line 3: …”."""
        return cls(line=line, message=f"Line {line}: {text}", code=code)


@dataclass
class ImportReport:
    """What an import did: references created, existing ones matched, and each problem by line.

    `references` has one item per entry given to `save_references`: the reference it was created
    as, matched to or counted with (an entry repeated in the paste), or None where it was refused.
    """

    created: list[Reference]
    matched: list[Reference]
    problems: list[ImportProblem]
    references: list[Reference | None] = field(default_factory=list)


def detect_format(text: str) -> str:
    """Guess how `text` is written: "bibtex" (an @type{ line), "ris" (a TY  - line) or "ids"."""
    text = text.removeprefix("\ufeff")
    if _BIBTEX_ENTRY.search(text):
        return "bibtex"
    if _RIS_START.search(text):
        return "ris"
    return "ids"


def parse_references(text: str, fmt: str = "auto") -> tuple[list[ParsedReference], list[ImportProblem]]:
    """Read `text` as `fmt` ("auto", "bibtex", "ris" or "ids") entry by entry, without the network.

    Return the entries that could be read and a problem for each that could not, naming the line
    the entry starts on. BibTeX and RIS entries need a title; a DOI or PMID, where given, must be
    valid. In an identifier list each DOI or PMID becomes an entry with only that identifier.
    """
    fmt = _resolve_format(text, fmt)
    lines = text.removeprefix("\ufeff").splitlines()
    if fmt == "bibtex":
        return _parse_bibtex(lines)
    if fmt == "ris":
        return _parse_ris(lines)
    return _parse_identifiers(lines)


def import_references(text: str, fmt: str = "auto", *, by=None) -> ImportReport:
    """Create the references pasted in `text` that the library lacks, in one transaction.

    `by` is recorded as the author of the new references' history (default: the request's user).
    Parsing problems and those of `save_references` come back together, in line order.
    """
    fmt = _resolve_format(text, fmt)
    entries, problems = parse_references(text, fmt)
    with transaction.atomic():
        report = save_references(entries, by=by, reason=f"Imported from {FORMAT_LABELS[fmt]}")
    report.problems = sorted([*problems, *report.problems], key=lambda problem: problem.line)
    return report


def save_references(entries: list[ParsedReference], *, by, reason: str, match_titles: bool = False) -> ImportReport:
    """Match each entry to the library or create it; call inside a transaction.

    An entry whose DOI or PMID is already in the library is matched to that reference, which is
    left as it is; with `match_titles`, so is an entry with neither whose title equals a library
    reference's (`references.duplicates.normalize_title`: case, accents' forms, spacing and
    punctuation aside). An entry given twice (same DOI, PMID or matched title) counts once, with a
    note on the later line. Each new reference is validated (its fields and `clean`) first, so an
    invalid entry becomes a problem on its line and saves nothing, while the valid ones are kept.
    The library is read in one query at most (two with `match_titles`) and the new references are
    inserted together, with their history (`by`, `reason`).

    An entry giving only a DOI or PMID creates a reference whose title is the identifier
    ("doi:10.1212/wnl.0b013e318236f0fd", "PMID: 22013182"), because a reference needs a title
    and nothing here looks the identifier up. The report notes each such entry so the author
    completes title, source and year; until then the reference is incomplete and an article
    citing it cannot be submitted.
    """
    report = ImportReport(created=[], matched=[], problems=[])
    in_library = _library_matches(entries)
    if match_titles:
        in_library.update(_title_matches(entries))
    # Each entry's reference is that of the entry it counts with (itself, unless repeated), so a
    # new reference swapped for a colleague's (see _create_all) is swapped for its repeats too.
    counts_with: list[int] = []
    resolved: list[Reference | None] = []
    first_seen: dict[tuple[str, str], int] = {}
    new: list[int] = []
    for index, entry in enumerate(entries):
        keys = _keys(entry, match_titles=match_titles)
        earlier = next((key for key in keys if key in first_seen), None)
        if earlier is not None:
            what = "title" if earlier[0] == "title" else "DOI or PMID"
            line = entries[first_seen[earlier]].line
            report.problems.append(
                ImportProblem.at(
                    entry.line, f"the same {what} as the entry on line {line}; it counts once.", "repeated"
                )
            )
            counts_with.append(first_seen[earlier])
            resolved.append(None)
            continue
        counts_with.append(index)
        reference = next((in_library[key] for key in keys if key in in_library), None)
        if reference is not None:
            report.matched.append(reference)
        else:
            reference = entry.to_reference()
            try:
                # Uniqueness was settled by reading the library; a race is settled by the insert.
                reference.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                report.problems.append(_validation_problem(entry.line, error))
                resolved.append(None)
                continue
            new.append(index)
        resolved.append(reference)
        for key in [*keys, *_identifiers(reference.doi, reference.pmid)]:
            first_seen.setdefault(key, index)
    _create_all(entries, new, resolved, by=by, reason=reason, report=report)
    report.references = [resolved[index] for index in counts_with]
    return report


def _resolve_format(text: str, fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"“{fmt}” is not a reference format: use one of {', '.join(FORMATS)}.")
    return detect_format(text) if fmt == "auto" else fmt


def _keys(entry: ParsedReference, *, match_titles: bool) -> list[tuple[str, str]]:
    """What makes two entries the same reference: their DOI and PMID; else, when matching titles, the title."""
    if entry.identifiers or not match_titles:
        return entry.identifiers
    title = normalize_title(entry.title)
    return [("title", title)] if title else []


def _create_all(
    entries: list[ParsedReference], new: list[int], resolved: list, *, by, reason: str, report: ImportReport
) -> None:
    """Insert the validated references `resolved[i]` for `i` in `new`, with their history, together.

    Should someone have saved one of their DOIs or PMIDs since the library was read, the insert
    is undone (a savepoint) and each is saved on its own, the race's winner matched instead.
    """
    references = [resolved[index] for index in new]
    if not references:
        return
    try:
        with transaction.atomic():
            # Without `by`, django-simple-history takes the request's user from its middleware.
            bulk_create_with_history(references, Reference, default_user=by, default_change_reason=reason)
    except IntegrityError:
        for index in new:
            resolved[index] = _create_one(entries[index], resolved[index], by=by, reason=reason, report=report)
    else:
        report.created.extend(references)
    for index in new:
        entry = entries[index]
        if not entry.title and resolved[index] in report.created:
            report.problems.append(
                ImportProblem.at(
                    entry.line,
                    f"only an identifier was given ({entry.placeholder_title}); add the title, source and year, "
                    "which an article citing it needs before it is submitted.",
                    "identifier_only",
                )
            )


def _create_one(entry: ParsedReference, reference: Reference, *, by, reason: str, report: ImportReport) -> Reference:
    """Save `reference` in a savepoint; if its DOI or PMID was saved meanwhile, match that one."""
    reference.pk, reference._state.adding = None, True  # in case a batch of the bulk insert had gone in
    if by is not None:
        reference._history_user = by
    reference._change_reason = reason
    try:
        with transaction.atomic():
            reference.save()
    except IntegrityError:
        existing = Reference.objects.filter(_identifier_filter(entry.identifiers)).first()
        if existing is None:
            raise
        report.matched.append(existing)
        return existing
    report.created.append(reference)
    return reference


def _library_matches(entries: list[ParsedReference]) -> dict[tuple[str, str], Reference]:
    """The library's references sharing a DOI or PMID with `entries`, in one query."""
    keys = [key for entry in entries for key in entry.identifiers]
    if not keys:
        return {}
    matches = {}
    for reference in Reference.objects.filter(_identifier_filter(keys)):
        for key in _identifiers(reference.doi, reference.pmid):
            matches[key] = reference
    return matches


def _title_matches(entries: list[ParsedReference]) -> dict[tuple[str, str], Reference]:
    """The library's references titled as an entry without DOI or PMID is, in one query; the oldest wins."""
    wanted = {normalize_title(entry.title): entry.title for entry in entries if not entry.identifiers}
    wanted.pop("", None)
    if not wanted:
        return {}
    # Narrow the search by each title's longest word; the normalised titles decide.
    words = {max(re.findall(r"\w+", title), key=len) for title in wanted.values()}
    candidates = Reference.objects.filter(reduce(or_, (Q(title__icontains=word) for word in words)))
    matches = {}
    for reference in candidates.order_by("-pk"):
        title = normalize_title(reference.title)
        if title in wanted:
            matches["title", title] = reference
    return matches


def _identifier_filter(keys: list[tuple[str, str]]) -> Q:
    dois = {value for name, value in keys if name == "doi"}
    pmids = {value for name, value in keys if name == "pmid"}
    return Q(doi__in=dois) | Q(pmid__in=pmids)


def _identifiers(doi: str | None, pmid: str | None) -> list[tuple[str, str]]:
    return [(name, value) for name, value in (("doi", doi), ("pmid", pmid)) if value]


def _validation_problem(line: int, error: ValidationError) -> ImportProblem:
    """One problem naming every field `full_clean` refused, in the model's words."""
    parts = []
    for name, messages in error.message_dict.items():
        label = "" if name == NON_FIELD_ERRORS else f"{Reference._meta.get_field(name).verbose_name}: "
        parts.extend(f"{label}{message}" for message in messages)
    codes = (item.code for items in error.error_dict.values() for item in items if item.code)
    return ImportProblem.at(line, " ".join(parts), next(codes, "invalid"))


def _checked(entry: ParsedReference, noun: str) -> ImportProblem | None:
    """The reason `entry` cannot be imported as read, if any."""
    if not entry.title:
        return ImportProblem.at(entry.line, f"the {noun} has no title.", "no_title")
    for validate, value in ((validate_doi, entry.doi), (validate_pmid, entry.pmid)):
        if value:
            try:
                validate(value)
            except ValidationError as error:
                return ImportProblem.at(entry.line, error.messages[0], error.code)
    return None


def _keep(entry: ParsedReference, noun: str, entries: list, problems: list) -> None:
    problem = _checked(entry, noun)
    if problem is None:
        entries.append(entry)
    else:
        problems.append(problem)


# BibTeX


def _parse_bibtex(lines: list[str]) -> tuple[list[ParsedReference], list[ImportProblem]]:
    """Parse each chunk that starts with an "@" line on its own, so a broken one stays alone.

    One parser reads the chunks in order, so an @string defined earlier serves later entries.
    """
    entries: list[ParsedReference] = []
    problems: list[ImportProblem] = []
    parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False, interpolate_strings=True)
    parser.expect_multiple_parse = True
    chunks = _bibtex_chunks(lines)
    if not chunks and any(line.strip() for line in lines):
        first = next(number for number, line in enumerate(lines, start=1) if line.strip())
        problems.append(
            ImportProblem.at(first, "no BibTeX entry found; an entry starts like “@article{key,”.", "no_entries")
        )
    for start, chunk in chunks:
        entry_type = _BIBTEX_TYPE.match(chunk).group(1).lower()
        if entry_type in {"comment", "preamble"}:
            continue
        read = len(parser.bib_database.entries)
        try:
            parser.parse(chunk)
        except UndefinedString as error:
            problems.append(
                ImportProblem.at(
                    start,
                    f"“{error.args[0]}” is not defined; put the value in braces, e.g. journal = {{Neurology}}, "
                    "or define it with @string.",
                    "undefined_string",
                )
            )
            continue
        new = parser.bib_database.entries[read:]
        if not new and entry_type != "string":
            problems.append(ImportProblem.at(start, _unreadable_bibtex(chunk), "unreadable"))
        for record in new:
            _keep(_from_bibtex(record, start), "entry", entries, problems)
    return entries, problems


def _bibtex_chunks(lines: list[str]) -> list[tuple[int, str]]:
    """(first line number, text) of each run of lines starting with a line that starts with "@"."""
    chunks: list[tuple[int, list[str]]] = []
    for number, line in enumerate(lines, start=1):
        if _BIBTEX_START.match(line):
            chunks.append((number, [line]))
        elif chunks:
            chunks[-1][1].append(line)
    return [(start, "\n".join(chunk)) for start, chunk in chunks]


def _unreadable_bibtex(chunk: str) -> str:
    opened, closed = len(re.findall(r"(?<!\\)\{", chunk)), len(re.findall(r"(?<!\\)\}", chunk))
    if opened != closed:
        return (
            f"the entry could not be read: it opens {opened} brace(s) “{{” but closes {closed} “}}”; "
            "each value and the entry itself need a closing brace."
        )
    return (
        "the entry could not be read; check that it starts like “@article{key,”, that fields are "
        "separated by commas and that each value is in braces or quotes."
    )


def _from_bibtex(record: dict[str, str], line: int) -> ParsedReference:
    def text(*names: str) -> str:
        return next((_clean(latex_to_unicode(record[name])) for name in names if record.get(name)), "")

    entry_type = record["ENTRYTYPE"]
    pmid = text("pmid") or (text("eprint") if text("eprinttype").lower() == "pubmed" else "")
    return ParsedReference(
        kind=_kind(BIBTEX_KINDS.get(entry_type, Kind.OTHER), [text("keywords", "keyword"), text("type")]),
        title=text("title"),
        authors=_ama_authors([_bibtex_name(name) for name in _split_bibtex_names(record.get("author", ""))]),
        source=text("journal", "journaltitle", "booktitle", "publisher", "institution", "organization", "school"),
        year=_year(text("year", "date")),
        volume=text("volume"),
        issue=text("number", "issue"),
        pages=_pages(text("pages")),
        doi=normalize_doi(text("doi")),
        pmid=normalize_pmid(pmid),
        url=text("url"),
        line=line,
    )


def _split_bibtex_names(value: str) -> list[str]:
    """Split an author field on " and " outside braces: "{Barnes and Noble}" is one name."""
    names, depth, start = [], 0, 0
    for match in re.finditer(r"(?<!\\)[{}]|\s+and\s+", value):
        if match.group() == "{":
            depth += 1
        elif match.group() == "}":
            depth -= 1
        elif depth == 0:
            names.append(value[start : match.start()])
            start = match.end()
    names.append(value[start:])
    return [" ".join(name.split()) for name in names if name.strip()]


def _bibtex_name(name: str) -> str:
    """One BibTeX name ("van der Berg, Anna M.", "{World Health Organization}") in AMA form."""
    literal = _clean(latex_to_unicode(name))
    if (name.startswith("{") and name.endswith("}")) or _ORGANISATION.search(literal) or _AMA_NAME.fullmatch(literal):
        return literal
    parts = splitname(name, strict_mode=False)
    surname = _clean(latex_to_unicode(" ".join(parts["von"] + parts["last"])))
    return _ama_name(surname, latex_to_unicode(" ".join(parts["first"])), latex_to_unicode(" ".join(parts["jr"])))


# RIS


def _parse_ris(lines: list[str]) -> tuple[list[ParsedReference], list[ImportProblem]]:
    """Parse each record (TY … ER) on its own; a record missing its ER line ends at the next TY."""
    entries: list[ParsedReference] = []
    problems: list[ImportProblem] = []
    record: list[str] | None = None
    start = 0
    stray = False
    for number, line in enumerate(lines, start=1):
        match = _RIS_TAG.match(line)
        tag = match.group(1) if match else None
        if tag == "TY":
            if record is not None:
                _keep(_from_ris(record, start), "record", entries, problems)
            record, start = [], number
        if record is None:
            if line.strip() and not stray:
                problems.append(
                    ImportProblem.at(
                        number,
                        "this line is outside any record; RIS records start with “TY  - ” and end with “ER  - ”.",
                        "outside_record",
                    )
                )
            stray = bool(line.strip())
            continue
        stray = False
        if tag == "ER":
            _keep(_from_ris(record, start), "record", entries, problems)
            record = None
        else:
            # rispy reads exactly "XX  - value"; pasted text often has one space, or none at the end.
            record.append(f"{tag}  - {match.group(2) or ''}" if match else line)
    if record is not None:
        _keep(_from_ris(record, start), "record", entries, problems)
    return entries, problems


def _from_ris(lines: list[str], line: int) -> ParsedReference:
    (record,) = rispy.loads("\n".join([*lines, "ER  - "]))

    def text(*names: str) -> str:
        return next((_clean(record[name]) for name in names if record.get(name)), "")

    def texts(*names: str) -> list[str]:
        return [_clean(value) for name in names for value in record.get(name, []) if value.strip()]

    ris_type = text("type_of_reference").upper()
    journal_fields = ("secondary_title", "alternate_title3", "journal_name", "alternate_title2", "alternate_title1")
    source_fields = ("publisher", *journal_fields) if ris_type in RIS_BOOK_TYPES else (*journal_fields, "publisher")
    start_page, end_page = text("start_page"), text("end_page")
    database = f"{text('name_of_database')} {text('database_provider')}".lower()
    from_pubmed = any(name in database for name in ("pubmed", "medline", "nlm"))
    urls = texts("urls")
    return ParsedReference(
        kind=_kind(RIS_KINDS.get(ris_type, Kind.OTHER), [*texts("keywords"), text("type_of_work")]),
        title=text("title", "primary_title"),
        authors=_ama_authors([_ris_name(name) for name in texts("authors", "first_authors")]),
        source=text(*source_fields),
        year=_year(text("year", "publication_year", "date")),
        volume=text("volume"),
        issue=text("number"),
        pages=_pages(f"{start_page}-{end_page}" if start_page and end_page != start_page and end_page else start_page),
        doi=normalize_doi(text("doi")),
        pmid=normalize_pmid(text("accession_number") if from_pubmed else ""),
        url=urls[0] if urls else "",
        line=line,
    )


def _ris_name(name: str) -> str:
    """One RIS name ("Zesiewicz, Theresa A.", "Dewey, Richard B., Jr.", "Louis ED") in AMA form."""
    if _ORGANISATION.search(name) or _AMA_NAME.fullmatch(name):
        return name
    surname, _, rest = name.partition(",")
    if rest:
        given, _, suffix = rest.partition(",")
        return _ama_name(surname.strip(), given, suffix)
    parts = splitname(name, strict_mode=False)
    return _ama_name(" ".join(parts["von"] + parts["last"]), " ".join(parts["first"]), " ".join(parts["jr"]))


# Identifier lists


def _parse_identifiers(lines: list[str]) -> tuple[list[ParsedReference], list[ImportProblem]]:
    """Each DOI or PMID on each line becomes an entry carrying only that identifier."""
    entries: list[ParsedReference] = []
    problems: list[ImportProblem] = []
    for number, line in enumerate(lines, start=1):
        for token in _ID_SEPARATOR.split(_ID_LABEL.sub(r"\1:", line)):
            if not token:
                continue
            try:
                name, value = _read_identifier(token)
            except ValidationError as error:
                problems.append(ImportProblem.at(number, error.messages[0], error.code))
                continue
            entries.append(ParsedReference(line=number, **{name: value}))
    return entries, problems


def _read_identifier(token: str) -> tuple[str, str]:
    """("doi", value) or ("pmid", value), normalised and valid; raise ValidationError otherwise."""
    if match := _PUBMED_URL.fullmatch(token):
        token = match.group(1)
    if token.upper().startswith("PMID:") or token.isdigit():
        pmid = normalize_pmid(token) or ""
        validate_pmid(pmid)
        return "pmid", pmid
    if token.lower().startswith((*DOI_PREFIXES, "10.")):
        doi = normalize_doi(token) or ""
        validate_doi(doi)
        return "doi", doi
    raise ValidationError(
        "“%(value)s” is neither a DOI nor a PMID: a DOI looks like 10.1212/WNL.0b013e318236f0fd, a PMID like 22013182.",
        code="not_an_identifier",
        params={"value": token},
    )


# Shared field shaping


def _clean(value: str) -> str:
    """Compose accents (NFC) and collapse the line breaks and runs of spaces of wrapped fields."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def _keyword_form(keyword: str) -> str:
    folded = keyword.casefold().replace("-", " ").replace("randomised", "randomized")
    return " ".join(folded.split())


def _kind(default: str, keyword_fields: list[str]) -> str:
    """The kind the keywords name (a publication type such as "Meta-Analysis"), else `default`."""
    keywords = {_keyword_form(keyword) for field in keyword_fields for keyword in re.split(r"[,;]", field)}
    named = {KEYWORD_KINDS[keyword] for keyword in keywords if keyword in KEYWORD_KINDS}
    return next((kind for kind in KIND_PRECEDENCE if kind in named), default)


def _ama_name(surname: str, given: str, suffix: str = "") -> str:
    """Write a name as "Surname AB Jr": given names become initials without periods ("Jean-Pierre" → "JP")."""
    initials = ""
    for part in re.split(r"[\s.\-‐]+", _clean(given)):
        if part[:1].isalpha():
            # "TA" in "Zesiewicz, TA" is already two initials.
            initials += part if part.isupper() and len(part) <= 3 else part[0].upper()
    suffix = _clean(suffix).rstrip(".")
    return " ".join(part for part in (_clean(surname), initials, suffix) if part)


def _ama_authors(names: list[str]) -> str:
    names = [name for name in names if name]
    if len(names) > AMA_MAX_AUTHORS:
        names = [*names[:AMA_AUTHORS_BEFORE_ET_AL], "et al"]
    return ", ".join(names)


def _year(value: str) -> int | None:
    match = _YEAR.search(value)
    return int(match.group(1)) if match else None


def _pages(value: str) -> str:
    """Write page ranges with a plain hyphen: "1752--1755" and "1752 – 1755" become "1752-1755"."""
    return re.sub(r"\s*(?:-+|–|—)\s*", "-", value)
