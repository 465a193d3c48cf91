"""Settings for the test suite: the real settings, with a fixed key and cheaper bcrypt."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")

from zhilian.settings import *  # noqa: F403

# Still bcrypt first (what production uses), with the minimum cost so tests stay fast.
PASSWORD_HASHERS = ["zhilian.test_hashers.FastBCryptSHA256PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
# Throttle counters and the logout deny list (accounts/tokens.py) must not leak between tests.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# The test client and the live-server tests speak plain HTTP: no redirect to HTTPS, cookies over
# HTTP. (HSTS stays as configured; it is only sent on HTTPS responses.) The production values
# are checked by zhilian/tests/test_security_settings.py in a subprocess with production settings.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Tasks run eagerly in the test that calls them, even when REDIS_URL names a broker; the tests that
# run a real worker (zhilian/tests/test_jobs_worker.py) turn this off while it runs.
CELERY_TASK_ALWAYS_EAGER = True
