# make bench (benchmarks/http_bench.sh): deploy/varnish/vetted.vcl unchanged, plus a static copy
# of the article page under /bench-static/, served by `python -m http.server` on 127.0.0.1:8103
# and stored for a day: the cost of a Varnish hit with nothing of Vetted's behind it.

vcl 4.1;

backend static_copy {
    .host = "127.0.0.1";
    .port = "8103";
}

# These run before vetted.vcl's subroutines of the same name (VCL joins them in order).
sub vcl_recv {
    if (req.url ~ "^/bench-static/") {
        set req.backend_hint = static_copy;
        return (hash);
    }
}

sub vcl_backend_response {
    if (bereq.url ~ "^/bench-static/") {
        set beresp.ttl = 1d;
        return (deliver);
    }
}

include "vetted.vcl";
