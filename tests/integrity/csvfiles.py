"""Small Retraction Watch CSVs of the real shape, written by the tests themselves."""

import csv
from pathlib import Path

HEADER = (
    "Record ID",
    "Title",
    "Subject",
    "Institution",
    "Journal",
    "Publisher",
    "Country",
    "Author",
    "URLS",
    "ArticleType",
    "RetractionDate",
    "RetractionDOI",
    "RetractionPubMedID",
    "OriginalPaperDate",
    "OriginalPaperDOI",
    "OriginalPaperPubMedID",
    "RetractionNature",
    "Reason",
    "Paywalled",
    "Notes",
)


def row(
    record_id, *, doi="", pmid="", nature="Retraction", date="3/14/2024 0:00", reason="+Concerns/Issues About Data;"
):
    """One row as Crossref publishes it (unused columns filled as the real file fills them)."""
    return {
        "Record ID": str(record_id),
        "Title": f"Paper {record_id}",
        "Subject": "(HSC) Medicine - Neurology;",
        "Institution": "Somewhere",
        "Journal": "Journal of Examples",
        "Publisher": "Example Press",
        "Country": "Nowhere",
        "Author": "Doe J",
        "URLS": "",
        "ArticleType": "Research Article;",
        "RetractionDate": date,
        "RetractionDOI": f"10.9999/notice.{record_id}",
        "RetractionPubMedID": "0",
        "OriginalPaperDate": "1/2/2019 0:00",
        "OriginalPaperDOI": doi,
        "OriginalPaperPubMedID": pmid or "0",
        "RetractionNature": nature,
        "Reason": reason,
        "Paywalled": "No",
        "Notes": "",
    }


def write(path: Path, rows, *, extra_lines: tuple[bytes, ...] = ()) -> Path:
    """Write ``rows`` as UTF-8 CSV, then append ``extra_lines`` as raw bytes (malformed rows, bad UTF-8)."""
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(rows)
    if extra_lines:
        with path.open("ab") as stream:
            for line in extra_lines:
                stream.write(line + b"\r\n")
    return path
