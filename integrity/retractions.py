"""The Retraction Watch database: loading a copy of its CSV, and matching it against the references.

`import_file` streams the CSV once for its SHA-256 and once for its rows, so memory holds one
batch of rows and a digest per known record, never the file. Each row's content is digested: a
newer file inserts the new records, rewrites the changed ones and leaves the rest untouched; the
same file again is recognised by its SHA-256 and changes nothing. A record missing from a newer
file is kept and marked missing since that import: a retraction does not stop being true because
an export left it out, and an editor dismisses a notice that was wrong.

`match_new` finds the references that came under notice since the last scan: the records the
imports since then wrote, against every reference, and the references changed since then,
against every record, each through the identifier indexes. Its cost grows with what is new.
"""

import csv
import functools
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from integrity.models import RetractionImport, RetractionNotice, RetractionRecord, RetractionScan
from references.models import Reference
from references.validators import normalize_doi, normalize_pmid

COLUMNS = (
    "Record ID",
    "Title",
    "OriginalPaperDOI",
    "OriginalPaperPubMedID",
    "RetractionNature",
    "RetractionDate",
    "RetractionDOI",
    "Reason",
)
NATURES = {label.lower(): value for value, label in RetractionRecord.Nature.choices}
BATCH = 5000
PROBLEMS_KEPT = 50
# Retraction Watch leaves these in place of an identifier it does not have.
NO_IDENTIFIER = {"", "0", "unavailable", "na", "n/a", "none"}
DATE_FORMATS = ("%m/%d/%Y %H:%M", "%m/%d/%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S")
SCAN_OVERLAP = timedelta(minutes=5)
DOI_LENGTH = RetractionRecord._meta.get_field("doi").max_length
PMID_LENGTH = RetractionRecord._meta.get_field("pmid").max_length
FIELDS = ("title", "doi", "pmid", "nature", "notice_date", "notice_doi", "reason")


class RetractionFileError(Exception):
    """The file cannot be read as the Retraction Watch CSV at all (missing, or without its columns)."""


@dataclass
class ImportResult:
    file_import: RetractionImport
    already_imported: bool = False
    problems: list[str] = field(default_factory=list)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@functools.lru_cache(maxsize=65536)
def _date(text: str) -> date | None:
    """The notice's date (the database writes "3/14/2024 0:00"); dates repeat, so each is parsed once."""
    text = text.strip()
    if not text:
        return None
    for form in DATE_FORMATS:
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise ValueError(f"unreadable date “{text[:40]}”")


def _identifier(text: str | None) -> str:
    text = (text or "").strip()
    return "" if text.lower() in NO_IDENTIFIER else text


def parse_row(row: dict) -> dict:
    """One CSV row as record fields, or ValueError saying what is wrong with it."""
    if None in row:
        raise ValueError("more fields than the header has")
    if any(row.get(column) is None for column in COLUMNS):
        raise ValueError("fewer fields than the header has")
    raw_id = row["Record ID"].strip()
    if not raw_id.isdigit() or int(raw_id) > 2_147_483_647:
        raise ValueError(f"Record ID “{raw_id[:20]}” is not a number")
    nature = NATURES.get(row["RetractionNature"].strip().lower())
    if nature is None:
        raise ValueError(f"unknown RetractionNature “{row['RetractionNature'].strip()[:40]}”")
    pmid = normalize_pmid(_identifier(row["OriginalPaperPubMedID"])) or ""
    if pmid and (not pmid.isdigit() or len(pmid) > PMID_LENGTH):
        raise ValueError(f"OriginalPaperPubMedID “{pmid[:20]}” is not a PubMed ID")
    doi = normalize_doi(_identifier(row["OriginalPaperDOI"])) or ""
    if len(doi) > DOI_LENGTH:
        raise ValueError(f"OriginalPaperDOI “{doi[:40]}…” is longer than any DOI a reference holds")
    return {
        "record_id": int(raw_id),
        "title": row["Title"].strip(),
        "doi": doi,
        "pmid": pmid,
        "nature": nature,
        "notice_date": _date(row["RetractionDate"]),
        "notice_doi": (normalize_doi(_identifier(row["RetractionDOI"])) or "")[:255],
        "reason": row["Reason"].strip(),
    }


