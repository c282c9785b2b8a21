# Varnish 7 in front of Vetted's web nodes: reader pages cached for a day, purged by surrogate key.
#
# The app says what may be cached (Cache-Control: public, s-maxage=…, and an `xkey` header of
# surrogate keys such as `article-12 listings`); editorial.purges sends PURGE with an
# `xkey-purge` header when an approval, withdrawal or correction changes what readers see.
#
# backends.vcl is generated per deployment by deploy/varnish/backends.sh: the web nodes, their
# health probe and the round-robin director `app`. Put its folder first on vcl_path.

vcl 4.1;

import cookie;
import directors;
import std;
import xkey;

include "backends.vcl";

# Who may purge: the machine itself (the Celery workers run beside Varnish).
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Purging is allowed from this machine only"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "Name the surrogate keys in an xkey-purge header"));
        }
        # Soft purge: the objects expire now but stay in grace, so while every web node is down
        # readers still get the last approved page; while one is up they never do (req.grace below).
        set req.http.X-Purged = xkey.softpurge(req.http.xkey-purge);
        return (synth(200, "Purged"));
    }

    set req.backend_hint = app.backend();

    if (req.restarts == 0) {
        unset req.http.X-Vetted-Stale;
    }
    # A stale copy only when no web node can answer: a purged page (a withdrawal!) is never served
    # again while one can. X-Vetted-Stale is set by vcl_synth when the fetch failed on every node;
    # req.grace survives a restart, so it is lifted explicitly (the object's own grace still caps it).
    if (req.http.X-Vetted-Stale) {
        set req.grace = 365d;
    } elsif (std.healthy(req.backend_hint)) {
        set req.grace = 0s;
    }

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Signed-in work, the workspace, the admin and the health check are never cached.
    if (req.url ~ "^/(admin|write|account)/" || req.url ~ "^/healthz") {
        return (pass);
    }
    if (req.http.Authorization || req.http.Cookie ~ "(^|;\s*)(sessionid|csrftoken)=") {
        return (pass);
    }

    # Readers: keep the audience cookie (patients see plain-language text), drop the rest
    # (analytics and the like), and drop an audience value the site does not know, so junk
    # values cannot split the cache. vcl_hash keys the page on the audience.
    if (req.http.Cookie) {
        cookie.parse(req.http.Cookie);
        if (cookie.get("audience") ~ "^(patient|professional|student)$") {
            set req.http.Cookie = "audience=" + cookie.get("audience");
        } else {
            unset req.http.Cookie;
        }
    }
    return (hash);
}

sub vcl_hash {
    hash_data(req.url);
    if (req.http.Host) {
        hash_data(req.http.Host);
    } else {
        hash_data(server.ip);
    }
    # Set by the TLS terminator in front; an http:// request gets a redirect, never the page.
    hash_data(req.http.X-Forwarded-Proto);
    if (req.http.Cookie) {
        hash_data(regsub(req.http.Cookie, "^audience=", ""));
    }
    return (lookup);
}

sub vcl_backend_response {
    # A web node failing: try the other once, then give up on a cacheable fetch so the client
    # side can fall back to a stale copy (vcl_synth). A passed request gets the node's answer.
    if (beresp.status >= 500 && !bereq.uncacheable) {
        if (bereq.retries < 1 && !bereq.is_bgfetch) {
            return (retry);
        }
        return (abandon);
    }
    if (bereq.uncacheable) {
        return (deliver);
    }
    # Never store a response that sets a cookie. Hit-for-miss: a cacheable answer later is stored.
    if (beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # Missing and withdrawn articles: stored briefly, whatever the app says (only anonymous
    # requests get here, and these pages hold nothing personal), so a withdrawal's 410 replaces
    # the article's stored page (a stale copy served in an outage is the 410, never the article)
    # and a page approved or reinstated a moment later shows.
    # The app's own Cache-Control goes on to browsers unchanged.
    if (beresp.status == 404 || beresp.status == 410) {
        set beresp.ttl = 15s;
        set beresp.grace = 1h;
        return (deliver);
    }
    # Otherwise store only what the app marks shareable: nothing private, and nothing it says
    # nothing about.
    if (beresp.http.Cache-Control ~ "(?i)(private|no-store|no-cache)"
        || beresp.http.Vary == "*"
        || (!beresp.http.Cache-Control && !beresp.http.Expires)) {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # beresp.ttl already honours s-maxage (before max-age). Grace: stale-if-error, so a page
    # approved once can be served for that long while every web node is down.
    if (beresp.http.Cache-Control ~ "stale-if-error=[0-9]+") {
        set beresp.grace = std.duration(
            regsub(beresp.http.Cache-Control, "^.*stale-if-error=([0-9]+).*$", "\1s"), 10s);
    }
    return (deliver);
}

sub vcl_backend_error {
    if (bereq.retries < 1 && !bereq.is_bgfetch && (bereq.method == "GET" || bereq.method == "HEAD")) {
        return (retry);
    }
    if (!bereq.uncacheable) {
        return (abandon);
    }
    set beresp.http.Content-Type = "text/plain; charset=utf-8";
    set beresp.http.Retry-After = "5";
    set beresp.body = "Vetted is unavailable for a moment. Please try again shortly.";
    return (deliver);
}

sub vcl_synth {
    if (req.method == "PURGE") {
        set resp.http.Content-Type = "text/plain; charset=utf-8";
        if (resp.status == 200) {
            set resp.http.X-Purged = req.http.X-Purged;
            set resp.body = "Purged " + req.http.X-Purged + " objects" + {"
"};
        } else {
            set resp.body = resp.reason + {"
"};
        }
        return (deliver);
    }
    # Every web node failed a cacheable fetch (abandoned above): look again, accepting a stale copy.
    if (resp.status == 503 && req.restarts == 0 && (req.method == "GET" || req.method == "HEAD")) {
        set req.http.X-Vetted-Stale = "1";
        return (restart);
    }
    set resp.http.Content-Type = "text/plain; charset=utf-8";
    set resp.http.Retry-After = "5";
    set resp.body = "Vetted is unavailable for a moment. Please try again shortly." + {"
"};
    return (deliver);
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
        # Nothing stored carries a cookie; this makes sure none is ever handed out from the cache.
        unset resp.http.Set-Cookie;
    } else {
        set resp.http.X-Cache = "MISS";
    }
    # Surrogate keys are for Varnish alone.
    unset resp.http.xkey;
    unset resp.http.X-Vetted-Stale;
}
