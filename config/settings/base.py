"""Settings shared by every environment; each value that differs comes from the environment."""

from django.utils.translation import gettext_lazy as _

from config.env import BASE_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY")  # no default here: local.py and test.py set their own
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

DJANGO_APPS = [
    "unfold",
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "unfold.contrib.import_export",
    "unfold.contrib.simple_history",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "import_export",
    "simple_history",
    "django_celery_beat",
    "axes",
]
LOCAL_APPS = ["common", "sellers", "catalog", "orders", "logistics", "finance", "integrations"]
LOCAL_APPS += ["transfers"]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
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

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's default (4) prices a random page read as on a spinning disk, so look-ups of a few
    # hundred keys by a unique index (a sync page's orders) turn into scans of the whole table once it
    # holds some tens of thousands of rows. With the working set in memory or on SSD, 1.1 is the usual value.
    _planner = f"-c random_page_cost={env.float('DATABASE_RANDOM_PAGE_COST', default=1.1)}"
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options['options']} {_planner}" if _options.get("options") else _planner
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first, so a locked-out user is refused before the password check
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# Login lockout (django-axes): a username+IP pair is locked after AXES_FAILURE_LIMIT failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"

LANGUAGE_CODE = env("LANGUAGE_CODE", default="id")
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
# Ours first; then Indonesian for third-party screens that ship none (unfold, import-export, beat).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "vendor"]
TIME_ZONE = "Asia/Jakarta"  # shown in WIB; stored in UTC
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000  # admin actions on a full page of selected rows

# Encrypted model fields use keys of their own, never SECRET_KEY. The first key encrypts; every key
# decrypts, so a new key is put first and `manage.py rotate_encryption_keys` re-encrypts the rows.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

# Local demo only: creates the demo users and data (see `manage.py load_demo_data`).
DEMO_ENABLED = False
SANDBOX_ENABLED = env.bool("SANDBOX_ENABLED", default=False)
SANDBOX_LIVE = env.bool("SANDBOX_LIVE", default=False)  # simulators keep adding new orders (the demo)

# Admin changelists of these sizes switch to an estimated count (PostgreSQL reltuples).
ADMIN_ESTIMATED_COUNT_THRESHOLD = env.int("ADMIN_ESTIMATED_COUNT_THRESHOLD", default=20000)
LOW_STOCK_THRESHOLD = env.int("LOW_STOCK_THRESHOLD", default=5)

# Payouts to a bank account whose number, bank or holder changed within this many hours are refused.
WITHDRAWAL_BANK_COOLING_OFF_HOURS = env.int("WITHDRAWAL_BANK_COOLING_OFF_HOURS", default=24)

