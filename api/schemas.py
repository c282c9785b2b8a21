"""What the API answers, field by field: the OpenAPI document's schemas, with a description and
an example for every field.

The article schemas follow the frozen document of an approved version (`articles.document`),
which is what readers are shown; a field added to the document is added here, as one more
``Field`` (the grades, competing-interest declarations and retraction notices will be).
"""

from datetime import date, datetime

from ninja import Field, Schema

# The demo's published article (manage.py load_demo), so the examples work against `make run`.
EXAMPLE_SLUG = "what-is-the-treatment-for-muscle-jerking"
EXAMPLE_HASH = "9f2c1e5d7b3a4f6e8d0c2b4a6f8e0d2c4b6a8f0e2d4c6b8a0f2e4d6c8b0a2f4e"
EXAMPLE_UUID = "6f1c2a9e-3b7d-4e8a-9c5f-2d1e0b4a7c63"
EXAMPLE_TIME = "2026-11-24T09:30:00Z"
EXAMPLE_PAGE = f"https://vetted.example/articles/{EXAMPLE_SLUG}/"
EXAMPLE_TOPIC = {"slug": "neurology", "name": "Neurology"}
EXAMPLE_REVIEWERS = [
    {
        "name": "Maya Okafor, MD",
        "credentials": "MD",
        "profile_url": "https://vetted.example/advisory-board/#member-1",
        "claims_checked": 12,
        "claims_total": 12,
        "last_checked": "2026-11-22",
        "declaration": "declares no competing interests",
        "approved": True,
    }
]
EXAMPLE_TIMELINE = {
    "submitted_at": "2026-11-20T14:02:00Z",
    "review_started_at": "2026-11-21T08:15:00Z",
    "approved_at": EXAMPLE_TIME,
}
EXAMPLE_CLAIM_GRADE = {
    "certainty": "moderate",
    "strength": None,
    "direction": None,
    "good_practice": False,
    "label": "Moderate certainty",
    "meaning": "We are moderately confident: the true effect is likely close to the estimate, "
    "but may be substantially different.",
}
EXAMPLE_CLAIM = {
    "uuid": EXAMPLE_UUID,
    "number": "1",
    "text": "Clonazepam is the usual first treatment.",
    "plain_language": "Most people first try a medicine called clonazepam.",
    "citations": [1],
    "grade": EXAMPLE_CLAIM_GRADE,
    "evidence_searched_on": "2026-10-01",
    "children": [],
}
EXAMPLE_SECTION = {"uuid": EXAMPLE_UUID, "heading": "Treatment", "intro": "", "claims": [EXAMPLE_CLAIM], "children": []}
EXAMPLE_REFERENCE = {
    "number": 1,
    "uuid": EXAMPLE_UUID,
    "kind": "review",
    "kind_label": "Systematic review",
    "title": "Treatment of myoclonus",
    "authors": "Caviness JN",
    "source": "Neurotherapeutics",
    "year": 2014,
    "volume": "11",
    "issue": "1",
    "pages": "188-200",
    "doi": "10.1007/s13311-013-0216-3",
    "pmid": "24037428",
    "url": "",
    "first_cited_by": EXAMPLE_UUID,
    "notices": [],
}
EXAMPLE_NOTICE = {
    "nature": "retraction",
    "nature_label": "Retraction",
    "date": "2026-11-03",
    "reasons": ["Concerns about data"],
    "url": "https://doi.org/10.1000/retraction.1",
}
EXAMPLE_SUMMARY = {
    "slug": EXAMPLE_SLUG,
    "title": "What is the treatment for muscle jerking?",
    "headline": "Treatment of muscle jerking",
    "summary": "Clonazepam is usually tried first.",
    "topic": EXAMPLE_TOPIC,
    "version": 3,
    "approved_at": EXAMPLE_TIME,
    "content_hash": EXAMPLE_HASH,
    "url": EXAMPLE_PAGE,
}


