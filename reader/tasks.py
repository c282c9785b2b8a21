"""Celery tasks of the reader site: thin and safe to run twice."""

from celery import shared_task

from reader import reads


@shared_task
def fold_reads() -> int:
    """Add the page views counted in the cache to DailyReads (beat, every VETTED_READS_FLUSH_SECONDS)."""
    return reads.fold()