# Pickups: the latest time of day a pickup window may start (local time, HH:MM), and how far ahead of
# now a pickup must be requested, in minutes.
PICKUP_CUTOFF_TIME = env("PICKUP_CUTOFF_TIME", default="15:00")
PICKUP_MIN_LEAD_MINUTES = env.int("PICKUP_MIN_LEAD_MINUTES", default=60)
SHIPMENT_STUCK_DAYS = env.int("SHIPMENT_STUCK_DAYS", default=3)  # no tracking movement this long: "stuck"
TICKET_ATTACHMENT_MAX_BYTES = env.int("TICKET_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
# Tickets: hours from opening to the SLA due time of a normal-priority ticket (urgent ¼, high ½, low 3×);
# how far back the first ticket pull reads, and how much each later pull overlaps the previous one.
TICKET_SLA_HOURS = env.int("TICKET_SLA_HOURS", default=24)
TICKET_PULL_OVERLAP_HOURS = env.int("TICKET_PULL_OVERLAP_HOURS", default=24)

# Bulk import and export (transfers): the largest upload, the XLSX unpacking limits (zip bombs), the upload
# size above which the preview and the import run as Celery jobs, and the export size that does the same.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=25 * 1024 * 1024)
IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES = env.int("IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES", default=300 * 1024 * 1024)
IMPORT_XLSX_MAX_RATIO = env.int("IMPORT_XLSX_MAX_RATIO", default=100)
IMPORT_ASYNC_THRESHOLD_BYTES = env.int("IMPORT_ASYNC_THRESHOLD_BYTES", default=1024 * 1024)
EXPORT_ASYNC_THRESHOLD_ROWS = env.int("EXPORT_ASYNC_THRESHOLD_ROWS", default=5000)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "common.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Back office mobile API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

# Mobile API (/api/v1/): expiring tokens, throttles per user and per IP, cursor pages, one error format.
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=24 * 30)
API_PAGE_SIZE = env.int("API_PAGE_SIZE", default=20)
# The API's per-request queries (token lookup, the order list's pages) as prepared statements on PostgreSQL:
# planned once per connection instead of on every request. Off behind a pooler in transaction mode that
# does not keep prepared statements (PgBouncer before 1.21, or without max_prepared_statements).
API_PREPARED_STATEMENTS = env.bool("API_PREPARED_STATEMENTS", default=True)
# Seconds a worker process keeps a token's row (token, user, seller user) between requests. A logout or a
# change to the user in the admin applies at once in the process that made it and within this many seconds
# in the others; 0 reads the token on every request.
API_TOKEN_CACHE_SECONDS = env.float("API_TOKEN_CACHE_SECONDS", default=5.0)
REST_FRAMEWORK.update({
    "DEFAULT_AUTHENTICATION_CLASSES": ["common.api_auth.ExpiringTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "common.api_auth.IsSellerUser"],
    "DEFAULT_THROTTLE_CLASSES": ["common.api_auth.UserThrottle", "common.api_auth.IPThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env("API_THROTTLE_USER", default="600/min"),
        "ip": env("API_THROTTLE_IP", default="1200/min"),
        "login": env("API_THROTTLE_LOGIN", default="10/min"),
    },
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),  # proxies in front that set X-Forwarded-For
    "DEFAULT_PAGINATION_CLASS": "common.api_views.ApiCursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["common.api_views.ApiFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "common.api_schema.ApiAutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
})
SPECTACULAR_SETTINGS.update({
    "DESCRIPTION": "API of the sellers' mobile app. Authenticate with `Authorization: Token <token>` from "
                   "`POST /api/v1/auth/login/`. Creating requests honour an `Idempotency-Key` header. Every error "
                   "has the body `{\"error\": {\"code\", \"message\", \"fields\"}}`.",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],  # the schema and its pages are public
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "orders.models.OrderStatus",
        "PaymentStatusEnum": "orders.models.PaymentStatus",
        "PaymentMethodEnum": "orders.models.PaymentMethod",
        "PlatformEnum": "integrations.models.Platform",
        "SellerStatusEnum": "sellers.models.Seller.Status",
        "ProductStatusEnum": "catalog.models.Product.Status",
        "ShipmentStatusEnum": "logistics.models.ShipmentStatus",
        "PickupStatusEnum": "logistics.models.PickupRequest.Status",
        "TicketStatusEnum": "logistics.models.Ticket.Status",
        "TicketTypeEnum": "logistics.models.Ticket.Type",
        "WithdrawalStatusEnum": "finance.models.Withdrawal.Status",
    },
})
AXES_LOCKOUT_CALLABLE = "common.api_auth.lockout_response"  # JSON error format under /api/
# Throttle counters live in this cache: use a shared one (e.g. redis://…) when several servers answer.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

from config.settings.celery import *  # noqa: E402, F403
from config.settings.integrations import *  # noqa: E402, F403
from config.settings.unfold import *  # noqa: E402, F403

# Finance: the largest transfer proof accepted (bytes; image or PDF), and the days a delivered COD parcel
# may wait for its remittance before the COD variances list it as "missing".
WITHDRAWAL_PROOF_MAX_BYTES = env.int("WITHDRAWAL_PROOF_MAX_BYTES", default=5 * 1024 * 1024)
COD_REMITTANCE_GRACE_DAYS = env.int("COD_REMITTANCE_GRACE_DAYS", default=7)