class TopicRef(Schema):
    slug: str = Field(description="The topic's address; filter articles with `?topic=`.", examples=["neurology"])
    name: str = Field(description="The topic's name as readers see it.", examples=["Neurology"])


class Topic(TopicRef):
    description: str = Field(description="What the topic covers, as on its page.", examples=["The nervous system."])
    articles: int = Field(description="How many published articles are on this topic.", examples=[12])
    url: str = Field(
        description="The topic's page on the reader site.", examples=["https://vetted.example/topics/neurology/"]
    )


class Topics(Schema):
    topics: list[Topic] = Field(
        description="Every topic with published articles, by name.",
        examples=[
            [{**EXAMPLE_TOPIC, "description": "", "articles": 12, "url": "https://vetted.example/topics/neurology/"}]
        ],
    )


class Reviewer(Schema):
    name: str = Field(description="The reviewer's name as it was at approval.", examples=["Maya Okafor, MD"])
    credentials: str = Field(description="Their credentials as they were at approval.", examples=["MD, FRCP"])
    profile_url: str | None = Field(
        description="Their public profile on the Medical Advisory Board page; null for versions approved "
        "before credits linked to profiles.",
        examples=["https://vetted.example/advisory-board/#member-1"],
    )
    claims_checked: int | None = Field(
        description="How many of the version's claims this reviewer checked (directly, or in an earlier round "
        "whose check the approver carried over); null for versions approved before credits were counted.",
        examples=[12],
    )
    claims_total: int | None = Field(description="How many claims the version has.", examples=[12])
    last_checked: date | None = Field(
        description="The day of the latest check this version rests on.", examples=["2026-11-22"]
    )
    declaration: str | None = Field(
        description="Their declaration of competing interests, as a sentence; null for versions approved before "
        "declarations were required.",
        examples=["declares no competing interests"],
    )
    approved: bool | None = Field(
        description="Whether this reviewer approved this version (false: credited for checks carried over "
        "from an earlier review).",
        examples=[True],
    )


class Timeline(Schema):
    submitted_at: datetime | None = Field(
        description="When the round that approved this version was submitted.", examples=["2026-11-20T14:02:00Z"]
    )
    review_started_at: datetime | None = Field(
        description="When a reviewer took it into review.", examples=["2026-11-21T08:15:00Z"]
    )
    approved_at: datetime = Field(description="When the board approved it.", examples=[EXAMPLE_TIME])


class Grade(Schema):
    certainty: str | None = Field(
        description="GRADE certainty of evidence: high, moderate, low or very_low; null for a good-practice "
        "statement or a recommendation not yet graded.",
        examples=["low"],
    )
    strength: str | None = Field(
        description="For a recommendation: strong or conditional; null otherwise.", examples=["conditional"]
    )
    direction: str | None = Field(description="For a recommendation: for or against; null otherwise.", examples=["for"])
    good_practice: bool = Field(
        description="A good-practice statement: ungraded by design (no certainty, strength or direction).",
        examples=[False],
    )
    label: str = Field(
        description="The grade as the page's badge reads for professionals.",
        examples=["Conditional recommendation for · Low certainty"],
    )
    meaning: str = Field(
        description="What the grade means, in GRADE's terms (the page gives patients everyday words).",
        examples=["Our confidence is limited: the true effect may be substantially different from the estimate."],
    )


