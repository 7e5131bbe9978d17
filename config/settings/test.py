"""pytest: always PostgreSQL (DATABASE_URL, or the local server), cheap hashing, a real broker."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-secret-3f2a9c8e1b7d4a6f0e5c2b9a8d7f6e1c")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/backoffice")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "qcFhD5TchZKERaq-NHGNfTxFiFxj4Qry6fC-c7L7rxQ=")
os.environ.setdefault("CELERY_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")

from config.settings.base import *  # noqa: F403

LANGUAGE_CODE = "en"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SANDBOX_ENABLED = True
AXES_FAILURE_LIMIT = 3
