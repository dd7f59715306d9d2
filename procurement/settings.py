"""Settings for the AI vendor due-diligence app.

One env-driven settings file (the healthchecks pattern). Every value that
differs between a laptop and production comes from an environment variable;
`.env.example` lists them. Development defaults apply when DJANGO_DEBUG=1,
which `make run` and the test suite set.
"""

import ipaddress
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import salted_hmac
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a random string of 50+ characters "
            "in production, or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105

# Signs exported JSON records (reports.signing); import_assessment refuses a record whose
# signature does not verify with it. Derived from SECRET_KEY unless set: set it explicitly on
# an installation whose exports another installation must verify, and give that one the value.
RECORD_SIGNING_KEY = (
    env("DJANGO_RECORD_SIGNING_KEY")
    or salted_hmac(
        "procurement.reports.record_signing", "record signing key", secret=SECRET_KEY, algorithm="sha256"
    ).hexdigest()
)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "procurement.core.apps.ProcurementAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Django's widget templates, for FORM_RENDERER below.
    "django.forms",
    "crispy_forms",
    "crispy_bootstrap5",
    "procurement.core",
    "procurement.questionbank",
    "procurement.vendors",
    "procurement.assessments",
    "procurement.reports",
    "procurement.portal",
    "procurement.portfolio",
    # The REST API (/api/v1/), on top of every other app.
    "procurement.api",
    "django_tasks_db",
    "axes",
    # Two-step sign-in (TOTP with recovery codes): procurement/core/mfa.py.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    # First: refuses an oversized body from its Content-Length before anything reads it.
    "procurement.core.middleware.RequestBodyLimitMiddleware",
    # Errors under /api/ in JSON, also Django's 404 and django-ninja's 405.
    "procurement.api.middleware.JsonErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After OTPMiddleware: a signed-in person who owes a second step is sent to it first.
    "procurement.core.mfa.TwoStepMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

OTP_TOTP_ISSUER = env("DJANGO_OTP_ISSUER", "AI vendor due diligence")

AUTHENTICATION_BACKENDS = [
    # django-axes must come first: it refuses logins for locked-out users before any password check.
    "axes.backends.AxesStandaloneBackend",
    # Username and password; site staff only where OIDC_LOCAL_PASSWORDS=staff (procurement/core/sso.py).
    "procurement.core.sso.PasswordBackend",
    # Single sign-on (OpenID Connect); does nothing unless OIDC_ISSUER and the client are set.
    "procurement.core.sso.SsoBackend",
]
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env("AXES_COOLOFF_HOURS", "1"))  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind the TLS proxy every request comes from the proxy's address; axes must count per real client.
AXES_CLIENT_IP_CALLABLE = "procurement.core.net.client_ip"

# --- Client address behind a reverse proxy (procurement/core/net.py) --------------------
# How many proxies, each appending to X-Forwarded-For, stand in front of gunicorn: 1 for the
# documented nginx/TLS proxy. 0 (the default) ignores X-Forwarded-For: the app is reached
# directly and REMOTE_ADDR is the client. Used by django-axes and the portal's bad-link limit.
TRUSTED_PROXY_COUNT = int(env("DJANGO_TRUSTED_PROXY_COUNT", "0"))
# Optional: addresses/CIDRs the nearest proxy connects from; requests from elsewhere are
# taken at their REMOTE_ADDR even when TRUSTED_PROXY_COUNT is set.
TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DJANGO_TRUSTED_PROXIES: {_proxy!r} is not an address or network.") from exc

