"""Benchmark settings: the real settings on a throwaway SQLite file, fast hasher."""

import os
import tempfile

os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DATABASE_NAME", os.path.join(tempfile.mkdtemp(prefix="bench-db-"), "bench.sqlite3"))

from procurement.settings import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-media-")
ROOT_URLCONF = "bench.urls"
# The load run uses the real database queue and db_worker; the in-process bench renders inline.
TASKS = (
    {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    if os.environ.get("BENCH_TASKS") == "db"
    else {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
)
LOGGING = {"version": 1, "disable_existing_loggers": True}
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