def row_digest(fields: dict) -> int:
    """64 bits of BLAKE2b over the record's fields, as a signed integer for a BIGINT column."""
    text = "\x1f".join(str(fields[name] or "") for name in FIELDS)
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True)


def _reader(binary) -> csv.DictReader:
    """A streaming reader of the CSV's rows; invalid UTF-8 becomes U+FFFD, counted per row."""
    reader = csv.DictReader(io.TextIOWrapper(binary, encoding="utf-8-sig", errors="replace", newline=""))
    missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise RetractionFileError(f"Not the Retraction Watch CSV: no column {', '.join(missing)}.")
    return reader


def _rows(path: Path) -> Iterator[tuple[int, dict | None, str, bool]]:
    """Yield (line, fields or None, problem, had invalid UTF-8) for every data row, streaming."""
    with path.open("rb") as binary:
        reader = _reader(binary)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield reader.line_num, None, f"unreadable CSV ({error})", False
                continue
            invalid = any("\ufffd" in value for value in row.values() if isinstance(value, str))
            try:
                yield reader.line_num, parse_row(row), "", invalid
            except ValueError as error:
                yield reader.line_num, None, str(error), invalid


def import_file(path: Path) -> ImportResult:
    """Load ``path`` into the retraction records, applying only what differs from what is stored.

    Malformed rows and rows with invalid UTF-8 are counted and the first of them named by line;
    none stops the import. Each batch is written in its own transaction, so a crash leaves the
    import unfinished (no ``finished_at``) and running it again completes it.
    """
    if not path.is_file():
        raise RetractionFileError(f"No file at {path}.")
    with path.open("rb") as binary:
        _reader(binary)  # refuse a file that is not the database before recording an import of it
    sha256 = sha256_of(path)
    done = RetractionImport.objects.filter(sha256=sha256, finished_at__isnull=False).first()
    if done is not None:
        return ImportResult(done, already_imported=True)
    file_import, _ = RetractionImport.objects.update_or_create(
        sha256=sha256, defaults={"file_name": path.name[:300], "started_at": timezone.now()}
    )
    known = dict(RetractionRecord.objects.values_list("record_id", "digest").iterator(chunk_size=20000))
    seen: set[int] = set()
    counts = {"rows": 0, "inserted": 0, "updated": 0, "unchanged": 0, "bad_rows": 0, "invalid_utf8_rows": 0}
    problems: list[str] = []
    batch: list[dict] = []
    changed: list[RetractionRecord] = []

    def flush() -> None:
        with transaction.atomic():
            _insert(batch, file_import)
            RetractionRecord.objects.bulk_create(
                changed,
                update_conflicts=True,
                unique_fields=["record_id"],
                update_fields=[*FIELDS, "digest", "changed_in", "missing_since"],
            )
        batch.clear()
        changed.clear()

    for line, fields, problem, invalid in _rows(path):
        counts["rows"] += 1
        counts["invalid_utf8_rows"] += invalid
        if fields is not None and fields["record_id"] in seen:
            fields, problem = None, f"Record ID {fields['record_id']} appears again"
        if fields is None:
            counts["bad_rows"] += 1
            if len(problems) < PROBLEMS_KEPT:
                problems.append(f"line {line}: {problem}")
            continue
        if invalid and len(problems) < PROBLEMS_KEPT:
            problems.append(f"line {line}: invalid UTF-8, replaced by �")
        record_id = fields["record_id"]
        seen.add(record_id)
        digest = row_digest(fields)
        previous = known.get(record_id)
        if previous == digest:
            counts["unchanged"] += 1
            continue
        if previous is None:
            counts["inserted"] += 1
            batch.append({**fields, "digest": digest})
        else:
            counts["updated"] += 1
            changed.append(RetractionRecord(**fields, digest=digest, changed_in=file_import, missing_since=None))
        if len(batch) + len(changed) >= BATCH:
            flush()
    if batch or changed:
        flush()
    gone = [record_id for record_id in known if record_id not in seen]
    for start in range(0, len(gone), BATCH):
        RetractionRecord.objects.filter(pk__in=gone[start : start + BATCH], missing_since__isnull=True).update(
            missing_since=file_import
        )
    for name, value in counts.items():
        setattr(file_import, name, value)
    file_import.missing = len(gone)
    file_import.problems = "\n".join(problems)
    file_import.finished_at = timezone.now()
    file_import.save()
    return ImportResult(file_import, problems=problems)


