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
    """A claim: its text, the keys of the references it cites, and nested claims."""

    text: str
    cites: tuple[str, ...] = ()
    plain: str = ""
    children: tuple["C", ...] = ()


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
