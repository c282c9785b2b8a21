"""`manage.py import_retractions`: streaming, idempotent, differences only, bad rows reported."""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from integrity.models import RetractionImport, RetractionRecord
from integrity.retractions import import_file
from tests.integrity.csvfiles import row, write

pytestmark = pytest.mark.django_db


def test_import_loads_every_row_and_records_the_file(tmp_path):
    """Records keyed by Record ID, identifiers normalised; the import keeps SHA-256, counts and dates."""
    path = write(
        tmp_path / "rw.csv",
        [
            row(101, doi="https://doi.org/10.1000/ABC.1", reason="+Duplication of Image;+Fake Peer Review;"),
            row(102, pmid="31234567", nature="Expression of concern", date="12/1/2023 0:00"),
            row(103, doi="10.1000/xyz", nature="Correction"),
        ],
    )

    result = import_file(path)

    done = result.file_import
    assert done.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (done.rows, done.inserted, done.updated, done.unchanged, done.bad_rows) == (3, 3, 0, 0, 0)
    assert done.finished_at is not None
    first = RetractionRecord.objects.get(pk=101)
    assert (first.doi, first.pmid, first.nature) == ("10.1000/abc.1", None, "retraction")
    assert first.reasons == ["Duplication of Image", "Fake Peer Review"]
    assert first.notice_url == "https://doi.org/10.9999/notice.101"
    second = RetractionRecord.objects.get(pk=102)
    assert (second.doi, second.pmid, second.nature, str(second.notice_date)) == (
        None,
        "31234567",
        "expression_of_concern",
        "2023-12-01",
    )


def test_the_same_file_again_changes_nothing(tmp_path):
    """Recognised by its SHA-256: no new import row, no record written."""
    path = write(tmp_path / "rw.csv", [row(1, doi="10.1/a"), row(2, doi="10.1/b")])
    import_file(path)
    before = list(RetractionRecord.objects.values_list("record_id", "digest", "changed_in"))

    again = import_file(path)

    assert again.already_imported
    assert RetractionImport.objects.count() == 1
    assert list(RetractionRecord.objects.values_list("record_id", "digest", "changed_in")) == before


def test_a_newer_file_applies_only_the_differences(tmp_path):
    """New rows are inserted, changed rows rewritten, unchanged ones left alone, absent ones kept and marked."""
    first = import_file(write(tmp_path / "one.csv", [row(1, doi="10.1/a"), row(2, doi="10.1/b"), row(3)])).file_import
    newer = write(
        tmp_path / "two.csv",
        [row(1, doi="10.1/a"), row(2, doi="10.1/b", nature="Reinstatement"), row(4, pmid="123")],
    )

    second = import_file(newer).file_import

    assert (second.rows, second.inserted, second.updated, second.unchanged, second.missing) == (3, 1, 1, 1, 1)
    written = dict(RetractionRecord.objects.values_list("record_id", "changed_in"))
    assert written == {1: first.pk, 2: second.pk, 3: first.pk, 4: second.pk}
    assert RetractionRecord.objects.get(pk=2).nature == "reinstatement"
    assert RetractionRecord.objects.get(pk=3).missing_since == second
    assert RetractionRecord.objects.get(pk=1).missing_since is None


def test_malformed_rows_and_invalid_utf8_are_reported_not_fatal(tmp_path):
    """Bad rows are counted and named by line; the good rows around them are imported."""
    path = write(
        tmp_path / "rw.csv",
        [row(1, doi="10.1/a"), row(1, doi="10.1/dup"), row(2, nature="Erratum"), row(3, pmid="12ab")],
        extra_lines=(
            b"not-a-number,Title" + b"," * 18,
            b"4,Short row",
            "5,Caf\xe9".encode("latin-1") + b",x,x,x,x,x,x,x,x,3/1/2024 0:00,,0,,10.1/utf,0,Retraction,,No,",
            b"6,Paper 6,,,,,,,,,13/45/2024 0:00,,0,,10.1/date,0,Retraction,,No,",
        ),
    )
    out = StringIO()

    call_command("import_retractions", str(path), stdout=out)

    done = RetractionImport.objects.get()
    assert (done.rows, done.inserted, done.bad_rows, done.invalid_utf8_rows) == (8, 2, 6, 1)
    assert sorted(RetractionRecord.objects.values_list("pk", flat=True)) == [1, 5]
    assert RetractionRecord.objects.get(pk=5).title == "Caf\ufffd"
    report = out.getvalue()
    assert "line 3: Record ID 1 appears again" in report
    assert "line 4: unknown RetractionNature “Erratum”" in report
    assert "line 5: OriginalPaperPubMedID “12ab” is not a PubMed ID" in report
    assert "line 6: Record ID “not-a-number” is not a number" in report
    assert "line 7: fewer fields than the header has" in report
    assert "line 8: invalid UTF-8, replaced by �" in report
    assert "line 9: unreadable date “13/45/2024 0:00”" in report
    assert "8 rows read: 2 new" in report


def test_identifiers_longer_than_any_reference_holds_are_malformed_rows(tmp_path):
    """A PMID or DOI that could not be stored (or match) is reported, not a failed import."""
    path = write(tmp_path / "rw.csv", [row(1, pmid="1" * 21), row(2, doi="10.1/" + "x" * 300), row(3, doi="10.1/ok")])
    done = import_file(path).file_import
    assert (done.inserted, done.bad_rows) == (1, 2)
    assert "line 2: OriginalPaperPubMedID “11111111111111111111” is not a PubMed ID" in done.problems


def test_a_file_that_is_not_the_database_is_refused(tmp_path):
    """A CSV without the columns, or no file at all: a clear error and nothing written."""
    other = tmp_path / "other.csv"
    other.write_text("name,age\nAda,36\n")
    with pytest.raises(CommandError, match="Not the Retraction Watch CSV: no column Record ID"):
        call_command("import_retractions", str(other))
    with pytest.raises(CommandError, match="No file at"):
        call_command("import_retractions", str(tmp_path / "missing.csv"))
    assert not RetractionRecord.objects.exists()
    assert not RetractionImport.objects.exists()
