"""Page views are counted in the cache and folded into DailyReads: a read writes nothing to the database."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Claim, DailyReads
from config.celery import app as celery_app
from reader import reads, tasks
from tests import workflow
from tests.factories import ReferenceFactory, cite

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader() -> Client:
    return Client()


def read(reader: Client, article: Article, times: int = 1) -> None:
    """Open the page as a browser does: the page, then its images (the view counter among them)."""
    for _ in range(times):
        page = reader.get(article.get_absolute_url())
        assert page.status_code == 200
        for image in re.findall(r'<img[^>]* src="(/[^"]+)"', page.content.decode()):
            assert reader.get(image).status_code == 200


def daily(article: Article) -> int:
    row = DailyReads.objects.filter(article=article, day=timezone.localdate()).first()
    return row.count if row else 0


def test_reading_writes_nothing_and_counts_in_the_cache(reader):
    """Three views: no DailyReads row yet, three in the day's cache key."""
    article = workflow.approved()
    read(reader, article, 3)
    assert not DailyReads.objects.exists()
    assert cache.get(f"reads:{timezone.localdate():%Y-%m-%d}:{article.pk}") == 3


def test_folding_moves_each_read_into_daily_reads_exactly_once(reader):
    """Fold, fold again (nothing new), read twice more, fold: 3, 3, 5."""
    article = workflow.approved()
    read(reader, article, 3)
    assert tasks.fold_reads() == 3
    assert daily(article) == 3
    assert tasks.fold_reads() == 0
    assert daily(article) == 3
    read(reader, article, 2)
    assert tasks.fold_reads() == 2
    assert daily(article) == 5


def test_folding_adds_to_the_days_row_and_keeps_days_apart(reader):
    """Counts land on the day they were read; an existing row is added to, never overwritten."""
    article = workflow.approved()
    yesterday = timezone.localdate() - timedelta(days=1)
    DailyReads.objects.create(article=article, day=timezone.localdate(), count=10)
    reads.count(article.pk)
    reads.count(article.pk, day=yesterday)
    reads.count(article.pk, day=yesterday)
    assert tasks.fold_reads() == 3
    assert daily(article) == 11
    assert DailyReads.objects.get(article=article, day=yesterday).count == 2


def test_counts_for_an_article_that_is_gone_are_dropped():
    """A count for a missing article (a rebuilt database) is dropped, not an integrity error."""
    reads.count(987654)
    assert tasks.fold_reads() == 0
    assert not DailyReads.objects.exists()


def test_a_failed_fold_keeps_the_counts_for_the_next_one(reader, monkeypatch):
    """The database refuses the write: the counts go back to the cache and the next fold writes them."""
    article = workflow.approved()
    read(reader, article, 2)

    def refuse(*args, **kwargs):
        raise DatabaseError("the database is read-only")

    with monkeypatch.context() as patched:
        patched.setattr(DailyReads, "add_reads", refuse)
        with pytest.raises(DatabaseError):
            tasks.fold_reads()
    read(reader, article)
    assert tasks.fold_reads() == 3
    assert daily(article) == 3


def test_most_read_on_home_follows_the_folded_counts(reader):
    popular = workflow.approved(workflow.ready_article(title="Popular question?"))
    quiet = workflow.approved(workflow.ready_article(title="Quiet question?"))
    read(reader, quiet, 1)
    read(reader, popular, 3)
    tasks.fold_reads()
    html = reader.get("/").content.decode()
    most_read = html[html.index("Most read this month") : html.index('id="topics-heading"')]
    assert most_read.index("Popular question?") < most_read.index("Quiet question?")


def test_the_web_process_folds_its_own_counts_once_the_interval_has_passed(reader, settings):
    """Without Redis (the embedded default), the process that counted folds, after the response."""
    article = workflow.approved()
    read(reader, article, 2)
    assert not DailyReads.objects.exists()
    settings.VETTED_READS_FLUSH_SECONDS = 0
    read(reader, article)
    assert daily(article) == 3
    settings.VETTED_READS_FLUSH_SECONDS = 300
    read(reader, article)
    assert daily(article) == 3  # not due again for five minutes


def test_folding_is_scheduled_every_flush_interval_on_the_scans_queue(settings):
    entry = next(
        entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == "reader.tasks.fold_reads"
    )
    assert entry["schedule"] == float(settings.VETTED_READS_FLUSH_SECONDS) == 300.0
    assert celery_app.amqp.router.route({}, entry["task"])["queue"].name == "scans"


# Query budgets (the uncached page's, two reads and no write: tests/reader/test_views.py)


def article_with(claims: int) -> Article:
    article = workflow.ready_article(claims=0)
    section = article.sections.get()
    references = ReferenceFactory.create_batch(5)
    claim_objects = Claim.objects.bulk_create(
        Claim(article=article, section=section, position=index, text=f"Statement {index}.") for index in range(claims)
    )
    for index, claim in enumerate(claim_objects):
        cite(claim, references[index % 5])
    return workflow.approved(article)


@pytest.mark.parametrize("claims", [10, 1000])
def test_a_cached_article_page_costs_two_reads(reader, django_assert_num_queries, claims):
    """From the page cache: the article with its live version and the notices on its sources (which
    decide the cache key); a process that kept them (reader.live) asks neither."""
    article = article_with(claims)
    reader.get(article.get_absolute_url())
    with CaptureQueriesContext(connection) as queries, django_assert_num_queries(2):
        assert reader.get(article.get_absolute_url()).status_code == 200
    assert all(query["sql"].lstrip().upper().startswith("SELECT") for query in queries.captured_queries)


def test_a_revalidation_costs_two_reads_and_no_write(reader, django_assert_num_queries):
    """A 304 to If-None-Match: the article with its live version, and the notices on its sources
    (integrity); keys from the page cache."""
    article = article_with(10)
    etag = reader.get(article.get_absolute_url())["ETag"]
    with django_assert_num_queries(2):
        assert reader.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_the_view_counter_is_private_and_counts_pages_the_shared_cache_served(reader):
    """The page is shareable and counts nothing by itself; its image, never cached, counts each view."""
    article = workflow.approved()
    page = reader.get(article.get_absolute_url())
    assert page["Cache-Control"].startswith("public")
    assert cache.get(f"reads:{timezone.localdate():%Y-%m-%d}:{article.pk}") is None
    counter = reader.get(reverse("reader:read", args=[article.pk]))
    assert (counter.status_code, counter["Content-Type"], counter["Cache-Control"]) == (
        200,
        "image/gif",
        "private, no-store",
    )
    assert "Set-Cookie" not in counter
    assert cache.get(f"reads:{timezone.localdate():%Y-%m-%d}:{article.pk}") == 1
    assert reader.post(reverse("reader:read", args=[article.pk])).status_code == 405
