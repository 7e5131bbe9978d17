#!/usr/bin/env bash
# `make run`: migrate the SQLite demo database, load the demo data, then start the web server, a Celery
# worker (every queue) and Celery beat. Ctrl-C, SIGINT or SIGTERM stops all of them.
set -euo pipefail
cd "$(dirname "$0")/.."

export DJANGO_SETTINGS_MODULE=config.settings.local
export PYTHONUNBUFFERED=1
PORT="${PORT:-8000}"
export PORT
PY=.venv/bin/python
CELERY=.venv/bin/celery

$PY manage.py migrate --noinput
$PY manage.py load_demo_data

queues=$($PY -c 'from config.settings.celery import CELERY_QUEUE_NAMES as q; print(",".join(q))')
pids=()
stop() {
    trap - INT TERM EXIT
    echo "Stopping…"
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    # A worker in warm shutdown waits for the task it is running; after 15 s it is stopped hard (its task
    # is delivered again on the next start: tasks are acknowledged late).
    for _ in $(seq 1 15); do
        alive=0
        for pid in "${pids[@]}"; do if kill -0 "$pid" 2>/dev/null; then alive=1; fi; done
        [ "$alive" = 0 ] && break
        sleep 1
    done
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

$CELERY -A config worker --queues "$queues" --concurrency 2 --loglevel INFO --hostname "demo@%h" &
pids+=($!)
$CELERY -A config beat --loglevel INFO &
pids+=($!)

password="${DEMO_ADMIN_PASSWORD:-admin}"
cat <<TXT

  Back office is starting on http://127.0.0.1:${PORT}/admin/
  Demo users (password: ${password}):
    admin      superuser
    cs         Customer Service
    warehouse  Warehouse
    finance    Finance
    approver   Finance Approver
    seller1    seller user (mobile API)

TXT
$PY manage.py runserver "127.0.0.1:${PORT}" --noreload &
pids+=($!)

# The demo's platform orders come from the simulators, which live in the web server: once it answers,
# hand a first sync of every demo account to the worker (watch it under Sync runs).
for _ in $(seq 1 60); do
    if $PY -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:${PORT}/healthz', timeout=2)" 2>/dev/null; then
        $PY manage.py sync all --account all --queue || echo "The first sync could not be queued; use Sync now in the admin."
        break
    fi
    sleep 1
done

# Stop everything as soon as any one of them exits.
wait -n
