"""Settings of the benchmark: config.settings plus what a load test on loopback needs.

Used by bench/run.py and by the gunicorn it starts (DJANGO_SETTINGS_MODULE=bench.settings).
The database is the configured one (DATABASE_URL), with the name of the benchmark's own
test database (BENCH_DATABASE_NAME, set by bench/run.py), never the one a test run uses.
"""

import os
import warnings

from config.settings import *  # noqa: F403
from config.settings import DATABASES, MIDDLEWARE

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
# Throwaway: bench/run.py makes a fresh one per run and hands it to gunicorn's workers,
# which must share it (sessions are signed with it).
SECRET_KEY = os.environ.get(
    "BENCH_SECRET_KEY", "bench-throwaway-key-never-used-outside-bench-0123456789abcdef"
)
ROOT_URLCONF = "bench.urls"
# Outermost: the time Django spent on each request, in a Server-Timing header.
MIDDLEWARE = ["bench.timing.ServerTiming", *MIDDLEWARE]

if os.environ.get("BENCH_DATABASE_NAME"):
    DATABASES["default"]["NAME"] = os.environ["BENCH_DATABASE_NAME"]

# A checkout has no collected static files; whitenoise says so once per process.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

# 50 sign-ins from one address must not trip the lockout.
AXES_ENABLED = False
# Signing in is not what is measured: a fast hasher keeps creating and signing in 50
# officers to seconds (the default PBKDF2 costs ~0.5 s per password on this machine).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Publishing a period mails every user: keep those in memory.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# `bench/run.py --sqlite-immediate`: what SQLite needs to take concurrent writers (gunicorn's
# workers) without "database is locked" — write transactions that take the lock when they
# begin (Django ≥ 5.1), a busy timeout, and the write-ahead log so readers never block.
# Off by default: the benchmark measures the application as configured.
if os.environ.get("BENCH_SQLITE_IMMEDIATE") and DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
