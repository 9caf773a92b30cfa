"""Settings shared by every environment, read from the environment (DESIGN.md rule 6).

No DATABASE_URL: a SQLite file for the laptop demo. No REDIS_URL: the in-memory channel layer.
The same code runs on both.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for a local demo).")
    SECRET_KEY = "insecure-local-demo-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",  # before staticfiles: runserver becomes the ASGI server
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "django_filters",
    "simple_history",
    "privacy",  # below casework: casework asks it, it imports no app above it
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "viewflow",
    "viewflow.workflow",
    "casework",
    "workflows",
    "notifications",
    "community",
    "audit",
    "reporting",
    "web",  # the pages (views, forms, template tags) above the domain apps
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "bench",  # manage.py bench (BENCHMARKS.md); no models
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "web.sessions.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "web.privacy.middleware.OTPRequiredMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

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
                "web.context_processors.staff",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'lepes.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
    # WAL roughly doubles demo write throughput and lets readers run beside the writer;
    # IMMEDIATE makes a transaction take the write lock up front, the nearest SQLite has to
    # SELECT ... FOR UPDATE.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    if env_bool("DB_POOL", True) and not DATABASES["default"]["CONN_MAX_AGE"]:
        # A connection pool per worker process (psycopg-pool): daphne runs every request's
        # synchronous code in a thread of its own, so Django's persistent connections do not
        # apply (Django's deployment notes on ASGI) and each request would otherwise open a
        # new PostgreSQL connection, a new server process with cold catalogue caches.
        _options["pool"] = {
            "min_size": int(os.environ.get("DB_POOL_MIN", "2")),
            "max_size": int(os.environ.get("DB_POOL_MAX", "10")),
            "timeout": 10,
        }
    if env_bool("DB_PREPARED_STATEMENTS", True):
        # Parameters bound by the server, and statements prepared on a connection once they
        # have run twice: PostgreSQL plans the ORM's many-join queries once per pooled
        # connection instead of on every request (planning was up to half of a page's database
        # time: BENCHMARKS.md). DB_PREPARED_STATEMENTS=0 behind a pooler in transaction mode
        # (PgBouncer without max_prepared_statements), which cannot keep prepared statements.
        _options.update(server_side_binding=True, prepare_threshold=2)
    # The pages' queries read a few hundred rows by index and stop at a LIMIT. Where the
    # planner's estimate passes the parallel or JIT thresholds anyway, launching a worker
    # (about 19 ms: the supervisor's case list at 100,000 cases spent 19 of its 23 ms in Gather
    # Merge) or compiling (1.3 s once on the supervisor's home page) costs far more than the
    # query (BENCHMARKS.md). DB_SESSION_OPTIONS="" gives the server's own settings back.
    _session = os.environ.get(
        "DB_SESSION_OPTIONS", "-c jit=off -c max_parallel_workers_per_gather=0"
    ).strip()
    if _session:
        _options["options"] = _session

# Report pages and exports may read from a read replica (reporting/routers.py); everything
# else, and every write, uses the primary.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **dj_database_url.parse(
            os.environ["DATABASE_REPLICA_URL"], conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]
        ),
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["reporting.routers.ReportReplicaRouter"]

# Who runs the long exports (reporting/jobs.py): a thread of the web worker after the request
# commits ("thread"), or only the `manage.py run_export_jobs` command ("worker").
REPORTING_EXPORT_RUNNER = os.environ.get("REPORTING_EXPORT_RUNNER", "thread")

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py 8 gives every read a 5 s socket timeout, exactly as long as channels-redis
            # blocks in BZPOPMIN: under load the timeout wins and kills the consumers' receive.
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 15}]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses every attempt on a locked-out account or address (django-axes).
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, answering the roles' own permissions from casework.roles without its two
    # permission queries.
    "casework.auth.RoleModelBackend",
    # Answers the per-organisation queue permissions of Viewflow's pooled tasks.
    "casework.auth.OrganisationQueueBackend",
]
# Login throttling (ASVS L2, django-axes): ten wrong passwords in a row for one username, or
# from one address, and the next attempt is refused for AXES_COOLOFF_MINUTES. The username is
# counted whether or not it exists, so the answer tells nothing about which accounts exist.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "11"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = int(os.environ.get("AXES_COOLOFF_MINUTES", "30")) / 60  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "web.privacy.views.lockout"
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT", "0")) or None

# Sessions end after SESSION_IDLE_MINUTES without a request: renewed (saved, cookie sent again)
# at most every SESSION_RENEW_SECONDS rather than on every request (web/sessions.py), so a
# session ends up to that much earlier.
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_RENEW_SECONDS = int(os.environ.get("SESSION_RENEW_SECONDS", "60"))

# Roles that must enter a TOTP code (django-otp) after the password. Production turns it on.
OTP_REQUIRED_ROLES = env_list("OTP_REQUIRED_ROLES", [])
OTP_TOTP_ISSUER = "Lépés"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "casework:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "hu"
LANGUAGES = [("hu", _("Hungarian")), ("sk", _("Slovak")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Budapest"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "lepes@localhost")

# simple-history: the change reason says which service wrote the row ("plan.approve").
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# The HTTP API (api/): token or session authentication, JSON only, errors as {code, message}.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Lépés API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # api.urls' <id:...> converter: digits up to 18, so that no id overflows a database integer.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 1, "maximum": 10**18 - 1}},
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "kernel.choices.Stage",
        "ExitOutcomeEnum": "casework.models.ExitOutcome",
        "SessionKindEnum": "casework.models.SessionKind",
        "FollowUpKindEnum": "casework.models.FollowUpKind",
        "FollowUpStatusEnum": "kernel.choices.FollowUpStatus",
        "PlanStatusEnum": "kernel.choices.PlanStatus",
        "ScreeningStatusEnum": "casework.models.ScreeningStatus",
        "ReferralStatusEnum": "casework.models.ReferralStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.forbid_unknown_fields",
    ],
}
