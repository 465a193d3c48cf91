"""Settings for Zhilian OS, read from the environment (see .env.example).

Defaults give a zero-setup development instance: SQLite, the in-memory channel layer and
local-memory cache. Production sets DATABASE_URL, REDIS_URL, SECRET_KEY and DEBUG=false.
"""

from datetime import timedelta
from pathlib import Path

import environ
import orjson
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from zhilian.redis_settings import redis_cache, redis_channel_layer

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example).")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # daphne first: `runserver` then serves HTTP and WebSockets through ASGI.
    "daphne",
    # django.contrib.admin with our site (the login lockout on the admin's login page).
    "zhilian.admin_config.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "csp",
    # The audit trail's table and history view; entries are written by our services (zhilian.audit).
    "auditlog",
    # Celery beat's schedule in the database, edited by admins in the admin (zhilian/jobs.py).
    "django_celery_beat",
    # Changelist exports (CSV, XLSX) and imports with a preview (zhilian/admin/exports.py, imports.py).
    "import_export",
    "zhilian",
    "accounts",
    "stores",
    "orders",
    "inventory",
    "scheduling",
    "reservations",
    "kpis",
    "notifications",
    "menu",
    "attendance",
    "waitlist",
    # Reads every domain above; nothing imports it.
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy (django-csp, plus the page's own WebSocket origin) and
    # Permissions-Policy on every page; below whitenoise, which answers static files itself.
    "zhilian.security.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "zhilian.unavailable.ServiceUnavailableMiddleware",
]

ROOT_URLCONF = "zhilian.urls"
WSGI_APPLICATION = "zhilian.wsgi.application"
ASGI_APPLICATION = "zhilian.asgi.application"

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

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if IS_POSTGRES:
    DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
    if env.bool("DB_POOL", default=True):
        # psycopg 3's pool: connections are reused across requests (and under ASGI, where
        # persistent connections per thread do not help). CONN_MAX_AGE must stay 0 with it.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        # No ping at every checkout (it cost a round trip per request): psycopg's pool drops a
        # connection that broke when it comes back, so a database restart costs the requests that
        # were using one a 503 (zhilian/unavailable.py), and the next ones get fresh connections.
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=False)
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env.int("DB_POOL_MIN_SIZE", default=1),
            "max_size": env.int("DB_POOL_MAX_SIZE", default=10),
            # How long a request waits for a connection before it is answered 503: short, so an
            # unreachable database fails fast instead of holding every request.
            "timeout": env.float("DB_POOL_TIMEOUT", default=3.0),
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=2)
    )
    # Parameters bound on the server, and a statement prepared once it has run DB_PREPARE_THRESHOLD
    # times on a connection: PostgreSQL then plans a hot read once per pooled connection instead
    # of on every request (the order detail spent 0.36 ms planning for 0.05 ms executing).
    # DB_PREPARE_THRESHOLD=-1: client-side binding and no prepared statements, for a pooler that
    # cannot keep them (PgBouncer in transaction mode before 1.21).
    prepare_threshold = env.int("DB_PREPARE_THRESHOLD", default=5)
    if prepare_threshold >= 0:
        DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = prepare_threshold
else:
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 20)

