"""HTTP checks for the stack test (scripts/stack/stack_test.sh), one named step per run.

Standard library only, so it runs from the runtime virtualenv. Every request goes to Varnish
(or, where a step says so, straight to a web node) over loopback, as a browser behind the TLS
terminator would: with ``X-Forwarded-Proto: https``. Each response is appended to
``responses.jsonl`` in the state folder, so the last step can check that nothing served from
the cache ever carried a cookie. Cookies of each signed-in person are kept there too.

    check.py STATE_DIR STEP [ARGS…]

Prints one line per check, ``PASS``/``FAIL`` with timings, and exits 1 if any failed.
"""

import http.client
import json
import os
import re
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

VARNISH = os.environ.get("STACK_VARNISH", "http://127.0.0.1:6180")
ARTICLE = "/articles/what-is-the-treatment-for-muscle-jerking/"
PASSWORD = "vetted-demo"
# Pages readers reach besides the article: each a first fetch through the cache.
READER_PAGES = ("/", "/editorial-policy/", "/advisory-board/", "/robots.txt", "/sitemap.xml")


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    set_cookies: list[str]
    body: str
    ms: float

    @property
    def cache(self) -> str:
        return self.headers.get("x-cache", "-")


@dataclass
class Client:
    """A browser of sorts: keeps its cookies (in the state folder) and sends what a browser sends."""

    state: Path
    name: str = "reader"
    cookies: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        jar = self.state / f"cookies-{self.name}.json"
        if jar.exists():
            self.cookies = json.loads(jar.read_text())

    def save(self) -> None:
        (self.state / f"cookies-{self.name}.json").write_text(json.dumps(self.cookies))

    def request(self, method: str, path: str, *, base: str = VARNISH, form=None, headers=None, step="") -> Response:
        url = urllib.parse.urlsplit(base)
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        sent = {"X-Forwarded-Proto": "https", "User-Agent": "vetted-stack-check", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            origin = f"https://{url.netloc}"
            sent |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": origin + path,
            }
        started = time.monotonic()
        connection.request(method, path, body=body, headers=sent)
        raw = connection.getresponse()
        text = raw.read().decode("utf-8", "replace")
        ms = (time.monotonic() - started) * 1000
        connection.close()
        set_cookies = raw.headers.get_all("Set-Cookie") or []
        for cookie in set_cookies:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if re.search(r"(?i)max-age=0|expires=thu, 01 jan 1970", cookie) or value in ('""', ""):
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        self.save()
        response = Response(raw.status, {k.lower(): v for k, v in raw.headers.items()}, set_cookies, text, ms)
        with open(self.state / "responses.jsonl", "a") as log:
            record = {"step": step, "who": self.name, "method": method, "base": base, "path": path}
            record |= {"status": response.status, "x_cache": response.cache, "set_cookie": bool(set_cookies)}
            log.write(json.dumps(record) + "\n")
        return response


class Checks:
    def __init__(self):
        self.failed = 0

    def report(self, ok: bool, name: str, detail: str) -> bool:
        print(f"  [{'PASS' if ok else 'FAIL'}] {name}: {detail}", flush=True)
        self.failed += not ok
        return ok


def poll(fetch, done, *, timeout: float, every: float = 0.1):
    """Call ``fetch`` until ``done(response)`` or ``timeout`` seconds; return (response, seconds, ok)."""
    started = time.monotonic()
    while True:
        response = fetch()
        elapsed = time.monotonic() - started
        if done(response):
            return response, elapsed, True
        if elapsed > timeout:
            return response, elapsed, False
        time.sleep(every)


def login(state: Path, checks: Checks, username: str) -> Client:
    """Sign in through /account/login/ like a person: the form's CSRF token, then the POST."""
    client = Client(state, username)
    client.cookies.clear()
    page = client.request("GET", "/account/login/", step="login")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1) if token else ""}
    answer = client.request("POST", "/account/login/", form=form, step="login")
    checks.report(
        answer.status == 302 and "sessionid" in client.cookies,
        f"{username} signs in at /account/login/",
        f"HTTP {answer.status} → {answer.headers.get('location', '-')} ({page.ms + answer.ms:.0f} ms)",
    )
    return client


def transition(
    client: Client, article_id: str, name: str, comment: str = "", change_note: str = ""
) -> tuple[Response, str]:
    """Press a workflow button in the admin: POST to the one transition view, with the CSRF token.

    Returns the POST's response and the messages on the page it redirects to (what a person reads:
    "… is now withdrawn." or why it was refused).
    """
    path = f"/admin/articles/article/{article_id}/transition/{name}/"
    form = {"csrfmiddlewaretoken": client.cookies.get("csrftoken", ""), "comment": comment, "change_note": change_note}
    answer = client.request("POST", path, form=form, step=f"transition {name}")
    if answer.status != 302:
        return answer, ""
    page = client.request("GET", urllib.parse.urlsplit(answer.headers["location"]).path, step=f"transition {name}")
    said = re.findall(r'<li class="(?:success|error|warning|info)">(.*?)</li>', page.body, re.S)
    return answer, " ".join(unescape(re.sub(r"<[^>]+>", "", message)).strip() for message in said)