# --- Single sign-on with OpenID Connect (procurement/core/sso.py; README, Production) ----------
# Off unless OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are all set.
OIDC_ISSUER = env("OIDC_ISSUER").rstrip("/")
OIDC_CLIENT_ID = env("OIDC_CLIENT_ID")
OIDC_CLIENT_SECRET = env("OIDC_CLIENT_SECRET")
# The name on the login page's button and in its messages.
OIDC_PROVIDER_NAME = env("OIDC_PROVIDER_NAME", "your organisation's sign-in")
OIDC_SCOPES = env("OIDC_SCOPES", "openid email profile")
# Organisations (slugs) this issuer may sign people into. With one, everyone joins it; with
# several, OIDC_ORG_CLAIM names the claim that holds the slug.
OIDC_ORGANISATIONS = env_list("OIDC_ORGANISATIONS")
OIDC_ORG_CLAIM = env("OIDC_ORG_CLAIM")
# The role: a claim holding admin/analyst/reviewer/viewer, or groups mapped to roles
# ("dd-admins=admin,dd-analysts=analyst"); the highest mapped role wins.
OIDC_ROLE_CLAIM = env("OIDC_ROLE_CLAIM")
OIDC_GROUPS_CLAIM = env("OIDC_GROUPS_CLAIM", "groups")
OIDC_GROUP_ROLES: dict[str, str] = {}
for _pair in env_list("OIDC_GROUP_ROLES"):
    _group, _, _role = _pair.partition("=")
    if _role.strip() not in ("admin", "analyst", "reviewer", "viewer") or not _group.strip():
        raise ImproperlyConfigured(f"OIDC_GROUP_ROLES: {_pair!r} is not group=admin|analyst|reviewer|viewer.")
    OIDC_GROUP_ROLES[_group.strip()] = _role.strip()
# "claims": membership and role from the provider at every sign-in; "approval": a first sign-in
# waits until an admin of the organisation approves it with a role.
OIDC_PROVISIONING = env("OIDC_PROVISIONING", "claims")
# "staff": password sign-in only for site staff (break-glass); "all": for everyone.
OIDC_LOCAL_PASSWORDS = env("OIDC_LOCAL_PASSWORDS", "all")
OIDC_TIMEOUT = float(env("OIDC_TIMEOUT", "5"))  # seconds, for each call to the provider
# API tokens and calendar feed addresses of someone who signs in through single sign-on work only
# while their last sign-in there is at most this many days old: the provider re-checks them at
# each sign-in, so someone removed there loses these too within this time.
OIDC_CREDENTIALS_SIGN_IN_DAYS = int(env("OIDC_CREDENTIALS_SIGN_IN_DAYS", "30"))
if OIDC_PROVISIONING not in ("claims", "approval"):
    raise ImproperlyConfigured("OIDC_PROVISIONING must be claims or approval.")
if OIDC_LOCAL_PASSWORDS not in ("all", "staff"):
    raise ImproperlyConfigured("OIDC_LOCAL_PASSWORDS must be all or staff.")
if OIDC_ISSUER:
    if not (OIDC_CLIENT_ID and OIDC_CLIENT_SECRET):
        raise ImproperlyConfigured("OIDC_ISSUER is set: set OIDC_CLIENT_ID and OIDC_CLIENT_SECRET too.")
    if not OIDC_ORGANISATIONS or (len(OIDC_ORGANISATIONS) > 1 and not OIDC_ORG_CLAIM):
        raise ImproperlyConfigured(
            "OIDC_ORGANISATIONS must list the organisation(s) this issuer signs people into "
            "(and OIDC_ORG_CLAIM must be set when it lists several)."
        )
    if OIDC_PROVISIONING == "claims" and not (OIDC_ROLE_CLAIM or OIDC_GROUP_ROLES):
        raise ImproperlyConfigured("OIDC_PROVISIONING=claims needs OIDC_ROLE_CLAIM or OIDC_GROUP_ROLES.")

ROOT_URLCONF = "procurement.urls"
# Form widgets render through TEMPLATES, so templates/django/forms/ can replace one of Django's
# widget templates (the select, whose options it writes itself: several hundred places a picker).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "procurement.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "procurement.core.context_processors.membership",
            ],
        },
    },
]

