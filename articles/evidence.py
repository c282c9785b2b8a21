"""Living evidence: when each claim's literature was last searched and when it is due again.

A claim records the date its evidence was last searched; it is due again after its own interval,
else its section's (the nearest section up the tree that sets one), else the default the caller
gives (the workflow passes the article's re-review interval: `editorial.schedule`). Claims with
no search date are outside this schedule: the whole article's re-review covers them.
"""

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from articles.document import Document, walk


@dataclass(frozen=True)
class EvidenceSearch:
    uuid: str
    searched_on: date
    every_months: int
    due_on: date


def evidence_searches(document: Document, *, default_months: int) -> dict[str, EvidenceSearch]:
    """Each dated claim's search, by claim UUID, in reading order."""
    searches: dict[str, EvidenceSearch] = {}
    section_intervals: list[int | None] = []  # by section depth, as `walk` descends
    for place in walk(document):
        if place.kind == "section":
            del section_intervals[place.depth :]
            section_intervals.append(place.node.get("search_interval_months"))
            continue
        searched = place.node.get("evidence_searched_on")
        if not searched:
            continue
        inherited = [months for months in section_intervals if months]
        every = place.node.get("search_interval_months") or (inherited[-1] if inherited else default_months)
        searched_on = date.fromisoformat(searched)
        searches[place.node["uuid"]] = EvidenceSearch(
            place.node["uuid"], searched_on, every, searched_on + relativedelta(months=every)
        )
    return searches


def last_checked(document: Document) -> date | None:
    """The oldest search date among the dated claims: every dated claim was checked since then."""
    dates = [place.node["evidence_searched_on"] for place in walk(document) if place.node.get("evidence_searched_on")]
    return date.fromisoformat(min(dates)) if dates else None