def pressed(checks: Checks, who: str, name: str, state: str, answer: Response, said: str) -> bool:
    return checks.report(
        answer.status == 302 and f"is now {state}" in said,
        f"the {who} presses “{name}” in the admin",
        f"HTTP {answer.status} in {answer.ms:.0f} ms; the page says: {said or '(nothing)'}",
    )


def reader(state: Path, *, base: str = VARNISH, cookies: dict | None = None) -> Client:
    client = Client(state, "reader")
    client.cookies = dict(cookies or {})
    return client


def step_reader_cache(state: Path, checks: Checks) -> None:
    anonymous = reader(state)
    first = anonymous.request("GET", ARTICLE, step="reader-cache")
    second = anonymous.request("GET", ARTICLE, step="reader-cache")
    checks.report(
        (first.status, first.cache, second.status, second.cache) == (200, "MISS", 200, "HIT"),
        "reader GET is a MISS, then a HIT",
        f"{first.status} {first.cache} in {first.ms:.0f} ms, then {second.status} {second.cache} in {second.ms:.1f} ms"
        f" (Cache-Control: {second.headers.get('cache-control', '-')})",
    )
    patient = reader(state, cookies={"audience": "patient", "_ga": "GA1.2.3"})
    third = patient.request("GET", ARTICLE, step="reader-cache")
    fourth = reader(state, cookies={"audience": "patient", "_pk_id": "x"}).request("GET", ARTICLE, step="reader-cache")
    checks.report(
        (third.cache, fourth.cache) == ("MISS", "HIT"),
        "the audience cookie selects its own cached copy; other cookies are ignored",
        f"patient: {third.cache} then {fourth.cache}",
    )


def step_login(state: Path, checks: Checks, *usernames: str) -> None:
    for username in usernames:
        login(state, checks, username)


def step_signed_in(state: Path, checks: Checks) -> None:
    client = Client(state, "editor")
    answers = [client.request("GET", ARTICLE, step="signed-in") for _ in range(3)]
    checks.report(
        all(answer.status == 200 and answer.cache != "HIT" for answer in answers),
        "a signed-in GET is never a HIT",
        ", ".join(f"{answer.status} {answer.cache}" for answer in answers)
        + f" (Cache-Control: {answers[-1].headers.get('cache-control', '-')})",
    )


def step_approve(state: Path, checks: Checks, article_id: str, headline: str) -> None:
    client = Client(state, "reviewer")
    anonymous = reader(state)
    # The revision's submission purged the page (it now says an update is under review): fetch it once.
    fetched, before = (anonymous.request("GET", ARTICLE, step="approve") for _ in range(2))
    checks.report(
        before.cache == "HIT" and headline not in unescape(before.body),
        "before the approval readers get version 1, from the cache",
        f"{fetched.status} {fetched.cache}, then {before.status} {before.cache}",
    )
    started = time.monotonic()
    if not pressed(
        checks,
        "reviewer",
        "approve",
        "approved",
        *transition(client, article_id, "approve", change_note="New headline."),
    ):
        return
    _, seconds, ok = poll(
        lambda: anonymous.request("GET", ARTICLE, step="approve"), lambda r: headline in unescape(r.body), timeout=5
    )
    checks.report(
        ok, "readers through Varnish get version 2 within 5 s", f"{time.monotonic() - started:.2f} s after the POST"
    )
    again = anonymous.request("GET", ARTICLE, step="approve")
    checks.report(again.cache == "HIT", "version 2 is cached again", f"{again.status} {again.cache}")


def step_mail(state: Path, checks: Checks, mail_dir: str, worker_log: str) -> None:
    def approval_mails():
        found = []
        for path in Path(mail_dir).glob("*.log"):
            text = path.read_text(errors="replace")
            if "Approved and published" in text and "Version 2 is now live" in text:
                found.append(path.name)
        return found

    started = time.monotonic()
    found, seconds, ok = poll(approval_mails, bool, timeout=15, every=0.25)
    sent = r"deliver_notification\[[^\]]+\] succeeded in [0-9.]+s: 'sent'"
    delivered = re.findall(sent, Path(worker_log).read_text())
    checks.report(
        ok and bool(delivered),
        "the approval e-mail is in the mail folder, sent by the notifications worker",
        f"{', '.join(found) or 'none'} after {time.monotonic() - started:.2f} s; worker log: {len(delivered)} sent",
    )