# --- Database: SQLite by default, PostgreSQL when DATABASE_ENGINE=postgresql ---
if env("DATABASE_ENGINE", "sqlite") == "postgresql":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": env("DATABASE_NAME", "procurement"),
            "USER": env("DATABASE_USER"),
            "PASSWORD": env("DATABASE_PASSWORD"),
            "HOST": env("DATABASE_HOST"),
            "PORT": env("DATABASE_PORT"),
            "CONN_MAX_AGE": int(env("DATABASE_CONN_MAX_AGE", "60")),
            # A kept connection the server dropped (restart, failover, idle timeout) is
            # replaced at the start of the next request instead of failing it.
            "CONN_HEALTH_CHECKS": True,
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("DATABASE_NAME", str(BASE_DIR / "db.sqlite3")),
            # Kept per worker like PostgreSQL's (a new connection re-reads the schema, ~2 ms a request).
            "CONN_MAX_AGE": int(env("DATABASE_CONN_MAX_AGE", "60")),
            # WAL: readers neither wait for a writer nor block its commit (the journal's default,
            # DELETE, locks the whole file for both). The mode is kept in the database file.
            # synchronous=NORMAL, as SQLite advises with WAL: a commit no longer waits for an fsync
            # (5-40 ms on a busy disk, with the write lock held; docs/performance.md, the load run);
            # the file stays consistent, and a power cut may lose only the last commits.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = int(env("DJANGO_SESSION_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# In development whitenoise serves from the finders; it rescans instead of reading STATIC_ROOT.
WHITENOISE_AUTOREFRESH = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Question banks ---------------------------------------------------------
BANK_FILE_MAX_BYTES = int(env("BANK_FILE_MAX_BYTES", str(2 * 1024 * 1024)))

# --- Security ---------------------------------------------------------------
# Strict CSP: no inline script or style anywhere; scripts carry a nonce.
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Mail (Django 6.1 MAILERS) ---------------------------------------------------
_MAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
_MAIL_OPTIONS: dict = {}
if _MAIL_BACKEND.endswith("smtp.EmailBackend"):
    _MAIL_OPTIONS = {
        "host": env("DJANGO_EMAIL_HOST", "localhost"),
        "port": int(env("DJANGO_EMAIL_PORT", "587")),
        "username": env("DJANGO_EMAIL_USER"),
        "password": env("DJANGO_EMAIL_PASSWORD"),
        "use_tls": env_bool("DJANGO_EMAIL_USE_TLS", True),
        "timeout": 20,
    }
MAILERS = {"default": {"BACKEND": _MAIL_BACKEND, "OPTIONS": _MAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", "due-diligence@localhost")

# Every handler redacts vendor-link tokens (/portal/<token>/): django.request logs 404/410 with
# the path, and runserver (django.server) logs each request line. Django's default handlers for
# the "django" logger are dropped so that nothing prints a path unfiltered; its records reach the
# console through the root logger. (Django's mail_admins handler goes with them: ADMINS is unset,
# and its mails would carry the full request.) gunicorn's logs: gunicorn.conf.py logger_class.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "procurement.core.redaction.RedactTokensFilter"}},
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]},
        "django.server": {
            "level": "INFO",
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_tokens"],
        },
    },
    "loggers": {
        "django": {"handlers": [], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "WARNING")},
}

# --- Background tasks (PDF reports) -------------------------------------------
# django-tasks-db keeps the queue in the database; `manage.py db_worker` runs it
# (make run starts one beside the server). TASKS_BACKEND=immediate renders inline.
TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend"
        if env("TASKS_BACKEND") == "immediate"
        else "django_tasks_db.backend.DatabaseBackend"
    }
}
# A worker rendering a PDF holds the report for this long, renewing it a third of the way
# through; a report whose lease ran out lost its worker and is queued again (by the next
# status poll or page view). After REPORT_MAX_ATTEMPTS lost renders it is marked failed.
REPORT_LEASE_SECONDS = int(env("REPORT_LEASE_SECONDS", "30"))
REPORT_MAX_ATTEMPTS = int(env("REPORT_MAX_ATTEMPTS", "3"))
# No task started for this long while one waits: no worker is running (the report page says
# so, and `manage.py check --database default` warns).
WORKER_SILENT_SECONDS = int(env("WORKER_SILENT_SECONDS", "60"))
# A draft's PDF is rendered ahead of the click this long after the last change to its record
# (at once when it is submitted, taken into review or the vendor submits); reports/services.py.
REPORT_PRERENDER_QUIET_SECONDS = int(env("REPORT_PRERENDER_QUIET_SECONDS", "60"))

