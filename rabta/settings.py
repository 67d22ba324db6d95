"""Rabta's one settings file. Every deployment choice is read from the environment.

Variables (see docs/configuration.md): DATABASE_URL, DATABASE_REPLICA_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS,
TIME_ZONE, RABTA_FIELD_KEY(S), RABTA_INDEX_KEY, RABTA_HTTPS, CSRF_TRUSTED_ORIGINS, RABTA_MEDIA_ROOT,
RABTA_PRIVATE_MEDIA_ROOT, RABTA_EMAIL_*, RABTA_ENV_FILE.
A bad or missing value stops start-up with a message that names the variable.
"""

from __future__ import annotations

from pathlib import Path

import django.conf.locale
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from rabta.lib.env import ConfigError, Env

BASE_DIR = Path(__file__).resolve().parent.parent

try:
    env = Env.load(BASE_DIR)

    DEBUG = env.bool("DEBUG", default=False)
    SECRET_KEY = env.secret_key("SECRET_KEY", debug=DEBUG)
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
    if not DEBUG and not ALLOWED_HOSTS:
        raise ConfigError("ALLOWED_HOSTS is required when DEBUG is off (comma-separated host names)")
    CSRF_TRUSTED_ORIGINS = env.origins("CSRF_TRUSTED_ORIGINS")
    TIME_ZONE = env.timezone("TIME_ZONE", default="Asia/Karachi")
    # Field encryption keys (docs/deploy.md, "Key rotation"): RABTA_FIELD_KEYS "id:key,..." with the
    # first active; RABTA_FIELD_KEY the legacy key (the only one when RABTA_FIELD_KEYS is unset);
    # RABTA_INDEX_KEY keys blind indexes and tracking hashes and never rotates (default RABTA_FIELD_KEY).
    RABTA_FIELD_KEYS = env.field_keys("RABTA_FIELD_KEYS")
    RABTA_FIELD_KEY = (
        env.optional_field_key("RABTA_FIELD_KEY") if RABTA_FIELD_KEYS else env.field_key("RABTA_FIELD_KEY")
    )
    RABTA_INDEX_KEY = env.optional_field_key("RABTA_INDEX_KEY")
    if RABTA_FIELD_KEY is None and RABTA_INDEX_KEY is None:
        raise ConfigError(
            "RABTA_INDEX_KEY is required when RABTA_FIELD_KEY is not set: set it to the RABTA_FIELD_KEY "
            "this installation first had, or every tracking code and phone look-up stops matching"
        )
    # HTTPS hardening is on by default outside DEBUG; RABTA_HTTPS=0 only for plain-HTTP test rigs.
    RABTA_HTTPS = env.bool("RABTA_HTTPS", default=not DEBUG)

    default_database = f"sqlite:///{BASE_DIR / 'var' / 'rabta.sqlite3'}"
    DATABASES = {"default": env.database("DATABASE_URL", default=default_database)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        # WAL lets the web process and the task worker read while the other writes; it is set
        # by rabta.core.sqlite (only when not already on, tolerating a full disk), not here.
        # IMMEDIATE transactions take the write lock up front so concurrent writers queue
        # instead of failing with "database is locked" half-way through.
        DATABASES["default"]["OPTIONS"] = {
            "init_command": "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }

    # Dashboards, public figures and open data may read the rollups from a PostgreSQL replica
    # (docs/deploy.md "A read replica"); everything else, and every write, uses the primary.
    replica_url = env.str("DATABASE_REPLICA_URL", default="")
    if replica_url:
        DATABASES["replica"] = env.database("DATABASE_REPLICA_URL", default=replica_url)
        DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["rabta.core.db_router.ReplicaRouter"]

    MEDIA_ROOT = Path(env.str("RABTA_MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
    # Report photos (docs/deploy.md "Media files"): outside MEDIA_ROOT, never mapped to a URL.
    RABTA_PRIVATE_MEDIA_ROOT = Path(
        env.str("RABTA_PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private-media"))
    )
    # E-mail (docs/deploy.md "E-mail"). With no RABTA_EMAIL_HOST mail goes to the console with the
    # addresses hidden, and `check --deploy` says so; the worker sends it (rabta.core.outbox).
    EMAIL_HOST = env.str("RABTA_EMAIL_HOST", default="")
    EMAIL_BACKEND = env.str(
        "RABTA_EMAIL_BACKEND",
        default="django.core.mail.backends.smtp.EmailBackend"
        if EMAIL_HOST
        else "rabta.core.mailbackend.RedactedConsoleBackend",
    )
    if not DEBUG and EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":
        raise ConfigError(
            "RABTA_EMAIL_BACKEND: Django's console backend prints recipients' addresses into the server "
            "log; with DEBUG off set RABTA_EMAIL_HOST (SMTP) instead"
        )
    EMAIL_USE_TLS = env.bool("RABTA_EMAIL_STARTTLS", default=False)
    EMAIL_USE_SSL = env.bool("RABTA_EMAIL_TLS", default=False)
    if EMAIL_USE_TLS and EMAIL_USE_SSL:
        raise ConfigError("RABTA_EMAIL_STARTTLS and RABTA_EMAIL_TLS exclude each other: set one of them")
    EMAIL_PORT = env.int("RABTA_EMAIL_PORT", default=465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25)
    EMAIL_HOST_USER = env.str("RABTA_EMAIL_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("RABTA_EMAIL_PASSWORD", default="")
    EMAIL_TIMEOUT = env.int("RABTA_EMAIL_TIMEOUT", default=10)
    DEFAULT_FROM_EMAIL = env.str("RABTA_EMAIL_FROM", default="Rabta <no-reply@rabta.invalid>")
    SERVER_EMAIL = DEFAULT_FROM_EMAIL
    # Attempts per e-mail before it is marked failed, and the first pause (doubling each time).
    RABTA_EMAIL_MAX_ATTEMPTS = env.int("RABTA_EMAIL_MAX_ATTEMPTS", default=5)
    RABTA_EMAIL_RETRY_SECONDS = env.int("RABTA_EMAIL_RETRY_SECONDS", default=60)
    # Where Rabta is reachable from outside: provider callbacks and links in SMS and e-mail use it.
    RABTA_PUBLIC_URL = env.str("RABTA_PUBLIC_URL", default="http://127.0.0.1:8000")
    # How many reverse proxies in front of Rabta append to X-Forwarded-For. 0: use the socket address.
    # Rate limits need the real client: behind one proxy with 0 here, every resident would share one
    # counter and the whole city would be refused after ten reports.
    RABTA_PROXY_HOPS = env.int("RABTA_PROXY_HOPS", default=0)
    # Hashed, compressed static files in production; plain files for DEBUG and the test suite.
    RABTA_STATIC_MANIFEST = env.bool("RABTA_STATIC_MANIFEST", default=not DEBUG)
    # The staff SMS simulator (administrators, console channel, test numbers only) outside DEBUG.
    RABTA_SMS_SIMULATOR = env.bool("RABTA_SMS_SIMULATOR", default=False)
    # Uploads (docs/reports.md "Photo limits"): images over this many pixels are refused from their header,
    # before decoding; the whole request body is capped (413) before Django parses it.
    RABTA_MAX_IMAGE_PIXELS = env.int("RABTA_MAX_IMAGE_PIXELS", default=13_000_000)
    RABTA_MAX_REQUEST_BYTES = env.int("RABTA_MAX_REQUEST_BYTES", default=20 * 1024 * 1024)
    if RABTA_MAX_IMAGE_PIXELS < 1 or RABTA_MAX_REQUEST_BYTES < 1:
        raise ConfigError("RABTA_MAX_IMAGE_PIXELS and RABTA_MAX_REQUEST_BYTES must be positive")
    # Rate limits: attempts per window (seconds). Counters are keyed by keyed hashes, never raw IPs.
    # Each can be changed from the environment as RABTA_RATE_<NAME>=<attempts>/<seconds>, for example
    # RABTA_RATE_SMS_REPORT_DAY=10/86400 (docs/configuration.md).
    _RATE_DEFAULTS = {
        "login": (10, 15 * 60),
        # Staff password-reset requests: per client, and e-mails per address (hashed).
        "password_reset": (5, 3600),
        "password_reset_address": (3, 3600),
        # Residents' reports (docs/reports.md, "Abuse limits"): per form, with a ceiling per client address
        # high enough for a town behind one carrier address; per client for a post without a valid
        # form token; per contact (phone/email blind index). Then tracking-code lookups.
        "report_form": (10, 3600),
        "report_address": (120, 3600),
        "report": (10, 3600),
        "report_contact": (10, 3600),
        "track": (20, 3600),
        # SMS news sign-ups from a beat page, per client; confirmation SMS per number.
        "subscribe": (10, 3600),
        "subscribe_confirm": (1, 24 * 3600),
        # Reports by SMS, per phone: an hour and a day.
        "sms_report_hour": (3, 3600),
        "sms_report_day": (6, 24 * 3600),
        # Survey codes looked up or spent on the web, per client; open-link survey answers, per client.
        "survey_code": (30, 3600),
        "survey_open": (20, 3600),
    }
    RABTA_RATE_LIMITS = {
        name: env.rate(f"RABTA_RATE_{name.upper()}", default=default)
        for name, default in _RATE_DEFAULTS.items()
    }
    # Retention in days (docs/privacy.md#retention): the daily purge sweep erases what is older.
    RABTA_RETENTION = {
        # Reporter contact, counted from the day the report was resolved, referred, merged or closed.
        "contact": env.days("RABTA_RETAIN_CONTACT_DAYS", default=90),
        # SMS bodies (the rows stay for the counts) and guided conversations, from the message's date.
        "sms": env.days("RABTA_RETAIN_SMS_DAYS", default=30),
        # Named meeting registers, from the meeting's end.
        "register": env.days("RABTA_RETAIN_REGISTER_DAYS", default=180),
        # The access log outlives what it records, so a complaint about a look can still be checked.
        "access_log": env.days("RABTA_RETAIN_ACCESS_LOG_DAYS", default=730),
    }
except ConfigError as exc:
    # Fail at start, naming the variable, instead of with a traceback deep inside Django.
    raise ImproperlyConfigured(f"Rabta configuration error: {exc}") from None

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "rabta.core",
    "rabta.audit",
    "rabta.places",
    "rabta.people",
    "rabta.reports",
    "rabta.engagement",
    "rabta.messaging",
    "rabta.presence",
    "rabta.feedback",
    "rabta.insights",
    "rabta.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "rabta.core.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "rabta.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "rabta.core.middleware.RememberLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so its process_exception runs first: a 503 + Retry-After when the database is down.
    "rabta.core.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "rabta.urls"
WSGI_APPLICATION = "rabta.wsgi.application"
AUTH_USER_MODEL = "people.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "people:login"
LOGIN_REDIRECT_URL = "site:staff_home"
LOGOUT_REDIRECT_URL = "places:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "rabta" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rabta.core.context_processors.languages",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages. Django ships Urdu but not Pashto; teach it Pashto (right-to-left) here.
django.conf.locale.LANG_INFO["ps"] = {"bidi": True, "code": "ps", "name": "Pashto", "name_local": "پښتو"}
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ur", _("Urdu")), ("ps", _("Pashto"))]
LANGUAGES_BIDI = ["ur", "ps"]
LOCALE_PATHS = [BASE_DIR / "rabta" / "locale"]
# Django's own strings (month names, form errors) in Pashto, which Django lacks, and in better Urdu; and date
# formats for ur/ps (rabta/locale/<lang>/formats.py). See docs/languages.md.
LOCALE_PATHS += [BASE_DIR / "rabta" / "locale" / "_django"]
FORMAT_MODULE_PATH = ["rabta.locale"]
LANGUAGE_COOKIE_NAME = "rabta_lang"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "rabta" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if RABTA_STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_URL = "/media/"
# Request bodies, set deliberately (Django answers 400 past these): form fields other than files (Open311 and
# the API take no files), 256 KB; uploads over 1 MB stream to a temporary file instead of memory; at most 3
# report photos or 1 officer photo per request; the admin's largest forms stay under 1000 fields.
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 5
WHITENOISE_MAX_AGE = 7 * 24 * 3600
WHITENOISE_USE_FINDERS = not RABTA_STATIC_MANIFEST

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Security. Sessions are short for staff; cookies never readable by scripts.
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"  # tracking links must never leak to other sites
X_FRAME_OPTIONS = "DENY"
if RABTA_HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

OTP_TOTP_ISSUER = "Rabta"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Rabta API",
    "DESCRIPTION": "Staff API of Rabta, the community policing platform.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # Request logs would carry client addresses for public submissions; keep only errors.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}