class Claim(Schema):
    uuid: str = Field(description="The claim's stable id: it keeps it across versions.", examples=[EXAMPLE_UUID])
    number: str | None = Field(
        description='Its number within its section, as reviewers cite it ("2.1": the first claim under the '
        "second); null for the short answer.",
        examples=["2.1"],
    )
    text: str = Field(description="The claim as approved.", examples=["Propranolol reduces limb tremor."])
    plain_language: str = Field(
        description="The same claim in plain language for patients and carers; empty when the article has none.",
        examples=["A heart medicine called propranolol can make shaking hands steadier."],
    )
    citations: list[int] = Field(
        description="The numbers of the references it cites, ascending, as the page prints them.", examples=[[1, 3]]
    )
    grade: Grade | None = Field(
        description="The claim's GRADE, as the board verified it; null when ungraded.",
        examples=[EXAMPLE_CLAIM_GRADE],
    )
    evidence_searched_on: date | None = Field(
        description="When the evidence for this claim was last searched; null when not recorded.",
        examples=["2026-10-01"],
    )
    children: list["Claim"] = Field(description="Claims nested under this one, in reading order.", examples=[[]])


class Section(Schema):
    uuid: str = Field(description="The section's stable id.", examples=[EXAMPLE_UUID])
    heading: str = Field(description="The section's heading.", examples=["Medicines"])
    intro: str = Field(description="Text before the section's claims; may be empty.", examples=["Two medicines help."])
    claims: list[Claim] = Field(description="The section's claims in reading order.", examples=[[]])
    children: list["Section"] = Field(description="Sub-sections, after the section's claims.", examples=[[]])


class Notice(Schema):
    nature: str = Field(
        description="What was published about the source: retraction or expression_of_concern (a correction "
        "is for the board only and never listed here).",
        examples=["retraction"],
    )
    nature_label: str = Field(description="The nature as readers see it.", examples=["Retraction"])
    date: str = Field(
        description="When the notice was published (ISO 8601 date); may be empty.", examples=["2026-11-03"]
    )
    reasons: list[str] = Field(description="The reasons the notice gives.", examples=[["Concerns about data"]])
    url: str = Field(description="The notice itself.", examples=["https://doi.org/10.1000/retraction.1"])


class Reference(Schema):
    number: int = Field(description="Its number: references are numbered by first citation.", examples=[1])
    uuid: str = Field(description="The reference's stable id in Vetted's library.", examples=[EXAMPLE_UUID])
    kind: str = Field(description="What kind of source it is (a code).", examples=["guideline"])
    kind_label: str = Field(description="The kind as readers see it.", examples=["Guideline"])
    title: str = Field(description="The work's title.", examples=["Treatment of essential tremor"])
    authors: str = Field(description="Its authors as cited; may be empty.", examples=["Zesiewicz TA, Elble RJ"])
    source: str = Field(description="Journal, publisher or organisation; may be empty.", examples=["Neurology"])
    year: int | None = Field(description="Year of publication.", examples=[2011])
    volume: str = Field(description="Volume; may be empty.", examples=["77"])
    issue: str = Field(description="Issue; may be empty.", examples=["19"])
    pages: str = Field(description="Pages; may be empty.", examples=["1752-1755"])
    doi: str = Field(
        description="DOI, normalised to lower case; empty when it has none.", examples=["10.1212/wnl.0b013e318236f0fd"]
    )
    pmid: str = Field(description="PubMed id; empty when it has none.", examples=["22013182"])
    url: str = Field(description="A link to the work when it has neither DOI nor PMID; may be empty.", examples=[""])
    first_cited_by: str | None = Field(
        description="The uuid of the claim that cites it first (the page links back to it).", examples=[EXAMPLE_UUID]
    )
    notices: list[Notice] = Field(
        description="Retraction Watch notices found on the source since approval (a retraction or an expression "
        "of concern): the claims citing it are being re-reviewed. Empty for a sound source.",
        examples=[[EXAMPLE_NOTICE]],
    )