# --- Evidence uploads ---------------------------------------------------------
EVIDENCE_MAX_BYTES = int(env("EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024)))
# Quotas, so a link holder cannot fill the media volume (a vendor link counts its own uploads).
EVIDENCE_MAX_FILES_PER_ASSESSMENT = int(env("EVIDENCE_MAX_FILES_PER_ASSESSMENT", "200"))
EVIDENCE_MAX_BYTES_PER_ASSESSMENT = int(env("EVIDENCE_MAX_BYTES_PER_ASSESSMENT", str(500 * 1024 * 1024)))
EVIDENCE_MAX_FILES_PER_LINK = int(env("EVIDENCE_MAX_FILES_PER_LINK", "60"))
EVIDENCE_MAX_BYTES_PER_LINK = int(env("EVIDENCE_MAX_BYTES_PER_LINK", str(200 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Whole request bodies (procurement/core/middleware.py): larger ones get 413 before a byte is read.
# Uploads (section saves with evidence, answer-file import) may carry one evidence file plus the form.
REQUEST_BODY_MAX_BYTES = int(env("REQUEST_BODY_MAX_BYTES", str(2 * 1024 * 1024 + 512 * 1024)))
UPLOAD_REQUEST_MAX_BYTES = int(env("UPLOAD_REQUEST_MAX_BYTES", str(EVIDENCE_MAX_BYTES + 2 * 1024 * 1024)))
if UPLOAD_REQUEST_MAX_BYTES <= EVIDENCE_MAX_BYTES:
    raise ImproperlyConfigured("UPLOAD_REQUEST_MAX_BYTES must exceed EVIDENCE_MAX_BYTES (the form adds its own bytes).")

# --- Vendor portal --------------------------------------------------------------
# Links last this many days unless the analyst picks otherwise (1-90).
PORTAL_LINK_DAYS = int(env("PORTAL_LINK_DAYS", "14"))
# Bad or tampered link tokens allowed per client address (client_ip) per window before
# every link from that address gets 429. Counted in the database, so it holds across processes.
PORTAL_BAD_TOKEN_LIMIT = int(env("PORTAL_BAD_TOKEN_LIMIT", "20"))
PORTAL_BAD_TOKEN_WINDOW = int(env("PORTAL_BAD_TOKEN_WINDOW", str(15 * 60)))  # seconds
# Where links in mails sent outside a request (send_reminders) point.
SITE_URL = env("DJANGO_SITE_URL", "http://127.0.0.1:8000")

# --- Notifications and reminders ----------------------------------------------
# One schedule per kind of deadline (procurement/core/schedule.py): reminders this many days
# before, one on the day, then every N days while overdue (0: none). An organisation may
# override a kind in the admin ("Reminder schedules"). `manage.py send_notifications` reads it.
REMINDER_SCHEDULE = {
    "condition": {"before_days": [7, 1], "on_the_day": True, "overdue_every_days": 7},
    "review": {"before_days": [30, 7, 1], "on_the_day": True, "overdue_every_days": 7},
    "acceptance": {"before_days": [30, 7, 1], "on_the_day": True, "overdue_every_days": 7},
    "evidence": {"before_days": [30, 7, 1], "on_the_day": True, "overdue_every_days": 7},
    "contract_notice": {"before_days": [30, 7, 1], "on_the_day": True, "overdue_every_days": 7},
    "model_retirement": {"before_days": [30, 7, 1], "on_the_day": True, "overdue_every_days": 7},
}
