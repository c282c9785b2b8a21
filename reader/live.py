"""Which live version an article address serves, kept in each web process and forgotten the
moment a workflow change commits.

The article page must never serve what the workflow has moved on from (a withdrawal above all),
yet asking PostgreSQL on every read is a round trip, most of an article read's cost once the
page itself is cached. So each workflow change sends ``NOTIFY vetted_workflow`` inside its own
transaction (`notify_workflow_change`, called by `editorial.services.perform_transition`), and
PostgreSQL delivers it when, and only if, that transaction commits: before the change's purge of
the shared cache is even queued. Each web process listens on a connection of its own and, before
trusting what it kept, reads whatever notification is already waiting on that socket (no round
trip); one has arrived, it forgets everything it kept.

Nothing is kept, and every read asks the database, when the database is not PostgreSQL, when
``VETTED_LIVE_CACHE`` is off, while the listening connection cannot be opened or has failed, and
while the request's own connection is inside a transaction (it could see changes that are not
committed: the test suite's transactions, for one).
"""

import logging
import os
import time

import psycopg
from django.conf import settings
from django.db import connection

from articles.models import Article

logger = logging.getLogger(__name__)

CHANNEL = "vetted_workflow"
KEPT_ADDRESSES = 1024
RETRY_SECONDS = 5


def notify_workflow_change() -> None:
    """Tell every web process, once the current transaction commits, to forget what it kept."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {CHANNEL}")


class _Kept:
    """Live values by address, valid while this process's listening connection says nothing changed.

    ``generation`` counts the changes heard: values read from the database are kept only if no
    change was heard between asking what is kept and keeping them, so a change that committed
    while they were being read can never be kept over.
    """

    def __init__(self):
        self.pid: int | None = None
        self.listener: psycopg.Connection | None = None
        self.values: dict[str, dict] = {}
        self.generation = 0
        self.retry_at = 0.0

    def lookup(self, slug: str) -> tuple[dict | None, int | None]:
        """What is kept for ``slug`` (or None), and the generation to keep a fresh read under
        (None: nothing may be kept now)."""
        if not self._trusted():
            return None, None
        return self.values.get(slug), self.generation

    def keep(self, slug: str, live: dict, generation: int | None) -> None:
        if generation is None or not self._trusted() or generation != self.generation:
            return
        self.values[slug] = live
        if len(self.values) > KEPT_ADDRESSES:
            self.values.pop(next(iter(self.values)))

    def forget(self) -> None:
        self.values.clear()
        self.generation += 1

    def reset(self) -> None:
        """Forget everything and stop listening (a new process starts this way; tests between tests)."""
        self._close()
        self.retry_at = 0.0

    def _trusted(self) -> bool:
        if connection.vendor != "postgresql" or not settings.VETTED_LIVE_CACHE or connection.in_atomic_block:
            return False
        if self.pid != os.getpid() or self.listener is None or self.listener.closed:
            return self._listen()
        try:
            pgconn = self.listener.pgconn
            pgconn.consume_input()
            changed = False
            while pgconn.notifies() is not None:
                changed = True
            if changed:
                self.forget()
            return True
        except (psycopg.Error, OSError):
            logger.warning("Lost the connection listening for workflow changes; reading every article afresh.")
            self._close()
            return False

    def _listen(self) -> bool:
        """Open this process's listening connection (forgetting everything kept before): True on success.

        After a failure, it is tried again only after RETRY_SECONDS, so a database that is down
        costs each read no more than the read itself.
        """
        if self.pid == os.getpid() and time.monotonic() < self.retry_at:
            return False
        self._close()
        self.pid = os.getpid()
        params = {key: value for key, value in connection.get_connection_params().items() if key != "pool"}
        try:
            self.listener = psycopg.connect(**params, autocommit=True, connect_timeout=2)
            self.listener.execute(f"LISTEN {CHANNEL}")
        except (psycopg.Error, OSError):
            logger.warning("Cannot listen for workflow changes; reading every article afresh.")
            self._close()
            self.retry_at = time.monotonic() + RETRY_SECONDS
            return False
        return True

    def _close(self) -> None:
        self.forget()
        if self.listener is not None:
            try:
                self.listener.close()
            except (psycopg.Error, OSError):
                logger.debug("The listening connection was already gone.")
        self.listener = None


kept = _Kept()


# States in which a revision of a live article is with the board: its page (and API answer) says so.
IN_REVIEW = (Article.State.SUBMITTED, Article.State.UNDER_REVIEW)

# What serving an article needs to know before a cached rendering of it is asked: read as plain
# values, the cheapest query Django makes (the rendering is usually cached, so this is most of a read's cost).
LIVE_FIELDS = (
    "pk",
    "state",
    "updated_at",
    "live_version_id",
    "live_version__content_hash",
    "live_version__approved_at",
    "live_version__reviewers",
    "live_version__topic_id",
)


def live_at(slug: str) -> dict | None:
    """`LIVE_FIELDS` of the article whose live version is at ``slug`` (a withdrawn one's too), or None.

    From what this process kept when it may be trusted, else one query, kept for the next read.
    """
    live, generation = kept.lookup(slug)
    if live is None:
        live = Article.objects.filter(live_version__slug=slug).values(*LIVE_FIELDS).first()
        if live is not None:
            kept.keep(slug, live, generation)
    return live
