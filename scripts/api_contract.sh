#!/usr/bin/env bash
# make api-contract: Schemathesis checks the read API against its own OpenAPI document, live.
#
# Starts, on loopback: a scratch PostgreSQL database with the demo, a Redis of its own, and gunicorn
# (production settings, 2 sync workers) on a free port; then `schemathesis run` against the served
# /api/v1/openapi.json with every check it has (server errors, status codes, content types,
# headers and bodies against the schemas, invalid input refused, valid input accepted, methods
# not documented refused with 405 and Allow). Fails on any failure. Everything started is
# stopped by its PID, and the database dropped, on exit. API_CONTRACT_EXAMPLES (default 150)
# bounds the examples per operation and phase.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
STACK=$ROOT/var/api-contract
VENV=${API_CONTRACT_VENV:-$ROOT/.venv}
DB=vetted_api_contract
EXAMPLES=${API_CONTRACT_EXAMPLES:-150}
# shellcheck source=scripts/stack/lib.sh
. scripts/stack/lib.sh

free_port() {
  "$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

[ -x "$VENV/bin/schemathesis" ] || die "$VENV has no schemathesis: make api-contract installs requirements-dev.txt first"
for tool in redis-server redis-cli psql curl; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done
WEB=$(free_port)
REDIS_PORT=$(free_port)
trap stack_cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$STACK"
mkdir -p "$STACK/logs"
export DJANGO_SETTINGS_MODULE=config.settings.production
export SECRET_KEY="contract-$(head -c 24 /dev/urandom | base64)"
export ALLOWED_HOSTS=127.0.0.1
export SITE_URL=http://127.0.0.1:$WEB
export SECURE_SSL_REDIRECT=false
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB
export REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
export EMAIL_URL=consolemail://
# Schemathesis sends thousands of requests from one address: the rate limit has tests of its own.
export VETTED_API_REQUESTS_PER_MINUTE=0

echo "== API contract: Schemathesis against /api/v1/openapi.json"
log "scratch database $DB with the demo; Redis on $REDIS_PORT"
scratch_database >/dev/null
start_redis "$REDIS_PORT"
load_site
log "gunicorn on $WEB"
start_gunicorn "$WEB"
wait_http "http://127.0.0.1:$WEB/api/v1/openapi.json"

log "schemathesis: $EXAMPLES examples per operation and phase"
"$VENV/bin/schemathesis" --config-file api/schemathesis.toml run "http://127.0.0.1:$WEB/api/v1/openapi.json" \
  --checks all --max-examples "$EXAMPLES" --seed 16 --workers 2 \
  --phases examples,coverage,fuzzing --suppress-health-check too_slow \
  --report junit --report-dir "$STACK/report" --no-color
log "no failures"
