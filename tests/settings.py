"""Settings for the test suite: the project's settings with test-only values.

DATABASE_URL still chooses the database, so the same suite runs on SQLite
and on PostgreSQL.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-any-deployment")
os.environ.setdefault("PRIORITYVOTE_HTTPS", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from priorityvote.settings import *  # noqa: F403

# Static files are served from the app folders, without a collectstatic manifest.
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}

# Serve static files from the app folders, as `make run` does, so pages and
# the API docs load their assets in tests without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Throttle counts per test process; tests/test_settings.py checks the
# shared database cache of the real settings in a separate process.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
