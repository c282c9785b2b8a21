#!/usr/bin/env bash
# make stack-test: run Vetted the way a publisher deploys it, on loopback, and prove it over HTTP.
#
# From the runtime-only virtualenv (.venv-runtime, requirements.txt alone): a scratch PostgreSQL
# database, a Redis of its own, two gunicorn nodes on production settings, Varnish in front of
# both (deploy/varnish/vetted.vcl), a worker per queue and one beat, mail to files. Then, through
# HTTP only (scripts/stack/check.py): caching, purges after an approval and a withdrawal, the
# approval's e-mail, a node killed, Redis stopped, the whole app stopped. Every process is stopped
# by its PID when the script ends, however it ends, and the database is dropped.
#
# Prints each check with its timings; exits 1 if any failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
STACK=$ROOT/var/stack
VENV=$ROOT/.venv-runtime
DB=vetted_stack
REDIS_PORT=6391
NODES=(6101 6102)
VARNISH_PORT=6180
VARNISH_ADMIN_PORT=6181
VARNISH=http://127.0.0.1:$VARNISH_PORT
SLUG=what-is-the-treatment-for-muscle-jerking
HEADLINE="Stack test headline $(date +%s)"
# shellcheck source=scripts/stack/lib.sh
. scripts/stack/lib.sh

FAILED=0
check() { "$VENV/bin/python" scripts/stack/check.py "$STACK" "$@" || FAILED=$((FAILED + 1)); }
report() { # report STATUS NAME DETAIL: a check made here (in PostgreSQL or Varnish) rather than over HTTP
  if [ "$1" = 0 ]; then echo "  [PASS] $2: $3"; else
    echo "  [FAIL] $2: $3"
    FAILED=$((FAILED + 1))
  fi
}
sql() { $PG -d $DB -tAc "$1"; }
node_health() { varnishadm -n "$STACK/varnish" backend.list 2>/dev/null | awk -v n="$1" '$1 ~ "\\."n"$" {print $4}'; }

ensure_tools
ensure_runtime_venv
for program in gunicorn celery; do
  [ -x "$VENV/bin/$program" ] || die "requirements.txt does not install $program"
done
ports_free $REDIS_PORT "${NODES[@]}" $VARNISH_PORT $VARNISH_ADMIN_PORT
trap stack_cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$STACK"
mkdir -p "$STACK/mail" "$STACK/logs"
export DJANGO_SETTINGS_MODULE=config.settings.production
export SECRET_KEY="stack-$(head -c 24 /dev/urandom | base64)"
export ALLOWED_HOSTS=127.0.0.1,localhost
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB
export REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
export EMAIL_URL=filemail://
export EMAIL_FILE_PATH=$STACK/mail
export SITE_URL=$VARNISH
export VETTED_VARNISH_URLS=$VARNISH/
export VETTED_PURGE_SWEEP_SECONDS=5
export VETTED_TRUSTED_PROXY_HEADER=X-Forwarded-For
export STACK_VARNISH=$VARNISH
export PYTHONUNBUFFERED=1

log "scratch database $DB; Redis on 127.0.0.1:$REDIS_PORT"
scratch_database
start_redis $REDIS_PORT
log "migrate, collectstatic, load_demo (with development settings: it refuses with DEBUG off)"
load_site

log "gunicorn on ${NODES[*]}, Varnish on $VARNISH_PORT, a worker per queue, one beat"
for port in "${NODES[@]}"; do start_gunicorn "$port"; done
start_varnish $VARNISH_PORT $VARNISH_ADMIN_PORT "$ROOT/deploy/varnish/vetted.vcl" "${NODES[@]}"
"$VENV/bin/celery" --app config worker --queues notifications --hostname notifications@stack --concurrency 2 \
  --loglevel INFO >"$STACK/logs/worker-notifications.log" 2>&1 &
PIDS+=("$!")
"$VENV/bin/celery" --app config worker --queues scans --hostname scans@stack --concurrency 1 \
  --loglevel INFO >"$STACK/logs/worker-scans.log" 2>&1 &
PIDS+=("$!")
"$VENV/bin/celery" --app config beat --schedule "$STACK/celerybeat-schedule" --loglevel INFO \
  >"$STACK/logs/beat.log" 2>&1 &
PIDS+=("$!")
for port in "${NODES[@]}"; do wait_http "http://127.0.0.1:$port/robots.txt"; done
wait_http "$VARNISH/robots.txt"
for _ in $(seq 1 150); do
  grep -q "ready" "$STACK/logs/worker-notifications.log" && break
  sleep 0.2
done
ARTICLE_ID=$(sql "SELECT id FROM articles_article WHERE slug = '$SLUG'")
log "stack up; the demo article is $ARTICLE_ID"

log "1. the shared cache"
check reader-cache

log "2. signed in"
check login editor reviewer
check signed-in

log "3. an approval over HTTP reaches readers through the cache"
if ! STACK_HEADLINE=$HEADLINE "$VENV/bin/python" manage.py shell <scripts/stack/prepare_revision.py \
  >"$STACK/logs/prepare.log" 2>&1; then
  tail -n 20 "$STACK/logs/prepare.log" >&2
  exit 1
fi
log "   (revision prepared with manage.py: revise, new headline, declare, submit, start review, declare, carry over)"
check approve "$ARTICLE_ID" "$HEADLINE"
check mail "$STACK/mail" "$STACK/logs/worker-notifications.log"

log "4. withdrawal and reinstatement"
check status "$ARTICLE_ID" withdraw withdrawn 410 5
check status "$ARTICLE_ID" reinstate approved 200 20

log "5. one web node killed (SIGKILL to gunicorn's master and workers)"
kill_node "$NODE_6101"
check readers-ok "node 6101 just killed"
started=$(date +%s%N)
for _ in $(seq 1 100); do
  [ "$(node_health node1)" = sick ] && break
  sleep 0.1
done
report "$([ "$(node_health node1)" = sick ]; echo $?)" "Varnish's probe takes node 6101 out" \
  "$(node_health node1) after $((($(date +%s%N) - started) / 1000000)) ms; node 6102 $(node_health node2)"
check readers-ok "one node left"

log "6. Redis stopped"
stop_pid "$REDIS_PID"
check readers-ok "Redis down"
check transition "$ARTICLE_ID" withdraw withdrawn
state=$(sql "SELECT state FROM articles_article WHERE id = $ARTICLE_ID")
unsent=$(sql "SELECT count(*) FROM editorial_purgerequest WHERE sent_at IS NULL AND ' ' || keys || ' ' LIKE '% article-$ARTICLE_ID %'")
report "$([ "$state" = withdrawn ] && [ "$unsent" -ge 1 ]; echo $?)" \
  "the withdrawal committed in PostgreSQL while Redis was down" "state $state; unsent purges for the article: $unsent"
start_redis $REDIS_PORT
log "   Redis started again: the sweep (every ${VETTED_PURGE_SWEEP_SECONDS} s, rows older than 30 s) sends the purge"
check wait-status 410 90 "the purge held back while Redis was down reaches Varnish: readers get 410"
waiting=$(sql "SELECT count(*) FROM editorial_purgerequest WHERE sent_at IS NULL")
report "$([ "$waiting" = 0 ]; echo $?)" "every purge in the outbox is sent" "$waiting unsent"
check status "$ARTICLE_ID" reinstate approved 200 20

log "7. every web node stopped"
check soft-purge "$ARTICLE_ID"
kill_node "$NODE_6102"
check stale "$HEADLINE"

log "8. over the whole run"
check no-cookies-from-cache

log "done: $FAILED failed"
[ "$FAILED" -eq 0 ]
