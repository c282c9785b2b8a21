#!/usr/bin/env bash
# make bench, HTTP figures: what the article page costs served by gunicorn and by Varnish.
#
# Starts, on loopback: a scratch PostgreSQL database with the demo, a Redis of its own (the cache),
# gunicorn with config/gunicorn.conf.py (2 sync workers, production settings plus the bench's floor
# view: benchmarks.http_settings), Varnish with deploy/varnish/vetted.vcl in front of it
# (benchmarks/varnish/bench.vcl adds a static copy of the page), and `python -m http.server`
# holding that copy. Workers are not recycled during the runs (GUNICORN_MAX_REQUESTS=0). Then wrk, BENCH_SECONDS (10) per run, at 8 and 32 connections, on:
#   - /bench-floor/: a Django view returning the article's bytes, nothing else (the floor);
#   - the article page from gunicorn, and the same article from the read API (JSON, /api/v1/articles/<slug>);
#   - the article page through Varnish, and the static copy through Varnish.
# Prints req/s, p50 and p99 and the ratios, with the date and the machine. Asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
STACK=$ROOT/var/bench
VENV=${BENCH_VENV:-$ROOT/.venv}
DB=vetted_bench
REDIS_PORT=6392
WEB=8101
STATIC=8103 # fixed in benchmarks/varnish/bench.vcl
VARNISH_PORT=8180
VARNISH_ADMIN_PORT=8181
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
ARTICLE=/articles/what-is-the-treatment-for-muscle-jerking/
API_ARTICLE=/api/v1/articles/what-is-the-treatment-for-muscle-jerking
NEED_WRK=1
# shellcheck source=scripts/stack/lib.sh
. scripts/stack/lib.sh

ensure_tools
[ -x "$VENV/bin/gunicorn" ] || die "$VENV has no gunicorn: make bench installs requirements-dev.txt first"
ports_free $REDIS_PORT $WEB $STATIC $VARNISH_PORT $VARNISH_ADMIN_PORT
trap stack_cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$STACK"
mkdir -p "$STACK/logs" "$STACK/static/bench-static" "$STACK/results"
export DJANGO_SETTINGS_MODULE=config.settings.production
export SECRET_KEY="bench-$(head -c 24 /dev/urandom | base64)"
export ALLOWED_HOSTS=127.0.0.1,localhost
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB
export REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
export EMAIL_URL=consolemail://
export VETTED_BENCH_FLOOR_FILE=$STACK/article.html
# Steady state: no worker recycling mid-run (production recycles each worker after ~1,000
# requests, which at these rates would restart one every few seconds and measure Django's start-up).
export GUNICORN_MAX_REQUESTS=0
# wrk is one client sending thousands of requests a second: the API's per-client limit would refuse it.
export VETTED_API_REQUESTS_PER_MINUTE=0

echo "== HTTP: gunicorn and Varnish on loopback"
log "scratch database $DB with the demo; Redis on $REDIS_PORT"
scratch_database >/dev/null
start_redis $REDIS_PORT
load_site

# The floor view serves the article's own bytes: fetch them once from a plain production node.
start_gunicorn $WEB
wait_http "http://127.0.0.1:$WEB/robots.txt"
curl -sf -H "X-Forwarded-Proto: https" "http://127.0.0.1:$WEB$ARTICLE" -o "$STACK/article.html"
cp "$STACK/article.html" "$STACK/static/bench-static/article.html"
stop_pid "$NODE_8101"

log "gunicorn on $WEB (2 sync workers, benchmarks.http_settings), Varnish on $VARNISH_PORT, static copy on $STATIC"
DJANGO_SETTINGS_MODULE=benchmarks.http_settings start_gunicorn $WEB
"$VENV/bin/python" -m http.server --bind 127.0.0.1 --directory "$STACK/static" $STATIC \
  >"$STACK/logs/static.log" 2>&1 &
PIDS+=("$!")
start_varnish $VARNISH_PORT $VARNISH_ADMIN_PORT "$ROOT/benchmarks/varnish/bench.vcl" $WEB
wait_http "http://127.0.0.1:$WEB/robots.txt"
wait_http "http://127.0.0.1:$VARNISH_PORT/robots.txt"
wait_http "http://127.0.0.1:$STATIC/bench-static/article.html"

declare -A URLS=(
  [floor]="http://127.0.0.1:$WEB/bench-floor/"
  [article]="http://127.0.0.1:$WEB$ARTICLE"
  [api-article]="http://127.0.0.1:$WEB$API_ARTICLE"
  [varnish-article]="http://127.0.0.1:$VARNISH_PORT$ARTICLE"
  [varnish-static]="http://127.0.0.1:$VARNISH_PORT/bench-static/article.html"
)
for target in floor article api-article varnish-article varnish-static; do
  for _ in 1 2 3; do # warm: the page cache in Redis, Varnish's copies
    curl -s -o /dev/null -H "X-Forwarded-Proto: https" "${URLS[$target]}"
  done
  printf '          %-16s %s\n' "$target" "$(curl -s -o /dev/null -H "X-Forwarded-Proto: https" \
    -w 'HTTP %{http_code}, %{size_download} bytes, %header{x-cache}' "${URLS[$target]}")"
done

for connections in 8 32; do
  for target in floor article api-article varnish-article varnish-static; do
    log "wrk: $target, $connections connections, ${SECONDS_PER_RUN} s"
    wrk --threads 2 --connections "$connections" --duration "${SECONDS_PER_RUN}s" --latency \
      --header "X-Forwarded-Proto: https" "${URLS[$target]}" >"$STACK/results/$target-c$connections.txt"
  done
done

echo
echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs));"
echo "wrk with 2 threads on the same machine, ${SECONDS_PER_RUN} s per run; $(varnishd -V 2>&1 | head -1 | cut -d' ' -f2 | tr -d '()');"
echo "gunicorn $("$VENV/bin/gunicorn" --version | awk '{print $NF}' | tr -d ')'), 2 sync workers (no recycling); PostgreSQL; cache on Redis."
echo
"$VENV/bin/python" benchmarks/wrk_table.py "$STACK/results"
