"""gunicorn settings for production (`gunicorn -c config/gunicorn.conf.py config.wsgi`)."""

import gc
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
# Threaded workers keep HTTP/1.1 connections alive between requests (the app and the proxy reuse them; sync
# workers close each one) and overlap one request's database wait with another's Python work.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 120
preload_app = True  # import Django once, before forking: workers share its memory and start warm


def post_fork(server, worker):
    # Everything imported before the fork is long-lived: keep the garbage collector from walking it on
    # every collection (shorter pauses on big admin pages), and collect young objects less often.
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
