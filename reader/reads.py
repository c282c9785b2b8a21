"""Page views, counted in the cache and folded into DailyReads: reading an article writes nothing to the database.

Each view adds one to the cache key ``reads:<yyyy-mm-dd>:<article pk>``, kept three days. A fold
takes the counts out of the cache atomically and adds them to `DailyReads` in one transaction;
if the database refuses, it puts them back for the next fold. Which counter, by cache:

- **Redis** (django-redis, when ``REDIS_URL`` is set): the view's INCR, the key's expiry and its
  entry in a set of pending keys go in one MULTI; the fold takes each pending key with GETDEL and
  drops it from the set in one MULTI. A view counted at any moment lands in exactly one fold.
  Celery beat runs `reader.tasks.fold_reads` every ``VETTED_READS_FLUSH_SECONDS``.
- **Any other cache** (the embedded default: local memory, one per process): the counts live in
  the web process that served the views, which a worker cannot see, so that process folds them
  itself, after a response has been sent (``request_finished``), at most once every
  ``VETTED_READS_FLUSH_SECONDS``. The fold subtracts what it took (DECR) rather than deleting,
  so a view counted meanwhile stays for the next fold.

What a fault costs: views while Redis is unreachable are not counted (logged); a Redis that
restarts without its data loses the counts since the last fold, at most one flush interval; in
the embedded setup a web process that stops loses its own unfolded counts.
"""

import logging
import threading
import time
from datetime import date

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, transaction
from django.utils import timezone
from redis.exceptions import RedisError

from articles.models import Article, DailyReads

logger = logging.getLogger(__name__)

KEEP_SECONDS = 3 * 24 * 60 * 60
PENDING = "reads:pending"


def key(day: date, article_id: int) -> str:
    return f"reads:{day:%Y-%m-%d}:{article_id}"


def count(article_id: int, *, day: date | None = None) -> None:
    """Count one view of the article's page, on ``day`` (today unless given)."""
    _counter().count(key(day or timezone.localdate(), article_id))


def fold() -> int:
    """Add the views counted in the cache to DailyReads; return how many were added.

    Safe to run twice and alongside views: each count is taken out of the cache once. Counts for
    an article that no longer exists are dropped.
    """
    counter = _counter()
    counts = counter.take()
    if not counts:
        return 0
    try:
        return _store(counts)
    except DatabaseError:
        counter.give_back(counts)
        raise


def _store(counts: dict[str, int]) -> int:
    by_day = {}
    for name, reads in counts.items():
        day, article_id = name.rsplit(":", 2)[-2:]
        by_day[(date.fromisoformat(day), int(article_id))] = reads
    with transaction.atomic():
        existing = set(Article.objects.filter(pk__in={pk for _, pk in by_day}).values_list("pk", flat=True))
        folded = 0
        for (day, article_id), reads in sorted(by_day.items()):  # one order: concurrent folds never deadlock
            if article_id in existing:
                DailyReads.add_reads(article_id, day, reads)
                folded += reads
    return folded


def _counter():
    """The counter for the default cache as configured now (tests switch caches)."""
    backend = caches["default"]
    get_client = getattr(getattr(backend, "client", None), "get_client", None)
    if get_client is not None:  # django-redis
        return RedisCounter(backend, get_client(write=True))
    return CacheCounter(backend)


class RedisCounter:
    """Counts in Redis: INCR with a set of pending keys, taken with GETDEL, each step one MULTI."""

    def __init__(self, backend, client):
        self.backend = backend
        self.client = client
        self.pending = backend.make_key(PENDING)

    def count(self, name: str) -> None:
        stored = self.backend.make_key(name)
        try:
            with self.client.pipeline() as multi:
                multi.incr(stored).expire(stored, KEEP_SECONDS)
                multi.sadd(self.pending, stored).expire(self.pending, KEEP_SECONDS)
                multi.execute()
        except RedisError as error:
            logger.warning("A page view was not counted: Redis did not answer (%s).", error)

    def take(self) -> dict[str, int]:
        try:
            stored = sorted(self.client.smembers(self.pending))
            if not stored:
                return {}
            with self.client.pipeline() as multi:
                for name in stored:
                    multi.getdel(name).srem(self.pending, name)
                answers = multi.execute()
        except RedisError as error:
            logger.warning("Read counts were not folded: Redis did not answer (%s).", error)
            return {}
        return {name.decode(): int(value) for name, value in zip(stored, answers[::2], strict=True) if value}

    def give_back(self, counts: dict[str, int]) -> None:
        try:
            with self.client.pipeline() as multi:
                for name, reads in counts.items():
                    multi.incrby(name, reads).expire(name, KEEP_SECONDS).sadd(self.pending, name)
                multi.execute()
        except RedisError as error:
            logger.error(
                "Lost %d page views: they could be neither folded nor put back (%s).", sum(counts.values()), error
            )


class CacheCounter:
    """Counts in any other cache (add and incr), remembering in this process which keys it counted."""

    pending: set[str] = set()
    lock = threading.Lock()
    last_fold = time.monotonic()  # of this process's own folds (`fold_if_due`)

    def __init__(self, backend):
        self.backend = backend

    def count(self, name: str) -> None:
        if not self.backend.add(name, 1, KEEP_SECONDS):
            try:
                self.backend.incr(name)
            except ValueError:  # expired between add() and incr(): this view starts it again
                self.backend.add(name, 1, KEEP_SECONDS)
        with self.lock:
            self.pending.add(name)

    def take(self) -> dict[str, int]:
        # Forget the keys before reading them: a view counted from here on is remembered again.
        with self.lock:
            names = sorted(self.pending)
            self.pending.clear()
        counts = {}
        for name in names:
            reads = self.backend.get(name)
            if not reads:
                continue
            try:
                self.backend.decr(name, reads)
            except ValueError:  # expired meanwhile, with its count
                continue
            counts[name] = reads
        return counts

    def give_back(self, counts: dict[str, int]) -> None:
        for name, reads in counts.items():
            if not self.backend.add(name, reads, KEEP_SECONDS):
                self.backend.incr(name, reads)
            with self.lock:
                self.pending.add(name)


# The embedded setup: each web process folds its own counts.


def postpone_local_fold() -> None:
    """Start this process's fold interval afresh (at start-up and after each of its folds)."""
    CacheCounter.last_fold = time.monotonic()


def fold_if_due(**_signal) -> None:
    """After a response (``request_finished``): fold this process's counts when the interval has passed.

    Only for a cache other than Redis, whose counts no other process can fold; with Redis,
    Celery beat folds. The check costs a comparison; a fold runs at most once per interval.
    """
    if not CacheCounter.pending or time.monotonic() - CacheCounter.last_fold < settings.VETTED_READS_FLUSH_SECONDS:
        return
    if not isinstance(_counter(), CacheCounter):
        return
    postpone_local_fold()
    try:
        fold()
    except DatabaseError:
        logger.exception("Read counts were not folded; they are kept for the next fold.")
