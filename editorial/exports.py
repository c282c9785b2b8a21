"""The transition log as CSV, for audits outside Vetted."""

import csv
from datetime import UTC

from django.http import HttpResponse

CSV_COLUMNS = ("article", "slug", "transition", "from", "to", "actor", "at (UTC)", "comment", "content hash", "version")
# A cell starting with one of these is a formula to Excel, LibreOffice or Google Sheets (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(value) -> str:
    """Write ``value`` so that a spreadsheet shows it as text: a leading quote before anything that starts a formula."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def transition_log_csv(entries, *, filename: str) -> HttpResponse:
    """Write ``entries`` (TransitionLog rows, with article and version selected) as a CSV download.

    Comments, names and titles are typed by people; every cell goes through ``as_text`` so that
    ``=HYPERLINK(…)`` in a comment reaches the auditor's spreadsheet as text, not as a live formula.
    """
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        writer.writerow(
            as_text(cell)
            for cell in (
                entry.article.title,
                entry.article.slug,
                entry.transition,
                entry.from_state,
                entry.to_state,
                entry.actor_name,
                entry.created_at.astimezone(UTC).isoformat(),
                entry.comment,
                entry.content_hash,
                entry.version.number if entry.version else "",
            )
        )
    return response