def _insert(rows: list[dict], file_import: RetractionImport) -> None:
    """Insert new records: PostgreSQL's COPY (psycopg 3) when there, else a bulk insert."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        RetractionRecord.objects.bulk_create(RetractionRecord(**row, changed_in=file_import) for row in rows)
        return
    columns = ["record_id", *FIELDS, "digest", "changed_in_id"]
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {RetractionRecord._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(
                (
                    row["record_id"],
                    *(row[name] or None if name in ("doi", "pmid") else row[name] for name in FIELDS),
                    row["digest"],
                    file_import.pk,
                )
            )


def match_new() -> list[RetractionNotice]:
    """Write a notice for every new match since the last scan, and return the notices written.

    Records written by imports after the watermark are looked up among all references, and
    references created or changed after it among all records. A match already noticed (or
    dismissed) is never written again: one notice per record and reference.
    """
    now = timezone.now()
    last = RetractionScan.objects.order_by("-created_at", "-id").first()
    records = RetractionRecord.objects.exclude(nature=RetractionRecord.Nature.REINSTATEMENT).filter(
        changed_in__finished_at__isnull=False
    )
    through_import = RetractionImport.objects.filter(finished_at__isnull=False).aggregate(last=Max("pk"))["last"]
    if last is None:
        new_records, changed_references = records, Reference.objects.all()
        pairs = _pairs(records, changed_references)
    else:
        new_records = records.filter(changed_in_id__gt=last.through_import_id or 0)
        # A reference saved just before the last scan may have committed after it: overlap a little.
        changed_references = Reference.objects.filter(updated_at__gt=last.references_through - SCAN_OVERLAP)
        pairs = _pairs(new_records, Reference.objects.all())
        for pair, how in _pairs(records, changed_references).items():
            pairs.setdefault(pair, how)
    existing = set(
        RetractionNotice.objects.filter(
            record_id__in={record for record, _ in pairs}, reference_id__in={reference for _, reference in pairs}
        ).values_list("record_id", "reference_id")
    )
    with transaction.atomic():
        # A scan running at the same moment may write the same match: the unique pair keeps one.
        RetractionNotice.objects.bulk_create(
            [
                RetractionNotice(record_id=record, reference_id=reference, matched_on=how, created_at=now)
                for (record, reference), how in sorted(pairs.items())
                if (record, reference) not in existing
            ],
            ignore_conflicts=True,
        )
        created = list(
            RetractionNotice.objects.filter(
                created_at=now, record_id__in={record for record, _ in pairs}
            ).select_related("record", "reference")
        )
        RetractionScan.objects.create(
            through_import_id=through_import,
            references_since=last.references_through if last else None,
            references_through=now,
            records_checked=new_records.count(),
            references_checked=changed_references.count(),
            notices_found=len(created),
        )
    return created


def _pairs(records, references) -> dict[tuple[int, int], str]:
    """(record id, reference id) → "doi" or "pmid" for every match between the two querysets."""
    found: dict[tuple[int, int], str] = {}
    by_doi = records.filter(doi__in=references.exclude(doi=None).values("doi")).values_list("pk", "doi")
    dois: dict[str, list[int]] = {}
    for record_id, doi in by_doi:
        dois.setdefault(doi, []).append(record_id)
    for reference_id, doi in references.filter(doi__in=list(dois)).values_list("pk", "doi"):
        for record_id in dois[doi]:
            found[(record_id, reference_id)] = "doi"
    by_pmid = records.filter(pmid__in=references.exclude(pmid=None).values("pmid")).values_list("pk", "pmid")
    pmids: dict[str, list[int]] = {}
    for record_id, pmid in by_pmid:
        pmids.setdefault(pmid, []).append(record_id)
    for reference_id, pmid in references.filter(pmid__in=list(pmids)).values_list("pk", "pmid"):
        for record_id in pmids[pmid]:
            found.setdefault((record_id, reference_id), "pmid")
    return found
