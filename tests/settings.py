"""Test settings: the real settings with development defaults and a fast hasher."""

import os
import tempfile

os.environ.setdefault("DJANGO_DEBUG", "1")

from procurement.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="procurement-test-media-")
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Reports render inline in tests; tests/reports/test_worker.py runs the real db_worker.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

# SQLite tests use a file, not shared-cache memory: concurrent connections then wait on
# the busy timeout as they do in production instead of failing with "table is locked".
# Durability is not needed for a throwaway test database, so fsync is off.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    _test_db = os.path.join(tempfile.mkdtemp(prefix="procurement-test-db-"), "test.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": _test_db}  # noqa: F405
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA synchronous=OFF; PRAGMA journal_mode=MEMORY;"  # noqa: F405
