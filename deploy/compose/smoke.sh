#!/usr/bin/env bash
# Smoke test of the compose stack, for a machine with Docker (docs/deployment.md shows its expected output):
# builds and starts PostgreSQL, the Sandbox and two Worker replicas, drops three files into the shared inbox,
# waits until each has its LlamaCloud job reference, and prints them with the `status` verb's tables, the
# database's rows and the /metrics gauges. Ends with "SMOKE OK" (exit 0) or says what it was waiting for (exit 1).
#
#   deploy/compose/smoke.sh            # leaves nothing behind (docker compose down -v at the end)
#   KEEP=1 deploy/compose/smoke.sh     # keeps the stack running: dashboard at http://127.0.0.1:5080/hangfire (user ops)
set -euo pipefail
cd "$(dirname "$0")"

project=${COMPOSE_PROJECT:-bo-smoke}
patience=${PATIENCE_SECONDS:-300}
compose=(docker compose -f compose.yaml -p "$project")
say() { printf '[smoke] %s\n' "$*"; }

export POSTGRES_PASSWORD=${POSTGRES_PASSWORD:-smoke-$RANDOM$RANDOM$RANDOM}
password=${DASHBOARD_PASSWORD:-smoke-$RANDOM$RANDOM}
# The compose file requires the hash even for a one-off run, so a placeholder stands in while it is computed.
say "building the images and hashing the dashboard password"
DASHBOARD_PASSWORD_HASH=placeholder "${compose[@]}" build --quiet
DASHBOARD_PASSWORD_HASH=$(printf '%s\n' "$password" | DASHBOARD_PASSWORD_HASH=placeholder "${compose[@]}" run --rm -T --no-deps worker config hash-secret)
export DASHBOARD_PASSWORD_HASH

cleanup() {
  if [ "${KEEP:-0}" = 1 ]; then
    say "stack kept running (project $project); dashboard user ops, password $password"
  else
    "${compose[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

say "starting postgres, sandbox and two workers"
"${compose[@]}" up -d --wait --wait-timeout "$patience"

files=$(mktemp -d)
for name in invoice-1 invoice-2 letter; do
  printf 'Smoke test document %s\n' "$name" > "$files/$name.txt"
  "${compose[@]}" cp --index 1 "$files/$name.txt" "worker:/data/inbox/$name.txt"
done
rm -rf "$files"
say "dropped 3 files into the inbox volume; waiting for their job references (at most ${patience}s)"

psql() { "${compose[@]}" exec -T postgres psql -U batchorchestrator -d batchorchestrator -At -F ' | ' -c "$1"; }
deadline=$((SECONDS + patience))
until [ "$(psql "select count(*) from orchestrator.file_version where state = 'Succeeded' and job_id is not null")" = 3 ]; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    say "FAILED: the 3 files have no job reference after ${patience}s; their states:"
    psql "select relative_path, state, error_message from orchestrator.file_version order by 1" || true
    "${compose[@]}" logs --tail 50 worker || true
    exit 1
  fi
  sleep 3
done

say "status, as the worker container answers it:"
"${compose[@]}" exec -T --index 1 worker dotnet BatchOrchestrator.Worker.dll status
say "job references:"
psql "select relative_path, state, job_id from orchestrator.file_version order by 1"
say "metrics of replica 1:"
"${compose[@]}" exec -T --index 1 worker bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080 && printf "GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n" >&3 && cat <&3' \
  | grep -E '^batchorchestrator_(files|webhooks_missed_total|database_up)\{' || true
say "SMOKE OK"
