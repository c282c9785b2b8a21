"""`make bench`: how long the hot paths take, printed as figures (nothing here passes or fails on time).

Each figure is the median of several runs on a test database built for the run: the reader page
of a 1,000-claim article (rendered, then from the cache), search over 300 approved articles,
the board's review page for 200 claims, and a reminder scan over an archive of 2,000 closed
assignments with 50 overdue ones.
"""

import statistics
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Claim
from editorial import reminders
from editorial.models import ReviewAssignment
from tests import workflow
from tests.editorial.test_admin import logged_in
from tests.factories import ReferenceFactory, cite

pytestmark = pytest.mark.django_db

RUNS = 7


def measure(label: str, action, *, before=None) -> float:
    timings = []
    for _ in range(RUNS):
        if before:
            before()
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    median = statistics.median(timings)
    print(f"\n{label:<58} median {median:8.1f} ms   (min {min(timings):.1f}, max {max(timings):.1f}, {RUNS} runs)")
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
    measure("reader page, 1,000 claims, rendered (cache empty)", lambda: reader.get(url), before=cache.clear)
    measure("reader page, 1,000 claims, from the cache", lambda: reader.get(url))


def test_search_over_three_hundred_articles():
    for index in range(300):
        workflow.approved(workflow.ready_article(title=f"What is the treatment for condition {index}?"))
    reader = Client()
    url = reverse("reader:search")
    measure("search “condition 42” over 300 approved articles", lambda: reader.get(url, {"q": "condition 42"}))


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