# A read replica (zhilian/db.py, docs/scaling.md): report pages, their API and exports read from
# it; writes and the services' own reads stay on the primary. Same engine and options as the
# primary (pool, timeouts), another address.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    _replica = env.db_url("DATABASE_REPLICA_URL")
    DATABASES["replica"] = {
        **DATABASES["default"],
        **{key: _replica[key] for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT") if key in _replica},
        "OPTIONS": {**DATABASES["default"].get("OPTIONS", {}), **_replica.get("OPTIONS", {})},
    }
    if "pool" in DATABASES["replica"]["OPTIONS"]:
        DATABASES["replica"]["OPTIONS"]["pool"] = dict(DATABASES["replica"]["OPTIONS"]["pool"])
DATABASE_ROUTERS = ["zhilian.db.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Redis: channel layer and cache ---------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")


if REDIS_URL:
    CHANNEL_LAYERS = {"default": redis_channel_layer(REDIS_URL, prefix=env.str("CHANNELS_PREFIX", default="zhilian"))}
    CACHES = {
        "default": redis_cache(
            REDIS_URL,
            prefix=env.str("CACHE_PREFIX", default="zhilian"),
            connect_timeout=env.float("REDIS_CONNECT_TIMEOUT", default=1.0),
            socket_timeout=env.float("REDIS_SOCKET_TIMEOUT", default=1.0),
        )
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Where browsers open WebSockets when the WebSocket server (gunicorn-ws.conf.py) listens on an
# origin of its own, e.g. "ws://127.0.0.1:8001" (`make serve`). Empty: the page's own origin,
# where a proxy routes /ws/ to it (docker-compose.yml, deploy/nginx.conf).
ZHILIAN_WS_URL = env.str("ZHILIAN_WS_URL", default="").rstrip("/")
# Seconds between the heartbeats each live socket gets through the channel layer; the dashboard
# reconnects a socket that stays silent for two of them. 0 turns them off.
ZHILIAN_WS_HEARTBEAT_SECONDS = env.float("ZHILIAN_WS_HEARTBEAT_SECONDS", default=25.0)

DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# --- Background jobs: Celery (zhilian/celery.py; docs/architecture.md, "Jobs") ---------------------
# The broker: CELERY_BROKER_URL (e.g. amqp://guest:guest@127.0.0.1:5672// for RabbitMQ), else the
# Redis of REDIS_URL. Without either (development) tasks run eagerly in the process that calls
# them, and `make run` starts beat beside the server so the schedule still runs (eagerly, in beat).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if not CELERY_BROKER_URL:
    # Never used for a message (every task is eager); beat still opens a producer at start-up.
    CELERY_BROKER_URL = "memory://"
# Results are not needed by anything (jobs log and notify); kept on Redis when the broker is Redis
# so `celery inspect` and a caller that asks (`ignore_result=False`) can read them.
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else None
)
CELERY_TASK_IGNORE_RESULT = True
# Redis expires results itself; without a backend, no expiry (else beat would schedule a cleanup job).
CELERY_RESULT_EXPIRES = timedelta(days=1) if CELERY_RESULT_BACKEND else None
# A job is acknowledged when it has run, not when it was received: a worker that dies mid-job
# leaves it to another. Jobs are idempotent (safe twice), which is what makes this safe.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis re-delivers an unacknowledged message after this long: longer than any job and any retry
# countdown (zhilian.jobs caps the back-off at 10 minutes).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Every job's limits unless it sets its own: SoftTimeLimitExceeded inside the job, then the kill.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ENABLE_UTC = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Keep Django's logging (stdout, LOG_LEVEL) in the worker instead of Celery's own root handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Auth -----------------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out login before any password is checked (accounts/lockout.py).
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.UsernameOrEmailBackend",
]
# Everyone on shift signs in here (the admin's own login admits only admins and managers).
LOGIN_URL = "/dashboard/login/"
LOGIN_REDIRECT_URL = "/dashboard/"

# Anonymous self-registration; such accounts are staff and inactive until a manager activates them.
ZHILIAN_OPEN_REGISTRATION = env.bool("ZHILIAN_OPEN_REGISTRATION", default=False)
# Bounds of every JSON value a client may store (order metadata, customizations, store config, ...).
ZHILIAN_JSON_MAX_DEPTH = env.int("ZHILIAN_JSON_MAX_DEPTH", default=10)
ZHILIAN_JSON_MAX_BYTES = env.int("ZHILIAN_JSON_MAX_BYTES", default=32 * 1024)
# Minutes after the booked time before a reservation that did not arrive is marked no-show.
ZHILIAN_NO_SHOW_GRACE_MINUTES = env.int("ZHILIAN_NO_SHOW_GRACE_MINUTES", default=30)
# The sales forecast's holiday calendar (scheduling.forecast): dotted path of a callable
# (start, end) -> {date: factor or None}; empty: no holidays.
ZHILIAN_HOLIDAY_CALENDAR = env.str("ZHILIAN_HOLIDAY_CALENDAR", default="")
# The order status at which dish lines take their recipes out of stock (menu.services):
# "preparing" (the kitchen starts, default) or "completed".
ZHILIAN_STOCK_DEDUCT_AT = env.str("ZHILIAN_STOCK_DEDUCT_AT", default="preparing")
if ZHILIAN_STOCK_DEDUCT_AT not in ("preparing", "completed"):
    raise ImproperlyConfigured("ZHILIAN_STOCK_DEDUCT_AT must be 'preparing' or 'completed'.")

