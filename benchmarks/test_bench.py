"""`make bench`: how long the hot paths take, printed as figures (nothing here passes or fails on time).

Each figure is the median of several runs on a test database built for the run: the reader page
of a 1,000-claim article (rendered, from the shared cache, kept by the process), search over 300 approved articles,
the updates feed, the board's review page for 200 claims, a reminder scan over an archive of
2,000 closed assignments with 50 overdue ones, the evidence-search scan over 200 approved
articles with 50 due, and the import of a Markdown article of 10,000 claims (the
largest the workspace form takes), with its query count. The Retraction Watch import of a
generated 500,000-row file and the scans after it are timed once each (they are long).
"""

import csv
import statistics
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.markdown_import import import_markdown
from articles.models import Claim
from editorial import evidence, reminders
from editorial.models import ReviewAssignment
from integrity.retractions import import_file
from reader.live import kept
from reader.views import forget_recent_pages
from tests import workflow
from tests.articles.test_markdown_import import markdown_with_claims
from tests.editorial.test_admin import logged_in
from tests.factories import ArticleFactory, ReferenceFactory, cite
from tests.integrity.csvfiles import HEADER, row
from writing.forms import MarkdownForm

pytestmark = pytest.mark.django_db

RUNS = 7


def measure(label: str, action, *, before=None, runs: int = RUNS) -> float:
    timings = []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    median = statistics.median(timings)
    print(f"\n{label:<58} median {median:8.1f} ms   (min {min(timings):.1f}, max {max(timings):.1f}, {runs} runs)")
    return median


def long_article(claims: int):
    article = workflow.ready_article(claims=0)
    section = article.sections.get()
    references = ReferenceFactory.create_batch(20)
    created = Claim.objects.bulk_create(
        Claim(article=article, section=section, position=index, text=f"Statement {index} about the treatment.")
        for index in range(claims)
    )
    for index, claim in enumerate(created):
        cite(claim, references[index % 20])
    return article


def test_reader_page_of_a_thousand_claims():
    article = workflow.approved(long_article(1000))
    reader = Client()
    url = article.get_absolute_url()
    reader.get(url)

    def empty_caches():
        """The shared cache and what this process keeps in front of it (pages, live versions)."""
        cache.clear()
        forget_recent_pages()
        kept.reset()

    measure("reader page, 1,000 claims, rendered (caches empty)", lambda: reader.get(url), before=empty_caches)
    reader.get(url)
    measure(
        "reader page, 1,000 claims, from the shared cache (Redis)", lambda: reader.get(url), before=forget_recent_pages
    )
    measure("reader page, 1,000 claims, kept by the web process", lambda: reader.get(url))


def test_search_over_three_hundred_articles():
    for index in range(300):
        workflow.approved(workflow.ready_article(title=f"What is the treatment for condition {index}?"))
    reader = Client()
    url = reverse("reader:search")
    measure("search “condition 42” over 300 approved articles", lambda: reader.get(url, {"q": "condition 42"}))
    measure("updates feed (Atom), latest 50 of 300 approved articles", lambda: reader.get("/feeds/updates/"))


def test_evidence_search_scan_over_approved_articles():
    workflow.editor()
    board_member = workflow.reviewer()
    long_ago = timezone.localdate() - timedelta(days=400)
    for index in range(200):
        article = workflow.ready_article(claims=2)
        if index % 4 == 0:  # 50 articles with an overdue evidence search, 150 not due
            Claim.objects.filter(article=article, section__isnull=False).update(evidence_searched_on=long_ago)
        workflow.approved(article, by=board_member)
    now = timezone.now()
    reminders.scan_evidence_searches_due(now)
    measure(
        "evidence-search scan: 200 approved, 50 due (steady state)",
        lambda: reminders.scan_evidence_searches_due(now),
    )


def test_review_page_of_two_hundred_claims():
    board_member = workflow.reviewer()
    article = workflow.under_review(long_article(200), by=board_member)
    client = logged_in(board_member)
    url = reverse("admin:articles_article_review", args=[article.pk])
    measure("board review page, 200 claims", lambda: client.get(url))


