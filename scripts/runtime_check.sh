#!/usr/bin/env bash
# make runtime-check: does requirements.txt alone run Vetted's production processes?
#
# A fresh virtualenv (.venv-runtime) gets requirements.txt and nothing else, hash-checked as in
# production. From it, on a scratch PostgreSQL database and Redis db 14: migrate, collectstatic,
# demo data, then every process of Procfile.production (gunicorn, a worker per queue, beat) with
# production settings and mail written to files. Proved over HTTP and the database: /healthz and a
# reader page answer 200, a notice queued by `manage.py transition` goes through Redis to a worker
# and ends "sent", and beat's start-up scan reaches the scans worker and its reminders go out.
# Every process is stopped by its PID when the script ends, however it ends; the database is dropped.
#
# Prints each check with its time; exits 1 at the first failure, with the logs that explain it.
#
#   RUNTIME_CHECK_REQUIREMENTS  the requirements file (default requirements.txt)
#   RUNTIME_CHECK_VENV          the virtualenv to build afresh (default .venv-runtime)
#   RUNTIME_CHECK_PIP_ARGS      more arguments for pip install, e.g. --no-deps
#   RUNTIME_CHECK_REDIS_URL     a Redis database this script may empty (default redis://127.0.0.1:6379/14)
#   RUNTIME_CHECK_TIMEOUT       seconds to wait for each thing to happen (default 90)
set -euo pipefail
ROOT=$(realpath "$(dirname "$0")/..")
REQUIREMENTS=$(realpath "${RUNTIME_CHECK_REQUIREMENTS:-$ROOT/requirements.txt}")
VENV=$(realpath -m "${RUNTIME_CHECK_VENV:-$ROOT/.venv-runtime}")
cd "$ROOT"
read -r -a PIP_ARGS <<<"${RUNTIME_CHECK_PIP_ARGS:-}"
REDIS_URL=${RUNTIME_CHECK_REDIS_URL:-redis://127.0.0.1:6379/14}
TIMEOUT=${RUNTIME_CHECK_TIMEOUT:-90}
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
DB=vetted_runtime_check_$$
PG=(psql -q -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres)
STATE=$(mktemp -d "${TMPDIR:-/tmp}/vetted-runtime-check.XXXXXX")
PORT=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
WEB=http://127.0.0.1:$PORT
ARTICLE=/articles/what-is-the-treatment-for-muscle-jerking/
T0=$(date +%s%N)
declare -A PIDS=()
DB_CREATED=

log() { # log MESSAGE: prefixed with the seconds since the start
  local ms=$((($(date +%s%N) - T0) / 1000000))
  printf '%4d.%ds  %s\n' $((ms / 1000)) $((ms % 1000 / 100)) "$*"
}
pass() { log "PASS  $*"; }
fail() { # fail WHAT [LOG…]: say what failed, show the end of each log named, stop
  log "FAIL  $1"
  shift
  for file in "$@"; do
    [ -f "$file" ] || continue
    echo "----- last lines of $file"
    grep -v '^WARNING: ' "$file" | tail -n 40
  done
  exit 1
}
wait_for() { # wait_for DESCRIPTION COMMAND…: retry COMMAND until it succeeds or TIMEOUT passes
  local description=$1 deadline=$(($(date +%s) + TIMEOUT))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    for name in "${!PIDS[@]}"; do
      kill -0 "${PIDS[$name]}" 2>/dev/null || fail "$name exited while waiting for $description" "$STATE/$name.log"
    done
    sleep 0.5
  done
}

stop_all() {
  local status=$? name pid
  trap - EXIT INT TERM
  for name in "${!PIDS[@]}"; do
    kill -TERM "${PIDS[$name]}" 2>/dev/null || true
  done
  for name in "${!PIDS[@]}"; do
    pid=${PIDS[$name]}
    for _ in $(seq 1 80); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "stop  $name (pid $pid) ignored SIGTERM for 40 s: SIGKILL to its process group"
      kill -KILL -- "-$pid" 2>/dev/null || true
      status=1
    fi
    wait "$pid" 2>/dev/null && code=0 || code=$?
    # Children a dying master left behind (it runs in a process group of its own).
    kill -KILL -- "-$pid" 2>/dev/null || true
    log "stop  $name (pid $pid): exit $code"
  done
  if [ -n "$DB_CREATED" ]; then
    "${PG[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 &&
      log "dropped database $DB" || { log "could not drop database $DB"; status=1; }
  fi
  redis_empty >/dev/null 2>&1 || true
  if [ "$status" = 0 ]; then
    rm -rf "$STATE"
    log "runtime check passed"
  else
    log "runtime check FAILED (logs kept in $STATE)"
  fi
  exit "$status"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

redis_empty() { # empty the check's Redis database (the broker's queues of an earlier run)
  local rest=${REDIS_URL#redis://} db=0
  [[ $rest == */* ]] && db=${rest##*/}
  rest=${rest%%/*}
  redis-cli -h "${rest%:*}" -p "${rest##*:}" -n "${db:-0}" flushdb
}

for tool in psql redis-cli curl setsid realpath; do
  command -v "$tool" >/dev/null || fail "$tool is missing"
done
log "requirements: $REQUIREMENTS"
log "virtualenv:   $VENV (fresh)"
log "database:     $DB on 127.0.0.1:5432; broker and cache: $REDIS_URL; web: $WEB"

# --- 1. A virtualenv holding requirements.txt alone --------------------------------------------
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
# Hash-checked, as every install of Vetted is: a package or dependency not pinned with its hashes
# in the file stops the install.
"$VENV/bin/pip" install --quiet --disable-pip-version-check --require-hashes "${PIP_ARGS[@]}" -r "$REQUIREMENTS" \
  >"$STATE/pip.log" 2>&1 || fail "pip install --require-hashes -r $REQUIREMENTS" "$STATE/pip.log"
pass "installed $(grep -c '==' <("$VENV/bin/pip" freeze --all --exclude-editable)) packages from $(basename "$REQUIREMENTS") alone into a new virtualenv"

# Only the runtime virtualenv and the system: never the development .venv that `make` puts on PATH.
export PATH="$VENV/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
unset PYTHONPATH VIRTUAL_ENV
export PYTHONNOUSERSITE=1 PYTHONUNBUFFERED=1
for program in python gunicorn celery; do
  [ "$(command -v "$program")" = "$VENV/bin/$program" ] || fail "$program is not installed by $(basename "$REQUIREMENTS")"
done

# --- 2. Scratch services ---------------------------------------------------------------------
"${PG[@]}" -d postgres -c "CREATE DATABASE $DB" >"$STATE/psql.log" 2>&1 || fail "create database $DB" "$STATE/psql.log"
DB_CREATED=1
redis_empty >"$STATE/redis.log" 2>&1 || fail "empty $REDIS_URL" "$STATE/redis.log"
pass "scratch database $DB created; $REDIS_URL emptied"

export DJANGO_SETTINGS_MODULE=config.settings.production
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB
export REDIS_URL
SECRET_KEY=runtime-check-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
export SECRET_KEY ALLOWED_HOSTS=127.0.0.1,localhost SECURE_SSL_REDIRECT=false
export EMAIL_URL=filemail:// EMAIL_FILE_PATH=$STATE/mail
export GUNICORN_BIND=127.0.0.1:$PORT WEB_CONCURRENCY=2 SITE_URL=$WEB
sql() { "${PG[@]}" -d "$DB" -At -c "$1"; }

# --- 3. Release steps: migrate, static files, demo data ----------------------------------------
python manage.py migrate --noinput >"$STATE/migrate.log" 2>&1 || fail "manage.py migrate" "$STATE/migrate.log"
pass "migrate (production settings): $(sql "SELECT count(*) FROM django_migrations") migrations applied"
python manage.py collectstatic --noinput >"$STATE/collectstatic.log" 2>&1 ||
  fail "manage.py collectstatic" "$STATE/collectstatic.log"
pass "collectstatic: $(tail -n 1 "$STATE/collectstatic.log")"
# load_demo refuses to run with DEBUG off (its password is published): the development settings,
# on the same database, from the same virtualenv. Its notices wait in Redis for the workers.
DJANGO_SETTINGS_MODULE=config.settings.dev python manage.py load_demo >"$STATE/load_demo.log" 2>&1 ||
  fail "manage.py load_demo (development settings, same database)" "$STATE/load_demo.log"
pass "load_demo: $(sql "SELECT count(*) FROM articles_article") articles, $(sql "SELECT count(*) FROM editorial_notification") notices queued"

# --- 4. The production processes, as Procfile.production starts them ---------------------------
while IFS= read -r line; do
  [[ $line =~ ^([A-Za-z0-9_-]+):[[:space:]]*(.+)$ ]] || continue
  name=${BASH_REMATCH[1]}
  # A process group of its own per process (gunicorn's and Celery's children with it); `exec env`
  # keeps the PID the process's own, for the trap to stop.
  setsid bash -c "exec env ${BASH_REMATCH[2]}" >"$STATE/$name.log" 2>&1 </dev/null &
  PIDS[$name]=$!
  log "start $name (pid ${PIDS[$name]}): ${BASH_REMATCH[2]}"
done <Procfile.production
for name in web worker-notifications worker-scans beat; do
  [ -n "${PIDS[$name]:-}" ] || fail "Procfile.production has no $name process"
done

# --- 5. Proof over HTTP ----------------------------------------------------------------------
wait_for "gunicorn to answer" curl -sf "$WEB/healthz" || fail "GET /healthz answered nothing within ${TIMEOUT}s" "$STATE/web.log"
health=$(curl -s -w ' %{http_code} %{time_total}s' "$WEB/healthz")
[[ $health == *'"status": "ok"'*'"vendor": "postgresql"'*'"mode": "redis"'*' 200 '* ]] ||
  fail "GET /healthz: $health" "$STATE/web.log"
pass "GET /healthz: $health"
page=$(curl -s -o "$STATE/article.html" -w '%{http_code} %{time_total}s' "$WEB$ARTICLE")
[[ $page == 200* ]] && grep -q "What is the treatment for muscle jerking?" "$STATE/article.html" ||
  fail "GET $ARTICLE: $page" "$STATE/web.log"
pass "GET $ARTICLE: $page, the article's question on the page"
stylesheet=$(grep -o 'href="/static/[^"]*\.css"' "$STATE/article.html" | head -n 1 | cut -d'"' -f2 || true)
css=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$WEB$stylesheet")
[[ -n $stylesheet && $css == 200* ]] || fail "GET ${stylesheet:-a stylesheet of the page}: $css" "$STATE/web.log"
pass "GET $stylesheet (whitenoise, collected with a hashed name): $css"

# --- 6. Beat started and its start-up scan reached the scans worker ----------------------------
wait_for "beat to start" grep -q "beat: Starting" "$STATE/beat.log" || fail "beat did not start" "$STATE/beat.log"
pass "beat started (one instance): $(grep -m 1 -o 'beat: Starting.*' "$STATE/beat.log")"
wait_for "the scan" grep -q "Task editorial.tasks.scan_reminders\[.*\] succeeded" "$STATE/worker-scans.log" ||
  fail "beat's start-up scan never ran on the scans worker" "$STATE/beat.log" "$STATE/worker-scans.log"
pass "worker-scans ran beat's scan: $(grep -m 1 -o 'succeeded in .*' "$STATE/worker-scans.log")"
reminders="kind IN ('overdue', 'overdue_escalated', 'unassigned', 'digest')"
scan_done() { [ "$(sql "SELECT count(*) FROM editorial_notification WHERE $reminders AND status NOT IN ('sent', 'cancelled')")" = 0 ]; }
[ "$(sql "SELECT count(*) FROM editorial_notification WHERE $reminders")" -gt 0 ] ||
  fail "the scan wrote no reminder for the demo's overdue review and waiting submission" "$STATE/worker-scans.log"
wait_for "the scan's reminders to be sent" scan_done ||
  fail "reminders not sent: $(sql "SELECT string_agg(kind || '=' || status, ', ') FROM editorial_notification WHERE $reminders")" \
    "$STATE/worker-notifications.log"
pass "the scan's reminders sent by worker-notifications: $(sql "SELECT string_agg(kind || ' ' || status, ', ' ORDER BY id) FROM editorial_notification WHERE $reminders")"

# --- 7. A notice queued by a transition goes through Redis to a worker ------------------------
slug=$(sql "SELECT slug FROM articles_article WHERE state = 'under_review' ORDER BY id LIMIT 1")
[ -n "$slug" ] || fail "load_demo made no article under review"
python manage.py transition "$slug" request_changes --as reviewer --comment "Cite the 2019 guideline." \
  >"$STATE/transition.log" 2>&1 || fail "manage.py transition $slug request_changes" "$STATE/transition.log"
pass "manage.py transition $slug request_changes --as reviewer: $(tail -n 1 "$STATE/transition.log")"
article="article_id = (SELECT id FROM articles_article WHERE slug = '$slug')"
notice="kind = 'changes_requested' AND $article"
notice_sent() { [ "$(sql "SELECT count(*) > 0 AND bool_and(status = 'sent') FROM editorial_notification WHERE $notice")" = t ]; }
wait_for "the notice to be sent" notice_sent ||
  fail "the changes-requested notice is $(sql "SELECT string_agg(status || ' ' || last_error, ', ') FROM editorial_notification WHERE $notice")" \
    "$STATE/worker-notifications.log"
grep -q "Task editorial.tasks.deliver_notification\[.*\] received" "$STATE/worker-notifications.log" ||
  fail "worker-notifications never received a delivery from Redis" "$STATE/worker-notifications.log"
title=$(sql "SELECT title FROM articles_article WHERE slug = '$slug'")
mail=$(grep -l -F "Subject: Changes requested: $title" "$STATE"/mail/* 2>/dev/null | head -n 1 || true)
[ -n "$mail" ] || fail "no e-mail 'Changes requested: $title' in $STATE/mail" "$STATE/worker-notifications.log"
pass "the changes-requested notice went through Redis to worker-notifications: sent, $(grep -m 1 '^To:' "$mail")"
all_delivered() { [ "$(sql "SELECT count(*) FROM editorial_notification WHERE status IN ('pending', 'sending', 'failed')")" = 0 ]; }
wait_for "every notice to be delivered" all_delivered ||
  fail "notices left: $(sql "SELECT string_agg(kind || ' ' || status, ', ') FROM editorial_notification WHERE status IN ('pending', 'sending', 'failed')")" \
    "$STATE/worker-notifications.log"
pass "every notice delivered: $(sql "SELECT string_agg(status || ' ' || n, ', ') FROM (SELECT status, count(*) AS n FROM editorial_notification GROUP BY status) AS s"); $(find "$STATE/mail" -type f | wc -l) mail files"

for name in "${!PIDS[@]}"; do
  kill -0 "${PIDS[$name]}" 2>/dev/null || fail "$name exited during the check" "$STATE/$name.log"
done
pass "all ${#PIDS[@]} processes still running: ${!PIDS[*]}"