# Overtime rules of the timesheets (attendance.overtime.Rules; docs/architecture.md, "Attendance"):
# China's standard working-hour system by default. Keys given here replace the defaults.
ZHILIAN_OVERTIME_RULES = env.json("ZHILIAN_OVERTIME_RULES", default={})

# Login lockout (django-axes; the policy is described in accounts/lockout.py). Every door — the
# API, the admin and the dashboard login — shares it. Attempts are recorded in the database, so
# logins work and locks hold without the cache.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)  # failures per account
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env.int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
if min(AXES_FAILURE_LIMIT, LOGIN_FAILURE_LIMIT_PER_ADDRESS, AXES_COOLOFF_TIME.total_seconds()) < 1:
    raise ImproperlyConfigured(
        "LOGIN_FAILURE_LIMIT, LOGIN_FAILURE_LIMIT_PER_ADDRESS and LOGIN_LOCKOUT_MINUTES must be >= 1."
    )
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one over its limit locks
AXES_HANDLER = "accounts.lockout.LoginLockoutHandler"
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
AXES_CLIENT_IP_CALLABLE = "zhilian.net.client_ip"
# Attempts during a lockout neither count nor extend it: the owner waits the cool-off, no longer.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Failures are logged (admins read them in the admin); successes are not (every POS login).
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# accounts/admin.py registers the attempt and failure pages, admins only (zhilian.roles).
AXES_ENABLE_ADMIN = False
SILENCED_SYSTEM_CHECKS = [
    # axes.middleware.AxesMiddleware replaces a locked-out door's answer with its own page (and
    # under ASGI loses the door's response: axes 8.3.1 passes the credentials in its place). Each
    # door answers a lockout itself instead: the API with 429 JSON, the admin and dashboard
    # login forms re-rendered with the message, 429.
    "axes.W002",
]

