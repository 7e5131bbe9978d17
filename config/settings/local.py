"""`make run`: everything embedded (SQLite, a filesystem broker, the sandboxes), demo data on."""

import os

from config.env import BASE_DIR

os.environ.setdefault("DJANGO_SECRET_KEY", "local-demo-only-not-secret-7d1c5b0e2f9a4e6b8c3d1f0a")
os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("SANDBOX_ENABLED", "true")
os.environ.setdefault("SANDBOX_LIVE", "true")
# A fixed demo key so that a restarted demo can read its own credentials; production sets its own.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "8UFBzmvaTZq5SSAFKwflx0St5c2cO72mGb6GB_qWePs=")

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES, env

VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)
STATIC_ROOT.mkdir(exist_ok=True)  # noqa: F405 - WhiteNoise expects it; DEBUG serves from the apps' folders

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The web server, the worker and beat share the file: WAL lets readers and one writer work together.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEMO_ENABLED = True

# A broker that needs no server: kombu's filesystem transport under var/broker.
_broker_dir = VAR_DIR / "broker"
for _sub in ("queue", "processed", "control"):
    (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