def step_status(state: Path, checks: Checks, article_id: str, name: str, to: str, status: str, within: str) -> None:
    """The editor presses ``name``; readers through Varnish get ``status`` within ``within`` seconds."""
    client = Client(state, "editor")
    anonymous = reader(state)
    anonymous.request("GET", ARTICLE, step=name)  # stored before the change
    started = time.monotonic()
    pressed(checks, "editor", name, to, *transition(client, article_id, name, comment=f"Stack test: {name}."))
    response, _, ok = poll(
        lambda: anonymous.request("GET", ARTICLE, step=name), lambda r: r.status == int(status), timeout=float(within)
    )
    checks.report(
        ok,
        f"readers through Varnish get {status} within {within} s",
        f"{response.status} {response.cache}, {time.monotonic() - started:.2f} s after the POST",
    )


def step_readers_ok(state: Path, checks: Checks, label: str) -> None:
    """The article (cached) and a first fetch of other pages and audiences all answer 200."""
    results = [reader(state).request("GET", ARTICLE, step=label)]
    salt = str(int(time.time() * 1000))
    for audience in ("professional", "student"):
        results.append(reader(state, cookies={"audience": audience}).request("GET", ARTICLE, step=label))
    for page in READER_PAGES:
        results.append(reader(state).request("GET", f"{page}?stack={salt}", step=label))
    summary = ", ".join(f"{r.status} {r.cache}" for r in results)
    slowest = max(r.ms for r in results)
    checks.report(
        all(r.status == 200 for r in results),
        f"readers get 200 ({label})",
        f"{len(results)} requests, {sum(r.cache == 'MISS' for r in results)} from the app; slowest {slowest:.0f} ms: "
        f"{summary}",
    )


def step_transition_only(state: Path, checks: Checks, article_id: str, name: str, to: str) -> None:
    client = Client(state, "editor")
    pressed(checks, "editor", name, to, *transition(client, article_id, name, comment=f"Stack test: {name}."))


def step_wait_status(state: Path, checks: Checks, status: str, within: str, label: str) -> None:
    anonymous = reader(state)
    response, seconds, ok = poll(
        lambda: anonymous.request("GET", ARTICLE, step=label),
        lambda r: r.status == int(status),
        timeout=float(within),
        every=0.5,
    )
    checks.report(ok, label, f"{response.status} {response.cache} after {seconds:.1f} s")


def step_soft_purge(state: Path, checks: Checks, article_id: str) -> None:
    """Make the cached article stale, as an approval elsewhere would, before the app goes away."""
    anonymous = reader(state)
    cached = anonymous.request("GET", ARTICLE, step="stale")
    purge = Client(state, "purger").request("PURGE", "/", headers={"xkey-purge": f"article-{article_id}"}, step="stale")
    checks.report(
        cached.status == 200 and purge.status == 200 and purge.headers.get("x-purged", "0") != "0",
        "the article is cached, then soft-purged (expired, kept in grace)",
        f"{cached.status} {cached.cache}; PURGE → {purge.status}, {purge.headers.get('x-purged')} objects",
    )


def step_stale(state: Path, checks: Checks, headline: str) -> None:
    anonymous = reader(state)
    results = [anonymous.request("GET", ARTICLE, step="stale")]
    time.sleep(3.5)  # the probes have marked both nodes sick by now
    results.append(anonymous.request("GET", ARTICLE, step="stale"))
    checks.report(
        all(r.status == 200 and headline in unescape(r.body) for r in results),
        "with every web node stopped, Varnish serves the approved page stale",
        ", ".join(f"{r.status} {r.cache} (Age {r.headers.get('age', '-')} s, {r.ms:.0f} ms)" for r in results),
    )
    never = anonymous.request("GET", f"/search/?q=stack{int(time.time())}", step="stale")
    print(f"         (a page never cached answers {never.status}: there is nothing stale to serve)")


def step_no_cookies_from_cache(state: Path, checks: Checks) -> None:
    records = [json.loads(line) for line in (state / "responses.jsonl").read_text().splitlines()]
    hits = [r for r in records if r["x_cache"] == "HIT"]
    with_cookie = [r for r in hits if r["set_cookie"]]
    signed_in_hits = [r for r in hits if r["who"] in ("editor", "reviewer") and r["method"] == "GET"]
    checks.report(
        bool(hits) and not with_cookie,
        "no response from the cache carried Set-Cookie",
        f"{len(hits)} HITs of {len(records)} responses, {len(with_cookie)} with Set-Cookie",
    )
    checks.report(not signed_in_hits, "no signed-in request was ever a HIT", f"{len(signed_in_hits)} signed-in HITs")


STEPS = {
    "reader-cache": step_reader_cache,
    "login": step_login,
    "signed-in": step_signed_in,
    "approve": step_approve,
    "mail": step_mail,
    "status": step_status,
    "readers-ok": step_readers_ok,
    "transition": step_transition_only,
    "wait-status": step_wait_status,
    "soft-purge": step_soft_purge,
    "stale": step_stale,
    "no-cookies-from-cache": step_no_cookies_from_cache,
}


def main(argv: list[str]) -> int:
    state, step, *args = argv
    checks = Checks()
    try:
        STEPS[step](Path(state), checks, *args)
    except (OSError, http.client.HTTPException) as error:
        checks.report(False, step, f"{type(error).__name__}: {error}")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