# Client addresses (zhilian/net.py): X-Forwarded-For is believed only when the connecting peer
# is one of these proxies (addresses or networks, comma-separated). Empty: the header is ignored.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# --- Internationalization -------------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English dates with a 24-hour clock (zhilian/formats/en/formats.py); Chinese keeps Django's.
FORMAT_MODULE_PATH = ["zhilian.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
# Celery beat's crontab entries (04:00, Thursday 06:00) are read in the stores' time zone.
CELERY_TIMEZONE = TIME_ZONE
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
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
WHITENOISE_USE_FINDERS = DEBUG

# --- Uploaded files (dish photos) -----------------------------------------------------------------
# In development `runserver` serves them (zhilian/urls.py, DEBUG only); in production the proxy
# serves MEDIA_ROOT, a volume shared with the HTTP servers (docker-compose.yml, deploy/nginx.conf).
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# A dish photo: at most this many bytes, JPEG, PNG or WebP (menu.models).
ZHILIAN_DISH_PHOTO_MAX_BYTES = env.int("ZHILIAN_DISH_PHOTO_MAX_BYTES", default=2 * 1024 * 1024)

# --- Security ---------------------------------------------------------------------------------
# With DEBUG off the site is HTTPS-only unless told otherwise: HSTS, secure cookies and the
# redirect to HTTPS all follow HTTPS_ONLY, and each can still be set on its own.
HTTPS_ONLY = env.bool("HTTPS_ONLY", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS_ONLY)
# Orchestrators and the container's HEALTHCHECK probe over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/(live|ready)$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS_ONLY else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS_ONLY)
# The preload directive only makes the domain eligible; joining browsers' preload list is a
# separate submission by the domain's owner.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=HTTPS_ONLY)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=HTTPS_ONLY)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=HTTPS_ONLY)
# Behind a proxy that terminates TLS: trust its X-Forwarded-Proto (the proxy must set it and drop
# the client's). request.is_secure() then tells HTTPS from HTTP, so the redirect above stays on
# and sends plain-HTTP requests that reach us through the proxy to HTTPS.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_REFERRER_POLICY = env.str("SECURE_REFERRER_POLICY", default="same-origin")
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Content-Security-Policy (django-csp 4). No inline script anywhere: the dashboard, the admin and
# the API docs load their scripts as files. The nonce is added only where a page asks for it
# (ReDoc's generated styles, zhilian/api/docs.py); views widen the policy per page, never here.
# 'self' covers ws:/wss: of the same host in CSP Level 3 browsers only, so zhilian.security adds
# the page's own WebSocket origin to connect-src.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        **({"report-uri": env.str("CSP_REPORT_URI")} if env.str("CSP_REPORT_URI", default="") else {}),
    },
}
# Permissions-Policy (django-permissions-policy): nothing here uses these browser features.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
    )
}

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # simplejwt's check plus the logout deny list (accounts/tokens.py).
        "accounts.authentication.RevocableJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["zhilian.api.permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "zhilian.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "zhilian.api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # The browsable API (HTML) is a development tool: with DEBUG off the API answers JSON only.
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "zhilian.api.negotiation.BrowsableOnlyInDebugNegotiation",
    # The API reads JSON only (any other body is a 415), and its schema advertises only that
    # (docs/api.md). The admin and the dashboard's login are Django forms, not DRF.
    "DEFAULT_PARSER_CLASSES": ["zhilian.api.parsers.JSONParser"],
    # DRF 3.18 reports nested-list errors as {index: errors}; orjson needs OPT_NON_STR_KEYS for them.
    "ORJSON_RENDERER_OPTIONS": (orjson.OPT_NON_STR_KEYS,),
    "EXCEPTION_HANDLER": "zhilian.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Failed logins are limited by the lockout above; these are rates of DRF throttles, which
    # count per address as zhilian.net.client_ip decides it (zhilian/api/throttling.py).
    "DEFAULT_THROTTLE_RATES": {
        "register": env.str("REGISTER_THROTTLE", default="10/hour"),
    },
    # DRF's own address lookup never believes X-Forwarded-For (our throttles use zhilian.net).
    "NUM_PROXIES": 0,
    "COERCE_DECIMAL_TO_STRING": True,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=10)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "SIGNING_KEY": env.str("JWT_SIGNING_KEY", default=SECRET_KEY),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    # A password change revokes every token issued before it.
    "CHECK_REVOKE_TOKEN": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Zhilian OS API",
    "DESCRIPTION": "Operations back-office of a Chinese restaurant chain: stores, staff, orders, "
    "stock, schedules, reservations and KPIs.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    # A filter box by tag: the API has over 150 operations (Swagger UI renders them virtualised).
    "SWAGGER_UI_SETTINGS": {"filter": True, "deepLinking": True, "persistAuthorization": True},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "orders.models.Order.Status",
        "StoreStatusEnum": "stores.models.Store.Status",
        "TableKindEnum": "stores.models.Table.Kind",
        "EmployeePositionEnum": "stores.models.Employee.Position",
        "RoleEnum": "zhilian.roles.Role",
        "KPIRecordStatusEnum": "kpis.models.KPIRecord.Status",
        "ReservationStatusEnum": "reservations.models.Reservation.Status",
        "StockCountStatusEnum": "inventory.models.StockCount.Status",
        "WaitlistTicketStatusEnum": "waitlist.models.WaitlistTicket.Status",
    },
    "SECURITY": [{"jwtAuth": []}],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "zhilian.api.schema.local_times",
    ],
}

# --- Logging: everything to stdout ------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "plain"},
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": env.str("DB_LOG_LEVEL", default="WARNING")},
    },
}
