"""Purges of the shared cache: written to an outbox with the change, sent to Varnish after it.

Reader pages are cached by Varnish for a day and tagged with surrogate keys (`reader.surrogate`).
Whatever changes what readers see writes a `PurgeRequest` naming the keys in its own transaction:
the workflow service (`queue_for_transition`), and the signals `editorial.apps` connects for
corrected references, edited policy and board pages and renamed topics. After the commit the
`send_purges` task sends ``PURGE`` with an ``xkey-purge`` header to every cache in
``VETTED_VARNISH_URLS``; the beat sweep (`requeue_unsent`) sends whatever is still unsent, so a
cache that was down gets its purges late, never not at all.
"""

import urllib.error
import urllib.request
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from articles.models import Article
from editorial.models import ArticleVersion, PurgeRequest, TransitionLog
from reader import surrogate

TIMEOUT_SECONDS = 5
# Keys per PURGE request: keeps the header far below Varnish's 8 KB header limit.
KEYS_PER_REQUEST = 200
# Transitions that change what readers are shown at the article's address and in listings, and
# those that only change the article's own page (the "an update is under review" notice).
CHANGES_LISTINGS = ("approve", "withdraw", "reinstate")
CHANGES_NOTICE = ("submit", "request_changes")
# The reader pages whose content is edited in the admin (pages app), by model label.
PAGE_KEYS = {"pages.EditorialPolicy": surrogate.PAGE_POLICY, "pages.BoardMember": surrogate.PAGE_BOARD}


class PurgeError(Exception):
    """A cache could not be reached or refused the purge; the row stays unsent."""


def queue(keys: Iterable[str], *, reason: str) -> PurgeRequest | None:
    """Write one purge of ``keys`` and send it once the surrounding transaction commits."""
    unique = list(dict.fromkeys(key for key in keys if key))
    if not unique:
        return None
    limit = PurgeRequest._meta.get_field("reason").max_length
    purge = PurgeRequest.objects.create(keys=" ".join(unique), reason=reason[:limit])
    transaction.on_commit(lambda: _enqueue([purge.pk]), robust=True)
    return purge


def queue_for_transition(article: Article, entry: TransitionLog) -> PurgeRequest | None:
    """Purge what the transition in ``entry`` changed for readers; nothing if they never saw the article.

    An approval, withdrawal or reinstatement changes the article's page, the listings and its
    topic pages (a new version may have moved it to another topic); a revision entering or
    leaving review only changes the notice on the article's page.
    """
    if article.live_version_id is None:
        return None
    if entry.transition in CHANGES_LISTINGS:
        if entry.transition == "approve" and article.state != Article.State.APPROVED:
            return None  # the first of several approvals publishes nothing
        keys = [surrogate.article_key(article.pk), surrogate.LISTINGS, *_topic_keys(article, entry)]
    elif entry.transition in CHANGES_NOTICE:
        keys = [surrogate.article_key(article.pk)]
    else:
        return None
    return queue(keys, reason=f"{entry.transition} of article {article.pk} (log entry {entry.pk})")


def _topic_keys(article: Article, entry: TransitionLog) -> list[str]:
    """The live version's topic, and on approval the topic of the version it replaced."""
    versions = ArticleVersion.objects.filter(article=article)
    if entry.transition == "approve":
        versions = versions.filter(number__gte=article.live_version.number - 1)
    else:
        versions = versions.filter(pk=article.live_version_id)
    topic_ids = versions.exclude(topic=None).values_list("topic_id", flat=True)
    return [surrogate.topic_key(pk) for pk in sorted(set(topic_ids))]


def keys_for_reference(reference) -> list[str]:
    """A corrected reference: its own key and the page of every published article citing it."""
    citing = (
        Article.objects.published()
        .filter(claims__citations__reference=reference)
        .values_list("pk", flat=True)
        .distinct()
    )
    return [surrogate.reference_key(reference.uuid), *(surrogate.article_key(pk) for pk in sorted(citing))]


