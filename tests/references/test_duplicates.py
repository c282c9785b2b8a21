import random
from itertools import combinations

import pytest

from references.duplicates import find_duplicates, likely_duplicates, near_identical, normalize_title
from tests.factories import ReferenceFactory

ALPHABET = "abcdefghijklmnopqrstuvwxy"  # 25 distinct letters: one change costs exactly 2/50 of the ratio


def test_normalised_titles_ignore_case_punctuation_and_spacing():
    """Case, punctuation and whitespace do not count."""
    assert normalize_title("Beta-Blockers  for Essential Tremor: A Review.") == normalize_title(
        "beta blockers for essential tremor — a review"
    )


def test_normalised_titles_fold_compatibility_characters():
    """NFKC folds ligatures and full-width letters; casefold folds ß to ss."""
    assert normalize_title("Ｅｆﬁcacy of Straße") == "efficacyofstrasse"


def test_titles_at_the_similarity_threshold_are_near_identical():
    """Two changes in 25 letters (ratio 0.92) still match; three (0.88) do not."""
    assert near_identical(ALPHABET, "01" + ALPHABET[2:])
    assert not near_identical(ALPHABET, "012" + ALPHABET[3:])


def test_long_titles_with_a_typo_are_near_identical():
    """Titles over 200 letters are compared in full, not through difflib's junk heuristic."""
    title = normalize_title("A randomised controlled trial of levetiracetam in cortical myoclonus " * 4)
    assert len(title) > 200
    assert near_identical(title, title.replace("levetiracetam", "levetiracetan", 1))


def test_equal_titles_in_the_same_year_are_duplicates_both_ways():
    """Each of a pair is listed as the other's duplicate."""
    rows = [(1, "Gabapentin for restless legs", 2020), (2, "GABAPENTIN FOR RESTLESS LEGS.", 2020)]
    assert find_duplicates(rows) == {1: [2], 2: [1]}


def test_a_missing_year_matches_any_year():
    """An undated copy is compared with dated references and with other undated ones."""
    rows = [
        (1, "Iron for restless legs", 2019),
        (2, "Iron for restless legs", None),
        (3, "Iron for restless legs", None),
    ]
    assert find_duplicates(rows) == {1: [2, 3], 2: [1, 3], 3: [1, 2]}


def test_same_title_in_different_years_is_not_a_duplicate():
    """Guideline updates reuse their title; different years keep them apart."""
    rows = [
        (1, "Practice guideline: restless legs syndrome", 2012),
        (2, "Practice guideline: restless legs syndrome", 2016),
    ]
    assert find_duplicates(rows) == {}


def test_different_titles_are_not_duplicates():
    """Titles about different drugs are not flagged, nor are empty titles with each other."""
    rows = [
        (1, "Clonazepam for cortical myoclonus", 2020),
        (2, "Levetiracetam for cortical myoclonus", 2020),
        (3, "—", 2020),
        (4, "...", 2020),
    ]
    assert find_duplicates(rows) == {}


def test_of_checks_only_the_named_references():
    """With `of`, only those references are keys, each with all its duplicates in the library."""
    rows = [
        (1, "Iron for restless legs", 2019),
        (2, "Iron for restless legs", None),
        (3, "Iron for restless legs", 2019),
    ]
    assert find_duplicates(rows, of={2}) == {2: [1, 3]}


@pytest.mark.parametrize("seed", range(5))
def test_bucketing_finds_exactly_the_pairs_a_full_comparison_finds(seed):
    """Grouping by year and title length loses no pair that comparing every two references finds."""
    generator = random.Random(seed)
    bases = ["".join(generator.choices("abcdefgh ", k=generator.randint(5, 60))) for _ in range(15)]
    rows = []
    for id_ in range(1, 121):
        title = list(generator.choice(bases))
        for _ in range(generator.randint(0, 3)):  # substitute, insert or delete a letter
            at = generator.randrange(len(title) + 1)
            title[at : at + 1] = generator.choice([[generator.choice("abcdefgh")], ["a", "b"], []])
        rows.append((id_, "".join(title), generator.choice([2019, 2020, None])))

    expected: dict[int, set[int]] = {}
    for (first, title_1, year_1), (second, title_2, year_2) in combinations(rows, 2):
        compatible = year_1 == year_2 or year_1 is None or year_2 is None
        one, two = normalize_title(title_1), normalize_title(title_2)
        if compatible and one and two and near_identical(one, two):
            expected.setdefault(first, set()).add(second)
            expected.setdefault(second, set()).add(first)

    assert expected
    assert find_duplicates(rows) == {id_: sorted(others) for id_, others in sorted(expected.items())}


@pytest.mark.django_db
def test_library_duplicates_are_read_in_one_query(django_assert_num_queries):
    """The whole library is read once, as (id, title, year) rows."""
    original = ReferenceFactory(title="Gabapentin for restless legs", doi="10.1000/gaba")
    copy = ReferenceFactory(title="Gabapentin for restless legs", year=None)
    ReferenceFactory(title="Iron for restless legs")
    with django_assert_num_queries(1):
        found = likely_duplicates()
    assert found == {original.pk: [copy.pk], copy.pk: [original.pk]}
    with django_assert_num_queries(1):
        assert likely_duplicates(of={copy.pk}) == {copy.pk: [original.pk]}