class ArticleSummary(Schema):
    slug: str = Field(description="The article's live address: `/api/v1/articles/{slug}`.", examples=[EXAMPLE_SLUG])
    title: str = Field(
        description="The question the article answers.", examples=["What is the treatment for muscle jerking?"]
    )
    headline: str = Field(description="A short headline; may be empty.", examples=["Treating essential tremor"])
    summary: str = Field(description="The short answer, as approved.", examples=["Propranolol or primidone first."])
    topic: TopicRef | None = Field(description="The topic it was approved under, if any.", examples=[EXAMPLE_TOPIC])
    version: int = Field(description="The number of the approved version served.", examples=[3])
    approved_at: datetime = Field(description="When this version was approved.", examples=[EXAMPLE_TIME])
    content_hash: str = Field(
        description="SHA-256 of the version's content: equal hashes mean readers see the same thing.",
        examples=[EXAMPLE_HASH],
    )
    url: str = Field(description="The article's page on the reader site.", examples=[EXAMPLE_PAGE])


class Author(Schema):
    name: str = Field(description="The author's name as it was at approval.", examples=["Alex Rivera, MPH"])
    declaration: str = Field(
        description="Their declaration of competing interests for the round that was approved, as a sentence.",
        examples=["declares no competing interests"],
    )


class ArticleDetail(ArticleSummary):
    update_under_review: bool = Field(
        description="Whether a revision is with the board now (the page says so); what is served stays as approved.",
        examples=[False],
    )
    reviewers: list[Reviewer] = Field(
        description="Everyone whose checks this version rests on, approvers first, with how many claims each checked.",
        examples=[EXAMPLE_REVIEWERS],
    )
    authors: list[Author] = Field(
        description="Who wrote this version, with their declarations; empty for versions approved before "
        "declarations were required.",
        examples=[[{"name": "Alex Rivera, MPH", "declaration": "declares no competing interests"}]],
    )
    timeline: Timeline = Field(description="The review round that approved this version.", examples=[EXAMPLE_TIMELINE])
    change_note: str = Field(
        description="What changed for readers in this version (empty for a first version that has none).",
        examples=["Levetiracetam added as an alternative when clonazepam is not tolerated."],
    )
    evidence_last_checked: date | None = Field(
        description="The oldest search date among the claims that record one: all were checked since.",
        examples=["2026-10-01"],
    )
    next_review_due: datetime = Field(
        description="When the board is due to look at the article again.", examples=["2027-11-24T09:30:00Z"]
    )
    short_answer: Claim | None = Field(
        description="The short answer as a claim, with its citations.", examples=[{**EXAMPLE_CLAIM, "number": None}]
    )
    sections: list[Section] = Field(description="The sections in reading order.", examples=[[EXAMPLE_SECTION]])
    references: list[Reference] = Field(
        description="Every cited reference, in the order of its number.", examples=[[EXAMPLE_REFERENCE]]
    )


class ArticlePage(Schema):
    items: list[ArticleSummary] = Field(
        description="This page's articles, the most recently approved first.", examples=[[EXAMPLE_SUMMARY]]
    )
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page.",
        examples=["1795426200000000-42"],
    )
    next: str | None = Field(
        description="The next page's full address (this request's filters with the cursor); null on the last page.",
        examples=["https://vetted.example/api/v1/articles?cursor=1795426200000000-42"],
    )


class Version(Schema):
    version: int = Field(description="The version's number; the highest is live.", examples=[3])
    live: bool = Field(description="Whether this is the version served now.", examples=[True])
    slug: str = Field(description="The address it was approved at (earlier ones redirect).", examples=[EXAMPLE_SLUG])
    approved_at: datetime = Field(description="When it was approved.", examples=[EXAMPLE_TIME])
    reviewers: list[Reviewer] = Field(
        description="Everyone whose checks it rests on, approvers first.", examples=[EXAMPLE_REVIEWERS]
    )
    timeline: Timeline = Field(description="Its review round.", examples=[EXAMPLE_TIMELINE])
    change_note: str = Field(
        description="What changed for readers in this version.",
        examples=["Levetiracetam added as an alternative when clonazepam is not tolerated."],
    )
    content_hash: str = Field(description="SHA-256 of its content.", examples=[EXAMPLE_HASH])