def _enqueue(purge_ids: list[int]) -> None:
    from editorial.tasks import send_purges

    for purge_id in purge_ids:
        send_purges.delay(purge_id)


def send(purge_id: int) -> str:
    """Send one purge to every cache and mark it sent; raise PurgeError if any cache did not take it.

    Safe to run twice: a sent row is skipped, and purging a key twice only purges it again.
    With ``VETTED_VARNISH_URLS`` empty (no shared cache) the row is marked sent with that note.
    """
    now = timezone.now()
    attempted = (
        PurgeRequest.objects.unsent().filter(pk=purge_id).update(attempts=F("attempts") + 1, last_attempt_at=now)
    )
    if not attempted:
        return "skipped"
    purge = PurgeRequest.objects.get(pk=purge_id)
    caches = settings.VETTED_VARNISH_URLS
    if not caches:
        _mark_sent(purge_id, "Not sent: purging is off (VETTED_VARNISH_URLS is empty).")
        return "off"
    keys = purge.keys.split()
    answers, errors = [], []
    for url in caches:
        try:
            purged = sum(purge_keys(url, keys[i : i + KEYS_PER_REQUEST]) for i in range(0, len(keys), KEYS_PER_REQUEST))
        except PurgeError as error:
            errors.append(f"{url}: {error}")
        else:
            answers.append(f"{url}: {purged} purged")
    if errors:
        PurgeRequest.objects.filter(pk=purge_id).update(last_error="\n".join(errors)[:2000])
        raise PurgeError("; ".join(errors))
    _mark_sent(purge_id, "; ".join(answers))
    return "sent"


def _mark_sent(purge_id: int, note: str) -> None:
    limit = PurgeRequest._meta.get_field("note").max_length
    PurgeRequest.objects.filter(pk=purge_id).update(sent_at=timezone.now(), last_error="", note=note[:limit])


# Purges go straight to the caches, never through an HTTP proxy from the environment.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def purge_keys(url: str, keys: list[str]) -> int:
    """Ask the Varnish at ``url`` to purge ``keys``; return how many objects it purged."""
    request = urllib.request.Request(url, method="PURGE", headers={"xkey-purge": " ".join(keys)})
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            answer = response.headers.get("X-Purged", "0")
    except urllib.error.HTTPError as error:
        raise PurgeError(f"HTTP {error.code} {error.reason}") from error
    except urllib.error.URLError as error:  # refused, unreachable
        reason = error.reason
        raise PurgeError(f"{type(reason).__name__}: {reason}") from error
    except OSError as error:  # timed out, reset
        raise PurgeError(f"{type(error).__name__}: {error}") from error
    return int(answer) if answer.isdigit() else 0


def requeue_unsent(*, older_than: timedelta = timedelta(seconds=30)) -> int:
    """Queue again the purges still unsent: the broker was down at commit, or a cache was.

    Rows tried within ``older_than`` are left to the retries already on their way.
    """
    cutoff = timezone.now() - older_than
    stuck = (
        PurgeRequest.objects.unsent()
        .filter(created_at__lt=cutoff)
        .filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=cutoff))
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
    purge_ids = list(stuck[:500])
    _enqueue(purge_ids)
    return len(purge_ids)


def reference_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """post_save of a Reference: a correction changes every published page that cites it."""
    if created or raw:
        return  # a new reference is cited nowhere yet; fixtures purge nothing
    queue(keys_for_reference(instance), reason=f"reference {instance.pk} corrected")


def topic_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """post_save of a Topic: its page and the listings show its name and description."""
    if created or raw:
        return
    queue([surrogate.topic_key(instance.pk), surrogate.LISTINGS], reason=f"topic {instance.pk} edited")


def page_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    """post_save and post_delete of the policy and the board's members: the page that shows them."""
    if raw:
        return
    key = PAGE_KEYS[sender._meta.label]
    queue([key], reason=f"{sender._meta.verbose_name} {instance.pk} changed")
