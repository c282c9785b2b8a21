"""The transition log as CSV, for audits outside Vetted."""

import csv
from datetime import UTC

from django.http import HttpResponse

CSV_COLUMNS = ("article", "slug", "transition", "from", "to", "actor", "at (UTC)", "comment", "content hash", "version")


def transition_log_csv(entries, *, filename: str) -> HttpResponse:
    """Write ``entries`` (TransitionLog rows, with article and version selected) as a CSV download."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        writer.writerow(
            [
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
            ]
        )
    return response
