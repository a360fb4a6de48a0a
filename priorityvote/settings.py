"""Django settings for Priority.vote, read from environment variables.

README.md lists the variables. DEBUG is off unless DEBUG=1 is set, which
`make run` does for local development.
"""

import warnings
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from priorityvote.env import env_bool, env_int, env_list, env_rate, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

# A fixed key is acceptable only on a developer's machine, where DEBUG is on.
DEVELOPMENT_SECRET_KEY = "django-insecure-development-only"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is missing. Set it to a long random string, such as the "
            "output of: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
            ". For local development only, set DEBUG=1 instead."
        )
    SECRET_KEY = DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "priorityvote",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "initiatives",
    "tokens",
    "logbook",
]

MIDDLEWARE = [
    "priorityvote.middleware.RequestContextMiddleware",
    "priorityvote.middleware.HeadWithoutBodyMiddleware",
    "priorityvote.middleware.RejectNullCharactersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "priorityvote.urls"
WSGI_APPLICATION = "priorityvote.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite in a git-ignored file is the default, so a first run needs no server.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
# Every view runs in one transaction, so a change and its logbook entry are
# committed together or not at all.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite fails at once with "database is locked" when a transaction that
    # began by reading tries to write while another one writes. Taking the
    # write lock when the transaction begins makes concurrent requests wait
    # for each other instead, up to the timeout (seconds).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "priorityvote.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "sign-in"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "sign-in"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Until collectstatic fills STATIC_ROOT, WhiteNoise serves from the app
# folders when DEBUG is on, and warns about the missing folder.
warnings.filterwarnings("ignore", message="No directory at")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Without an SMTP server, e-mails are printed to the console in development
# and dropped with a warning in production, where the log must not carry
# password reset links.
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "priorityvote.mail.UnsentEmailBackend"
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Priority.vote <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# HTTPS hardening is on by default in production. PRIORITYVOTE_HTTPS=0 serves
# plain HTTP, for checking a production configuration on a local machine.
PRIORITYVOTE_HTTPS = env_bool("PRIORITYVOTE_HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = PRIORITYVOTE_HTTPS
CSRF_COOKIE_SECURE = PRIORITYVOTE_HTTPS
SECURE_SSL_REDIRECT = PRIORITYVOTE_HTTPS
SECURE_HSTS_SECONDS = (
    env_int("SECURE_HSTS_SECONDS", 31_536_000) if PRIORITYVOTE_HTTPS else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRIORITYVOTE_HTTPS
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
# Submitting a domain to the browsers' HSTS preload list commits every
# subdomain to HTTPS for months; only the operator can decide that, by
# setting SECURE_HSTS_PRELOAD=1. Until then, check --deploy need not say so.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
if env_bool("PRIORITYVOTE_BEHIND_PROXY", default=False):
    # Only trust this header when a proxy that sets it is the sole way in.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# The site's address as people reach it, for links in e-mails sent outside a
# request (expiry reminders).
PRIORITYVOTE_BASE_URL = env_str(
    "PRIORITYVOTE_BASE_URL", "http://127.0.0.1:8000"
).rstrip("/")
PRIORITYVOTE_MAX_ACTIVE_TOKENS = env_int(
    "PRIORITYVOTE_MAX_ACTIVE_TOKENS", 10, minimum=1
)
PRIORITYVOTE_AUTH_RATE = env_rate("PRIORITYVOTE_AUTH_RATE", "10/minute")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The bearer class comes first: DRF takes the WWW-Authenticate header
        # of a 401 from the first class, and without one it returns 403.
        "tokens.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "tokens.permissions.TokenScopePermission",
        "rest_framework.permissions.IsAuthenticated",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["priorityvote.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "priorityvote.negotiation.JSONOnlyNegotiation",
    "DEFAULT_PAGINATION_CLASS": "priorityvote.pagination.PageNumberPagination",
    "DEFAULT_SCHEMA_CLASS": "priorityvote.schema.AutoSchema",
    "EXCEPTION_HANDLER": "priorityvote.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Without a proxy, X-Forwarded-For is whatever the client wrote, so the
    # throttles key on the socket address unless proxies are declared.
    "NUM_PROXIES": env_int("PRIORITYVOTE_NUM_PROXIES", 0),
    "URL_FORMAT_OVERRIDE": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Priority.vote API",
    "DESCRIPTION": (
        "Backlogs, initiatives and votes. Scripts authenticate with a personal "
        "access token: `Authorization: Bearer pv_pat_…`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# The throttle counters live in this cache, which every worker and app
# server must share, or the limit multiplies with their number. The default
# is a table in the database (created by a migration); REDIS_URL moves the
# counters to Redis.
REDIS_URL = env_str("REDIS_URL")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "priorityvote_cache",
        }
    )
}

DEFAULT_EXCEPTION_REPORTER = "priorityvote.reporting.SecretHidingExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "priorityvote.reporting.SecretHidingReporterFilter"

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_context": {"()": "priorityvote.logging.RequestContextFilter"},
        # One line per minute for each repeated warning, with a count, so a
        # client retrying a revoked token does not flood the log.
        "repeats": {"()": "priorityvote.logging.RepeatFilter", "interval": 60},
        "client_error_tracebacks": {
            "()": "priorityvote.logging.ClientErrorTracebackFilter"
        },
    },
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [request=%(request_id)s "
            "user=%(user_id)s token=%(token_prefix)s] %(message)s"
        }
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "filters": ["request_context"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["stderr"], "level": LOG_LEVEL, "propagate": False},
        # Tracebacks of 4xx responses are noise: the client was at fault.
        "django.request": {"filters": ["repeats", "client_error_tracebacks"]},
        # runserver's request log, with DEBUG on, repeats the access lines of
        # priorityvote.access, so only its warnings and errors are kept. Its
        # own configuration does not propagate, so it needs the handler here.
        "django.server": {
            "handlers": ["stderr"],
            "level": "WARNING",
            "propagate": False,
        },
        "tokens.authentication": {"filters": ["repeats"]},
    },
}
