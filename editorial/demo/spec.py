"""The shape demo articles are written in; `load_demo` turns these into rows."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Ref:
    """A reference, named by a short key that claims cite it by."""

    key: str
    kind: str
    title: str
    source: str
    year: int
    authors: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    url: str = ""


@dataclass(frozen=True)
class C:
    """A claim: its text, the keys of the references it cites, and nested claims.

    ``grade`` is what the Markdown import's marker holds (“low; conditional for”, “good practice”);
    ``searched_days_ago`` dates its last evidence search relative to the day the demo is loaded.
    """

    text: str
    cites: tuple[str, ...] = ()
    plain: str = ""
    children: tuple["C", ...] = ()
    grade: str = ""
    searched_days_ago: int | None = None


@dataclass(frozen=True)
class S:
    """A section: heading, optional intro, claims, then sub-sections."""

    heading: str
    intro: str = ""
    claims: tuple[C, ...] = ()
    children: tuple["S", ...] = ()


@dataclass(frozen=True)
class DemoArticle:
    title: str
    topic: str
    state: str
    summary: C
    sections: tuple[S, ...]
    headline: str = ""
    authors: tuple[str, ...] = ("author",)
    extra: dict = field(default_factory=dict)
    # An approved article can be revised once more, to show a second version: the claims (by their
    # text) whose grade or evidence search the revision changes, and the change note readers see.
    revision: tuple[C, ...] = ()
    revision_note: str = ""