def test_reminder_scan_over_a_large_archive():
    board_member = workflow.reviewer()
    article = workflow.under_review(by=board_member)
    assignment = article.assignments.get()
    now = timezone.now()
    closed = [
        ReviewAssignment(
            article=article, round=1000 + index, reviewer=board_member, due_at=now, status="closed", closed_at=now
        )
        for index in range(2000)
    ]
    overdue = [
        ReviewAssignment(article=article, round=5000 + index, reviewer=board_member, due_at=now - timedelta(days=1))
        for index in range(50)
    ]
    ReviewAssignment.objects.bulk_create([*closed, *overdue])
    assert assignment.pk
    measure(
        "reminder scan: 2,000 closed + 50 overdue (steady state)",
        lambda: reminders.scan_overdue_reviews(timezone.now()),
    )


@pytest.mark.django_db(transaction=True)
def test_markdown_import_of_ten_thousand_claims():
    """What the workspace's import does under the article's row lock, commit included, for the largest paste."""
    author = workflow.author()
    limit = MarkdownForm.base_fields["text"].max_length
    articles, texts, queries = [], [], []

    def counted(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    def fresh_article():
        # A new article, and references new to the library, each run: every run creates the same rows.
        articles.append(ArticleFactory())
        texts.append(markdown_with_claims(10_000, series=len(texts) + 1))
        assert len(texts[-1]) <= limit
        queries.clear()

    def import_once():
        with connection.execute_wrapper(counted):
            result = import_markdown(articles[-1], texts[-1], by=author)
        assert (result.created_claims, len(result.created_references)) == (10_000, 20)

    measure(
        f"Markdown import, 10,000 claims ({len(markdown_with_claims(10_000, series=1)):,} characters)",
        import_once,
        before=fresh_article,
        runs=3,
    )
    print(f"{'':<58} {len(queries)} queries ({connection.vendor})")


def write_retraction_file(path, rows: int, *, changed: range = range(0)) -> None:
    """A Retraction Watch CSV of ``rows`` records; those numbered in ``changed`` get another reason."""
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=HEADER)
        writer.writeheader()
        for number in range(1, rows + 1):
            nature = ("Retraction", "Correction", "Expression of concern")[number % 3]
            reason = "+Concerns/Issues About Data;" if number not in changed else "+Updated: Misconduct;"
            writer.writerow(
                row(number, doi=f"10.5555/paper.{number}", pmid=str(10_000_000 + number), nature=nature, reason=reason)
            )


def timed(label: str, action) -> float:
    start = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - start
    print(f"\n{label:<58} {seconds:8.2f} s")
    return result


def test_retraction_import_of_half_a_million_rows_and_the_scans(tmp_path):
    """Import 500,000 rows into an empty table; the same file again; a newer file with 1,000 changed
    and 500 new rows; each scan after them, against a library of 2,000 references (200 retracted)."""
    ReferenceFactory.create_batch(1800)
    for number in range(1, 200 * 3, 3):  # record numbers ≡ 1 (mod 3): retractions
        ReferenceFactory(doi=f"10.5555/PAPER.{number}")
    first = tmp_path / "retraction_watch.csv"
    write_retraction_file(first, 500_000)
    print(f"\n{'generated file':<58} {first.stat().st_size / 1e6:8.1f} MB")
    result = timed("retraction import, 500,000 rows (empty table)", lambda: import_file(first))
    assert result.file_import.inserted == 500_000
    notices = timed("scan after it (every record, every reference)", evidence.scan)
    print(f"{'':<58} {len(notices)} notices")
    timed("the same file again (SHA-256 only)", lambda: import_file(first))
    newer = tmp_path / "retraction_watch_newer.csv"
    write_retraction_file(newer, 500_500, changed=range(1000, 2000))
    result = timed("newer file: 1,000 changed + 500 new of 500,500 rows", lambda: import_file(newer))
    assert (result.file_import.updated, result.file_import.inserted) == (1000, 500)
    timed("scan after it (the 1,500 rows written)", evidence.scan)
    timed("nightly scan with nothing new", evidence.scan)
