"""An article's content history: every change to its sections, claims and citations, with
before and after values and who made it, read from django-simple-history's records."""

from dataclasses import dataclass, field
from datetime import datetime

from articles.models import Article, Claim, Section
from references.models import Citation

ACTIONS = {"+": "added", "~": "changed", "-": "deleted"}
IGNORED = {"id", "uuid", "article", "position"}  # bookkeeping, not content a reviewer compares


@dataclass
class ContentChange:
    at: datetime
    who: str
    kind: str
    label: str
    action: str
    reason: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)


def _value(record, name: str) -> str:
    value = getattr(record, name)
    return "" if value is None else str(value)


def content_history(article: Article, *, limit: int = 300) -> list[ContentChange]:
    """Newest first. Three queries (one per tracked model), whatever the article's size."""
    claim_ids = Claim.history.filter(article_id=article.pk).values("id")
    sources = [
        ("Section", Section.history.filter(article_id=article.pk), lambda r: r.heading),
        ("Claim", Claim.history.filter(article_id=article.pk), lambda r: r.text),
        (
            "Citation",
            Citation.history.filter(claim_id__in=claim_ids).select_related("reference"),
            lambda r: r.reference.title if r.reference else f"reference #{r.reference_id}",
        ),
    ]
    changes: list[ContentChange] = []
    for kind, records, describe in sources:
        previous = {}
        for record in records.select_related("history_user").order_by("id", "history_date", "history_id"):
            fields = []
            before = previous.get(record.id)
            if record.history_type == "~" and before is not None:
                delta = record.diff_against(before, excluded_fields=IGNORED)
                fields = [
                    (record._meta.get_field(change.field).verbose_name, str(change.old or ""), str(change.new or ""))
                    for change in delta.changes
                ]
            elif record.history_type == "+":
                fields = [
                    (record._meta.get_field(name).verbose_name, "", _value(record, name))
                    for name in ("heading", "text", "plain_language")
                    if hasattr(record, name) and _value(record, name)
                ]
            previous[record.id] = record
            if record.history_type == "~" and not fields:
                continue  # a save that changed nothing a reader sees (a position, say)
            who = record.history_user.display_name if record.history_user else "system"
            changes.append(
                ContentChange(
                    at=record.history_date,
                    who=who,
                    kind=kind,
                    label=describe(record),
                    action=ACTIONS[record.history_type],
                    reason=record.history_change_reason or "",
                    fields=fields,
                )
            )
    changes.sort(key=lambda change: change.at, reverse=True)
    return changes[:limit]
