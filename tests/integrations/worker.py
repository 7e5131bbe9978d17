"""A real Celery worker in a separate process, against the test broker and the test database."""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _worker_env() -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": url,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL, "PYTHONUNBUFFERED": "1"}


def purge(queues: list[str]) -> None:
    from config.celery import app

    with app.connection_for_write() as conn:
        channel = conn.default_channel
        for queue in queues:
            try:
                channel.queue_purge(queue)
            except Exception:
                channel = conn.channel()


@contextmanager
def celery_worker(queues: list[str], *, name: str = "test"):
    """Start `celery worker` (prefork, one child) consuming `queues`; stop it (SIGTERM) on exit."""
    process = start_worker(queues, name=name)
    try:
        yield process
    finally:
        stop_worker(process, sig=signal.SIGTERM)


def start_worker(queues: list[str], *, name: str = "test") -> subprocess.Popen:
    log = open(ROOT / "var" / f"celery-{name}.log", "ab")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--queues", ",".join(queues),
         "--concurrency", "1", "--pool", "prefork", "--loglevel", "INFO", "--hostname", f"{name}-{os.getpid()}@%h",
         "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=_worker_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    process.log = log
    return process


def stop_worker(process: subprocess.Popen, *, sig=signal.SIGTERM, timeout: float = 30) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)  # the worker and its pool children
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=timeout)
    process.log.close()


def wait_for(predicate, *, timeout: float, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
