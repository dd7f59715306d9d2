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