class History(Schema):
    slug: str = Field(description="The article's live address.", examples=[EXAMPLE_SLUG])
    versions: list[Version] = Field(
        description="Every approved version, the newest first.",
        examples=[
            [
                {
                    "version": 3,
                    "live": True,
                    "slug": EXAMPLE_SLUG,
                    "approved_at": EXAMPLE_TIME,
                    "reviewers": EXAMPLE_REVIEWERS,
                    "timeline": EXAMPLE_TIMELINE,
                    "content_hash": EXAMPLE_HASH,
                }
            ]
        ],
    )


class SearchResult(Schema):
    slug: str = Field(description="The article's live address.", examples=[EXAMPLE_SLUG])
    title: str = Field(description="The question it answers.", examples=["What is the treatment for muscle jerking?"])
    summary: str = Field(description="Its short answer.", examples=["Propranolol or primidone first."])
    topic: str = Field(description="Its topic's name; empty when it has none.", examples=["Neurology"])
    approved_at: datetime = Field(description="When the live version was approved.", examples=[EXAMPLE_TIME])
    excerpt_html: str = Field(
        description="The passage that matched, HTML-escaped, with the matched words in `<mark>` (PostgreSQL only; "
        "else empty).",
        examples=["Propranolol reduces limb <mark>tremor</mark>."],
    )
    url: str = Field(description="The article's page on the reader site.", examples=[EXAMPLE_PAGE])


class SearchResults(Schema):
    query: str = Field(description="The words searched for, as used.", examples=["tremor"])
    results: list[SearchResult] = Field(
        description="At most 30 articles, the best match first.",
        examples=[
            [
                {
                    "slug": EXAMPLE_SLUG,
                    "title": EXAMPLE_SUMMARY["title"],
                    "summary": EXAMPLE_SUMMARY["summary"],
                    "topic": "Neurology",
                    "approved_at": EXAMPLE_TIME,
                    "excerpt_html": "sudden muscle <mark>jerks</mark>",
                    "url": EXAMPLE_PAGE,
                }
            ]
        ],
    )


class ProblemDetails(Schema):
    type: str = Field(
        description="What went wrong, as a stable URI (see /api/v1/problems/{name}).",
        examples=["https://vetted.example/api/v1/problems/not-found"],
    )
    title: str = Field(description="The type's short summary.", examples=["Nothing has been published here"])
    status: int = Field(description="The HTTP status code.", examples=[404])
    detail: str = Field(
        description="What happened with this request.", examples=["No article has been published at this address."]
    )
    instance: str = Field(description="The path asked for.", examples=[f"/api/v1/articles/{EXAMPLE_SLUG}"])


class Withdrawn(ProblemDetails):
    withdrawn_at: datetime = Field(description="When the editors withdrew the article.", examples=[EXAMPLE_TIME])


class ParameterError(Schema):
    loc: list[str | int] = Field(description="Where the parameter was, and its name.", examples=[["query", "limit"]])
    msg: str = Field(description="Why it was refused.", examples=["Input should be less than or equal to 100"])
    type: str = Field(description="The kind of error (pydantic's code).", examples=["less_than_equal"])


class InvalidParameters(ProblemDetails):
    errors: list[ParameterError] = Field(
        description="Each parameter refused.",
        examples=[
            [{"loc": ["query", "limit"], "msg": "Input should be less than or equal to 100", "type": "less_than_equal"}]
        ],
    )


class TooManyRequests(ProblemDetails):
    retry_after: int = Field(description="Seconds to wait before the next request (as `Retry-After`).", examples=[42])


class ProblemTypeSchema(Schema):
    type: str = Field(description="The type's URI.", examples=["https://vetted.example/api/v1/problems/not-found"])
    status: int = Field(description="The status it comes with.", examples=[404])
    title: str = Field(description="Its short summary.", examples=["Nothing has been published here"])
    description: str = Field(description="When it happens and what to do.", examples=["No approved article answers."])


Claim.model_rebuild()
Section.model_rebuild()
