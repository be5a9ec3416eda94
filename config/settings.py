"""Settings for the agency evaluation and ranking application.

Everything that differs between machines comes from the environment (or a `.env`
file beside `manage.py`). With nothing set, the app runs on SQLite in the checkout, for
development (DEBUG on); production runs config.settings_production.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=True)
# Public (it is in the repository): it signs sessions and password-reset links, so a site
# running with it can be signed into by anyone. Only a development checkout may use it.
DEVELOPMENT_KEY = "insecure-development-key-change-me-in-production-0123456789"
SECRET_KEY = env("SECRET_KEY", default=DEVELOPMENT_KEY)
if not DEBUG and SECRET_KEY == DEVELOPMENT_KEY:
    raise ImproperlyConfigured(
        "DEBUG is off but SECRET_KEY is the public development key of config/settings.py: "
        "set SECRET_KEY in the environment (50 random characters, the same on every server), "
        "or run with DJANGO_SETTINGS_MODULE=config.settings_production (docs/deploy.md)."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "import_export",
    "django_htmx",
    "axes",
    "csp",
    "accounts",
    "ranking",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.middleware.clean_posted_text",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.middleware.undelivered_mail_warning",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Connections are kept between requests (checked before reuse) instead of opened each time.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue for the lock at the start of a transaction instead of failing midway
    # with "database is locked" when two saves arrive together.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses sign-in while an account or address is locked out.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"

# Sign-in: a lockout after repeated failures (per user name and address), sessions that end
# with the working day, cookies the page's scripts cannot read.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The reverse proxies in front of the app (0: clients connect directly). Behind them, every
# request comes from the nearest proxy: locking that address would lock everyone out.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "accounts.security.client_address"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content Security Policy: scripts, styles, fonts and images from this site only — no
# inline scripts, no CDN (pages load everything from static/vendor).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Vietnamese first, English second; the project's format module writes decimals with ","
# and groups thousands with "." (dd/mm/yyyy dates). Grouping is asked for where a number is
# a quantity (`floatformat:"2g"`, `intcomma`), never applied to every integer: ids, versions
# and years in pages and forms must stay plain digits.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
# The application's catalogue first (makemessages writes there), then the Vietnamese of the
# admin libraries that ship none.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_libraries"]
FORMAT_MODULE_PATH = ["config.formats"]
USE_THOUSAND_SEPARATOR = False
TIME_ZONE = env("TIME_ZONE", default="Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Files a browser asks for at the site's root (/favicon.ico), served by whitenoise as they are.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
STORAGES = {
    # Evidence files live outside any public URL: they are served only through
    # permission-checked views.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media"))},
    },
    # Production (config.settings_production) serves hashed, compressed files collected
    # by collectstatic; a checkout serves them as they are.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The score save's few fixed queries are prepared once per kept PostgreSQL connection
# (ranking/rows.py); off behind a transaction-mode pooler that keeps connections (docs/deploy.md).
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
# Counts that must hold across every worker and server (the survey form's limit per address)
# live in the cache: one process's memory by default; several workers share one through
# CACHE_URL, e.g. dbcache://ranking_cache after `manage.py createcachetable` (docs/deploy.md).
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
# Survey forms sent from one address in ten minutes (ranking/views/survey_form.py).
SURVEY_POSTS_PER_ADDRESS = env.int("SURVEY_POSTS_PER_ADDRESS", default=200)
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)
# All the evidence files of one assessment together: the disk is shared by every agency.
EVIDENCE_QUOTA_BYTES = env.int("EVIDENCE_QUOTA_BYTES", default=500 * 1024 * 1024)

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="danhgia@sonoivu.gov.vn")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# Links in e-mails point here.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# The issuing authority printed at the top left of the conference workbook, the award list and
# an agency's report, one line each (the last in bold): the city, then the department. The
# award list is signed "<CONFERENCE_PLACE>, ngày … tháng … năm …".
CONFERENCE_ISSUER = tuple(
    line.strip() for line in env.list("CONFERENCE_ISSUER", default=["UBND THÀNH PHỐ ĐÀ NẴNG", "SỞ NỘI VỤ"])
)
CONFERENCE_PLACE = env("CONFERENCE_PLACE", default="Đà Nẵng")

# History reasons quote what the user wrote ("Returned for correction: …"): no 100-character cap.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# --- Background jobs (issue 4) -------------------------------------------------------------
# Long work started in the browser (the year workbook import, the conference workbook export)
# runs in django-tasks workers fed from the database: `python manage.py db_worker`, as many
# as needed, on any machine that reaches the database. TASKS_BACKEND=
# django_tasks.backends.immediate.ImmediateBackend runs them inside the request instead.
INSTALLED_APPS += ["django_tasks", "django_tasks_db"]
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# A job stops at its next batch of rows once it has run this long (seconds); nothing is written.
JOBS_TIME_LIMIT = env.int("JOBS_TIME_LIMIT", default=15 * 60)
# A running job whose worker gave no sign of life (a heartbeat, written with the progress)
# for this long (seconds) is marked failed: the worker died.
JOBS_HEARTBEAT_TIMEOUT = env.int("JOBS_HEARTBEAT_TIMEOUT", default=5 * 60)
# --- end of background jobs ---------------------------------------------------------------

# --- Workbook imports: limits checked before a workbook is read (issue 9) ------------------
# The command, the browser job and the admin site refuse a workbook past any of them, with
# nothing written. The defaults hold a large city's year with room to spare: the benchmark's
# 1,000 agencies × 150 leaves is one sheet of 150,001 rows, 2.9 MB packed, 38 MB unpacked.
IMPORT_MAX_FILE_BYTES = env.int("IMPORT_MAX_FILE_BYTES", default=50 * 1024 * 1024)
# 300,000 rows of Diem's seven columns (docs/workbook.md), as openpyxl writes them: 98 MB (6.5 MB packed).
IMPORT_MAX_UNPACKED_BYTES = env.int("IMPORT_MAX_UNPACKED_BYTES", default=150 * 1024 * 1024)
# Unpacked size ÷ file size; sheets of data pack 5–20 times, a zip bomb hundreds of times.
IMPORT_MAX_PACKING_RATIO = env.int("IMPORT_MAX_PACKING_RATIO", default=100)
IMPORT_MAX_SHEETS = env.int("IMPORT_MAX_SHEETS", default=50)
# Per sheet, the header row included; empty rows and cells that were formatted count too.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=300_000)
IMPORT_MAX_COLUMNS = env.int("IMPORT_MAX_COLUMNS", default=100)
# Excel's own limit: a cell Excel wrote never holds more.
IMPORT_MAX_CELL_CHARS = env.int("IMPORT_MAX_CELL_CHARS", default=32_767)
# Rows × columns from A1 to a sheet's last cell, which the reader holds whole: 300,000 rows of
# the widest sheet's 13 columns, not one cell in column CV of row 300,000 beside A1.
IMPORT_MAX_CELLS = env.int("IMPORT_MAX_CELLS", default=4_000_000)
# --- end of workbook imports ---------------------------------------------------------------

# --- The publication decision (docs/decision.md) ---------------------------------------------
# An administrator's Word template: the file, and what it may unpack to.
DECISION_TEMPLATE_MAX_BYTES = env.int("DECISION_TEMPLATE_MAX_BYTES", default=5 * 1024 * 1024)
DECISION_TEMPLATE_MAX_UNPACKED_BYTES = env.int(
    "DECISION_TEMPLATE_MAX_UNPACKED_BYTES", default=50 * 1024 * 1024
)
# The PDF converter: LibreOffice's soffice (Debian: libreoffice-writer-nogui). Empty: soffice or
# libreoffice on the PATH; without either, the decision is offered as a Word document only.
DECISION_PDF_CONVERTER = env("DECISION_PDF_CONVERTER", default="")
DECISION_PDF_TIMEOUT = env.int("DECISION_PDF_TIMEOUT", default=120)
# The results pages (public and council) of a period with more agencies than this show one
# group (khối) per page, with a link to the full table of every group (ranking.views.grouping).
RESULTS_PAGE_ROWS = env.int("RESULTS_PAGE_ROWS", default=300)
