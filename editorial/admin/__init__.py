"""The board's workspace in the Django admin.

- `mixins`: the one permission layer every admin view of article content goes through.
- `board`: articles with their sections, claims and citations, the queue and the review screens.
- `library`: the shared reference library.
- `records`: the workflow's records (log, versions, assignments, claim reviews, notices, reader messages).
- `purges`: the shared cache's purge outbox.
- `evidence`: retraction watch (imports, records, notices) and declarations of competing interests.
"""

from editorial.admin import board, evidence, library, purges, records  # noqa: F401  (registers the admins)
