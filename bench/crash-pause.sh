#!/usr/bin/env bash
# How long the service stops uploading after a kill -9 (docs/operations.md, "After a crash").
# A standalone Sandbox at its published upload limit (50 per 5 s) and the service on its shipped settings and
# embedded PostgreSQL, in a folder of its own; 800 files in its inbox; the service killed with SIGKILL once the
# Sandbox has counted 150 uploads, started again 2 s later. Prints the seconds from the kill to the next upload,
# and checks that every file was uploaded exactly once. Pass settings as environment variables, e.g.
#   Hangfire__Storage__InvisibilityTimeout=00:05:00 bash bench/crash-pause.sh
# Needs curl and python3; takes 3 to 8 minutes.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
port=${SANDBOX_PORT:-8090}
files=800
work=$(mktemp -d /tmp/bo-crash-pause-XXXXXX)
chmod 755 "$work" # as root, the embedded server runs as the postgres user and must reach its data folder

cleanup() {
  pkill -9 -f "$work/bin/BatchOrchestrator.Worker.dll" 2>/dev/null || true
  pkill -f "BatchOrchestrator.Sandbox.dll --urls http://127.0.0.1:$port" 2>/dev/null || true
  if [ -f "$work/data/postgres/cluster/postmaster.pid" ]; then
    kill -INT "$(head -1 "$work/data/postgres/cluster/postmaster.pid")" 2>/dev/null || true
    sleep 2
  fi
  rm -rf "$work"
}
trap cleanup EXIT

dotnet build -c Release -v q "$repo/src/Worker" -o "$work/bin" >/dev/null
dotnet build -c Release -v q "$repo/src/Sandbox" -o "$work/sandbox" >/dev/null
cp "$repo/appsettings.json" "$work/"
cd "$work"
dotnet sandbox/BatchOrchestrator.Sandbox.dll --urls "http://127.0.0.1:$port" --Sandbox:ApiKey=llx-local > sandbox.log 2>&1 &
counters() { curl -s "http://127.0.0.1:$port/_sandbox/counters"; }
uploads() { counters | python3 -c 'import sys, json; print(json.load(sys.stdin)["uploads_total"])'; }
for _ in $(seq 1 60); do counters >/dev/null 2>&1 && break; sleep 1; done
mkdir -p inbox
for i in $(seq 1 "$files"); do echo "document $i" > "inbox/doc-$i.txt"; done
export LLAMA_CLOUD_API_KEY=llx-local LLAMA_CLOUD_BASE_URL="http://127.0.0.1:$port"

dotnet "$work/bin/BatchOrchestrator.Worker.dll" > worker-1.log 2>&1 &
worker=$!
for _ in $(seq 1 180); do [ "$(uploads)" -ge 150 ] && break; sleep 1; done
kill -9 "$worker"
killed=$(date +%s)
echo "killed after $(uploads) uploads"
sleep 2
dotnet "$work/bin/BatchOrchestrator.Worker.dll" > worker-2.log 2>&1 &
before=$(uploads)
until [ "$(uploads)" -gt "$before" ]; do
  [ $(( $(date +%s) - killed )) -gt 900 ] && { echo "no upload within 900 s of the kill"; exit 1; }
  sleep 1
done
echo "first upload after the kill: $(( $(date +%s) - killed )) s"
for _ in $(seq 1 300); do [ "$(uploads)" -ge "$files" ] && break; sleep 1; done
counters | python3 -c "
import sys, json
c = json.load(sys.stdin)
twice = sum(1 for n in c.get('uploads_by_unique_id', {}).values() if n > 1)
print(f\"uploads: {c['uploads_total']} of $files files; uploaded more than once: {twice}\")
sys.exit(0 if c['uploads_total'] == $files and twice == 0 else 1)"
