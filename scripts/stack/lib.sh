# Shared by scripts/stack/stack_test.sh and benchmarks/http_bench.sh (sourced, not run).
#
# Starts the production processes on loopback and remembers each PID; `stack_cleanup`, which the
# caller traps on EXIT, stops every one of them by its PID and drops the scratch database.
# The caller sets ROOT, STACK (a work folder under var/), VENV and DB before starting anything.

PG="psql -q -X -h 127.0.0.1 -U postgres -d postgres"
PIDS=()
T0=$(date +%s%N)

log() { # log MESSAGE: with the seconds since the start
  local ms=$((($(date +%s%N) - T0) / 1000000))
  printf '%4d.%ds  %s\n' $((ms / 1000)) $((ms % 1000 / 100)) "$*"
}

die() {
  echo "$(basename "$0"): $*" >&2
  exit 2
}

ensure_tools() { # Varnish with vmod xkey (varnish-modules) and wrk come from Debian, installed if missing
  local packages=()
  command -v varnishd >/dev/null || packages+=(varnish)
  compgen -G "/usr/lib/*/varnish/vmods/libvmod_xkey.so" >/dev/null || packages+=(varnish-modules)
  [ "${NEED_WRK:-}" = 1 ] && ! command -v wrk >/dev/null && packages+=(wrk)
  if [ ${#packages[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
  fi
  for tool in redis-server redis-cli psql curl pgrep; do
    command -v "$tool" >/dev/null || die "$tool is missing"
  done
}

ensure_runtime_venv() { # .venv-runtime: requirements.txt and nothing else, rebuilt when it changes
  local stamp
  stamp=$(sha256sum "$ROOT/requirements.txt" | cut -d' ' -f1)
  if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.stack-requirements" 2>/dev/null)" != "$stamp" ]; then
    log "installing requirements.txt into $VENV"
    [ -x "$VENV/bin/python" ] || "${PYTHON:-$(command -v python3.11 || command -v python3)}" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check --require-hashes -r "$ROOT/requirements.txt"
    echo "$stamp" >"$VENV/.stack-requirements"
  fi
}

ports_free() { # ports_free PORT…: refuse to start over something already listening
  for port in "$@"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      die "127.0.0.1:$port is taken (another run still going?)"
    fi
  done
}

stop_pid() { # stop_pid PID: TERM, then KILL if it is still there after 10 s
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

kill_node() { # kill_node PID: SIGKILL to a gunicorn master and its workers, as a crash would
  local workers
  workers=$(pgrep -P "$1" || true)
  # shellcheck disable=SC2086
  kill -KILL $workers "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

stack_cleanup() {
  local status=$?
  set +e
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  $PG -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" 2>/dev/null
  exit "$status"
}

scratch_database() {
  $PG -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" 2>/dev/null
  $PG -c "CREATE DATABASE $DB"
}

start_redis() { # start_redis PORT: a Redis of our own (no persistence), its PID in REDIS_PID
  redis-server --port "$1" --bind 127.0.0.1 --save "" --appendonly no --daemonize no --dir "$STACK" \
    >>"$STACK/logs/redis.log" 2>&1 &
  REDIS_PID=$!
  PIDS+=("$REDIS_PID")
  for _ in $(seq 1 50); do
    redis-cli -p "$1" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "Redis did not start on $1"
}

load_site() { # migrate, collect static files, load the demo (development settings: DEBUG must be on)
  "$VENV/bin/python" manage.py migrate --noinput >"$STACK/logs/migrate.log" 2>&1
  "$VENV/bin/python" manage.py collectstatic --noinput >"$STACK/logs/collectstatic.log" 2>&1
  DJANGO_SETTINGS_MODULE=config.settings.dev "$VENV/bin/python" manage.py load_demo \
    >"$STACK/logs/load_demo.log" 2>&1
}

start_gunicorn() { # start_gunicorn PORT [ARGS…]: config/gunicorn.conf.py, two sync workers; PID in NODE_<PORT>
  local port=$1
  shift
  "$VENV/bin/gunicorn" --config config/gunicorn.conf.py --bind "127.0.0.1:$port" --workers 2 "$@" \
    >"$STACK/logs/web-$port.log" 2>&1 &
  PIDS+=("$!")
  printf -v "NODE_$port" '%s' "$!"
}

start_varnish() { # start_varnish PORT ADMIN_PORT VCL BACKEND_PORT…: vetted.vcl's director over those nodes
  local port=$1 admin=$2 vcl=$3
  shift 3
  mkdir -p "$STACK/varnish-conf"
  "$ROOT/deploy/varnish/backends.sh" "${@/#/127.0.0.1:}" >"$STACK/varnish-conf/backends.vcl"
  varnishd -F -j none -n "$STACK/varnish" -a "127.0.0.1:$port" -T "127.0.0.1:$admin" \
    -p "vcl_path=$STACK/varnish-conf:$ROOT/deploy/varnish:/usr/share/varnish/vcl" -f "$vcl" \
    -s malloc,128m >"$STACK/logs/varnish.log" 2>&1 &
  PIDS+=("$!")
}

wait_http() { # wait_http URL: until it answers at all (any status), at most 30 s
  for _ in $(seq 1 300); do
    curl -s -o /dev/null -H "X-Forwarded-Proto: https" "$1" && return 0
    sleep 0.1
  done
  die "$1 did not answer"
}
