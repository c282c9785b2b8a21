"""Likely duplicate references: near-identical titles in compatible years.

DOI and PMID are unique in the database, so a reference entered twice hides as one copy with
an identifier and another without it (or with a typo in the title). Two references are likely
duplicates when their normalised titles are equal or nearly so (`difflib.SequenceMatcher`
ratio of at least `SIMILARITY`) and their years are equal or one of them is missing.
"""

import math
import unicodedata
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Collection, Iterable
from difflib import SequenceMatcher
from typing import NamedTuple

from references.models import Reference

SIMILARITY = 0.92

# ratio = 2 * matches / (len(a) + len(b)) and matches <= the shorter length, so two titles can
# only reach SIMILARITY if the shorter is at least this fraction of the longer.
_MIN_LENGTH_RATIO = SIMILARITY / (2 - SIMILARITY)


class _Entry(NamedTuple):
    id: int
    title: str  # normalised
    year: int | None


def normalize_title(title: str) -> str:
    """Fold case and compatibility forms (NFKC), then keep only letters and digits."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", title).casefold())
    return "".join(char for char in folded if char.isalnum())


def near_identical(first: str, second: str) -> bool:
    """Whether two normalised titles are equal or at least SIMILARITY alike."""
    if first == second:
        return True
    # Compare in a fixed order (ratio() is not quite symmetric) and without difflib's
    # "popular character" heuristic, which would hide the likeness of titles over 200 letters.
    matcher = SequenceMatcher(None, *sorted((first, second)), autojunk=False)
    return (
        matcher.real_quick_ratio() >= SIMILARITY
        and matcher.quick_ratio() >= SIMILARITY
        and matcher.ratio() >= SIMILARITY
    )


def find_duplicates(
    rows: Iterable[tuple[int, str, int | None]], *, of: Collection[int] | None = None
) -> dict[int, list[int]]:
    """Map each flagged reference id to the sorted ids of its likely duplicates.

    `rows` are (id, title, year). With `of`, only those references are checked (against all
    rows) and only they appear as keys. References are compared only within a year (and with
    the undated), and only with titles of a length that could reach SIMILARITY.
    """
    entries = [_Entry(id_, normalize_title(title), year) for id_, title, year in rows]
    entries = [entry for entry in entries if entry.title]
    by_year: dict[int | None, list[_Entry]] = defaultdict(list)
    for entry in sorted(entries, key=lambda entry: len(entry.title)):
        by_year[entry.year].append(entry)
    lengths = {year: [len(entry.title) for entry in group] for year, group in by_year.items()}

    subjects = entries if of is None else [entry for entry in entries if entry.id in of]
    subject_ids = {entry.id for entry in subjects}
    found: dict[int, set[int]] = defaultdict(set)
    for entry in subjects:
        size = len(entry.title)
        years = list(by_year) if entry.year is None else [entry.year, None]
        for year in years:
            if year not in by_year:
                continue
            low = bisect_left(lengths[year], math.floor(size * _MIN_LENGTH_RATIO))
            high = bisect_right(lengths[year], math.ceil(size / _MIN_LENGTH_RATIO))
            for other in by_year[year][low:high]:
                # A pair of subjects is compared once, from the side of the smaller id.
                if other.id == entry.id or (other.id in subject_ids and other.id < entry.id):
                    continue
                if near_identical(entry.title, other.title):
                    found[entry.id].add(other.id)
                    found[other.id].add(entry.id)
    return {id_: sorted(others) for id_, others in sorted(found.items()) if id_ in subject_ids}


def likely_duplicates(*, of: Collection[int] | None = None) -> dict[int, list[int]]:
    """The library's likely duplicates (or those of the references `of`), read in one query."""
    rows = Reference.objects.order_by().values_list("id", "title", "year")
    return find_duplicates(rows, of=of)
