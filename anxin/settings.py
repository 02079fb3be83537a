"""Settings for anxin.

Every tunable is read from the environment through a typed helper that refuses nonsense
at start-up, with a safe default for the embedded demo. Each setting is listed in
``SETTINGS_DOC`` (name, default, help); ``docs/settings.md`` is checked against it by a test.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

#: name -> (default as text, help in one line). Filled by the helpers below.
SETTINGS_DOC: dict[str, tuple[str, str]] = {}


def env_str(name: str, default: str, help: str) -> str:
    SETTINGS_DOC[name] = (default, help)
    return os.environ.get(name, default)


def env_bool(name: str, default: bool, help: str) -> bool:
    SETTINGS_DOC[name] = ("true" if default else "false", help)
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int, help: str, *, minimum: int = 0, maximum: int | None = None) -> int:
    SETTINGS_DOC[name] = (str(default), help)
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc
    if value < minimum or (maximum is not None and value > maximum):
        raise ImproperlyConfigured(f"{name} must be between {minimum} and {maximum}, not {value}")
    return value


def env_path(name: str, default: str, help: str) -> Path:
    raw = env_str(name, default, help)
    path = Path(raw)
    return path if path.is_absolute() else (Path.cwd() / path)


# --- core -------------------------------------------------------------------------------
DEBUG = env_bool("ANXIN_DEBUG", True, "Django debug mode. Turn off in production.")
SECRET_KEY = env_str(
    "ANXIN_SECRET_KEY",
    "anxin-demo-secret-key-change-me-in-production-0123456789",
    "Django secret key (sessions, CSRF). Must be set in production.",
)
if not DEBUG and SECRET_KEY.startswith("anxin-demo-"):
    raise ImproperlyConfigured("ANXIN_SECRET_KEY must be set when ANXIN_DEBUG is false")
ALLOWED_HOSTS = [
    h.strip()
    for h in env_str(
        "ANXIN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver", "Comma-separated host names served."
    ).split(",")
    if h.strip()
]
VAR_DIR = env_path("ANXIN_VAR", "var", "Folder for the embedded database, keys, mail and other local state.")
_VAR = os.environ.get("ANXIN_VAR") or "var"


def _under_var(name: str, default_tail: str, help: str) -> str:
    """A setting whose default lies under ANXIN_VAR (documented as ``$ANXIN_VAR/...``)."""
    value = env_str(name, default_tail if "$ANXIN_VAR" in default_tail else "$ANXIN_VAR/" + default_tail, help)
    return value.replace("$ANXIN_VAR", _VAR)


DATABASE_URL = _under_var(
    "DATABASE_URL",
    "sqlite:///$ANXIN_VAR/anxin.sqlite3",
    "Operational database: sqlite:///path (embedded default) or postgres://user@host:port/db. "
    "A relative sqlite path is taken from the working folder.",
)
ANXIN_LAKE = Path(_under_var("ANXIN_LAKE", "lake", "Root folder of the Parquet lake."))
if not ANXIN_LAKE.is_absolute():
    ANXIN_LAKE = Path.cwd() / ANXIN_LAKE


def _database(url: str) -> dict[str, object]:
    if url.startswith("sqlite:///"):
        # A relative sqlite path is taken from the working directory, like ANXIN_LAKE.
        name = url[len("sqlite:///") :]
        if name and name != ":memory:":
            path = Path(name) if name.startswith("/") else Path.cwd() / name
            path.parent.mkdir(parents=True, exist_ok=True)
            url = "sqlite:///" + str(path)
    try:
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=0))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {url!r}") from exc
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web server read while an ingest writes; IMMEDIATE avoids lock upgrades.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
        test_name = os.environ.get("ANXIN_TEST_SQLITE")
        if test_name:
            # Tests that inspect the raw database file need it on disk, not in memory.
            config["TEST"] = {"NAME": test_name}
    return config


DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "anxin.core",
    "anxin.registry",
    "anxin.lake",
    "anxin.leads",
    "anxin.synth",
    "anxin.monitoring",
    "anxin.warnings",
    "anxin.evaluation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "anxin.urls"
WSGI_APPLICATION = "anxin.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "anxin" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "anxin.core.views.jurisdiction_context",
            ],
        },
    },
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# Feeds carry China time without a zone (contract); we keep naive local datetimes throughout.
USE_TZ = False

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "mail"

# --- personal data ----------------------------------------------------------------------
ANXIN_KEY_FILE = Path(
    _under_var(
        "ANXIN_KEY_FILE",
        "keys/anxin.keys.json",
        "Key file holding the PII encryption keys (by version) and the pseudonym key. "
        "Created on first use when ANXIN_DEBUG is true; must exist in production.",
    )
)
if not ANXIN_KEY_FILE.is_absolute():
    ANXIN_KEY_FILE = Path.cwd() / ANXIN_KEY_FILE
ANXIN_PII_KEYS = env_str(
    "ANXIN_PII_KEYS",
    "",
    "PII encryption keys as 'version:base64key,…' (32-byte AES keys); overrides the key file. "
    "The highest version encrypts; every listed version decrypts.",
)
ANXIN_PSEUDONYM_KEY = env_str(
    "ANXIN_PSEUDONYM_KEY",
    "",
    "Base64 key of the HMAC-SHA256 pseudonyms used as join keys; overrides the key file. Never rotate it.",
)

# --- ingestion --------------------------------------------------------------------------
ANXIN_INGEST_MAX_UPLOAD_ROWS = env_int(
    "ANXIN_INGEST_MAX_UPLOAD_ROWS", 50_000, "Most rows one API request may post to /api/feeds/{feed}.", minimum=1
)
ANXIN_PAGE_SIZE = env_int("ANXIN_PAGE_SIZE", 50, "Rows per page in the web lists.", minimum=5, maximum=500)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int(
    "ANXIN_MAX_REQUEST_BYTES", 64 * 1024 * 1024, "Largest request body accepted (bytes).", minimum=1024
)

# --- monitoring -------------------------------------------------------------------------
ANXIN_ENGINE = env_str("ANXIN_ENGINE", "duckdb", "Engine of the daily run: duckdb (embedded) or spark.")
if ANXIN_ENGINE not in ("duckdb", "spark"):
    raise ImproperlyConfigured(f"ANXIN_ENGINE must be duckdb or spark, not {ANXIN_ENGINE!r}")
ANXIN_ENGINE_THREADS = env_int("ANXIN_ENGINE_THREADS", 0, "DuckDB threads for the daily run (0 = one per core).")
ANXIN_ENGINE_MEMORY = env_str(
    "ANXIN_ENGINE_MEMORY",
    "",
    "Memory DuckDB may use for the daily run's joins and groups before it spills to $ANXIN_VAR/tmp "
    "(a DuckDB size: 3GB, 500MB…; empty = DuckDB's default, 80% of RAM).",
)
ANXIN_SPARK_MASTER = env_str("ANXIN_SPARK_MASTER", "local[2]", "Spark master URL when ANXIN_ENGINE=spark.")
ANXIN_STATE_KEEP_DAYS = env_int(
    "ANXIN_STATE_KEEP_DAYS",
    7,
    "How many daily state snapshots the daily run keeps (older ones are deleted).",
    minimum=2,
)
ANXIN_RULE_OVERRIDES = env_str(
    "ANXIN_RULE_OVERRIDES",
    "",
    "Rule thresholds that differ from docs/rules.md, as 'WP02.min_late_periods=3,PD01.max_share=0.1'.",
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("ANXIN_LOG_LEVEL", "WARNING", "Root log level.")},
}

# --- leads ---
ANXIN_PUBLIC_BASE_URL = env_str(
    "ANXIN_PUBLIC_BASE_URL",
    "http://127.0.0.1:8000",
    "Absolute address workers reach anxin at; the project QR codes on site posters encode it.",
).rstrip("/")
ANXIN_LEADS_DEDUPE_DAYS = env_int(
    "ANXIN_LEADS_DEDUPE_DAYS",
    30,
    "Leads on the same employer and period received within this many days merge into one case.",
    minimum=0,
    maximum=366,
)
ANXIN_LEADS_ACCEPT_WORKING_DAYS = env_int(
    "ANXIN_LEADS_ACCEPT_WORKING_DAYS",
    5,
    "Working days to accept a lead (关于实施《劳动保障监察条例》若干规定 第十八条).",
    minimum=1,
    maximum=60,
)
ANXIN_LEADS_FINISH_WORKING_DAYS = env_int(
    "ANXIN_LEADS_FINISH_WORKING_DAYS",
    60,
    "Working days from acceptance to closure (劳动保障监察条例 第十七条).",
    minimum=1,
    maximum=365,
)
ANXIN_LEADS_EXTENSION_WORKING_DAYS = env_int(
    "ANXIN_LEADS_EXTENSION_WORKING_DAYS",
    30,
    "Working days one extension adds (劳动保障监察条例 第十七条).",
    minimum=0,
    maximum=365,
)
ANXIN_LEADS_SUPERVISION_WORKING_DAYS = env_int(
    "ANXIN_LEADS_SUPERVISION_WORKING_DAYS",
    20,
    "Default deadline of a 挂牌督办 listing, in working days.",
    minimum=1,
    maximum=365,
)
ANXIN_LEADS_SUBMITS_PER_IP_HOUR = env_int(
    "ANXIN_LEADS_SUBMITS_PER_IP_HOUR", 5, "Public complaints one client address may file per hour.", minimum=1
)
ANXIN_LEADS_SUBMITS_PER_PROJECT_HOUR = env_int(
    "ANXIN_LEADS_SUBMITS_PER_PROJECT_HOUR",
    30,
    "Public complaints one project's QR code may receive per hour.",
    minimum=1,
)
ANXIN_LEADS_LOOKUPS_PER_IP_HOUR = env_int(
    "ANXIN_LEADS_LOOKUPS_PER_IP_HOUR", 30, "Lookups by complaint code one client address may make per hour.", minimum=1
)
ANXIN_LEADS_MAX_DESCRIPTION_CHARS = env_int(
    "ANXIN_LEADS_MAX_DESCRIPTION_CHARS",
    2000,
    "Longest complaint text the public form accepts (characters).",
    minimum=100,
    maximum=20000,
)
ANXIN_LEADS_MAX_FORM_BYTES = env_int(
    "ANXIN_LEADS_MAX_FORM_BYTES",
    32768,
    "Largest public complaint request body (bytes); larger ones are refused.",
    minimum=4096,
)
ANXIN_LEADS_HOTLINE = env_str("ANXIN_LEADS_HOTLINE", "12345", "Complaint hotline printed on the site poster.")


def env_points(name: str, default: str, help: str) -> dict[str, int]:
    """A 'CODE=points,CODE=points' map of rule codes to non-negative integers."""
    raw = env_str(name, default, help)
    out: dict[str, int] = {}
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        code, sep, value = part.partition("=")
        code = code.strip().upper()
        if not sep or not code.isalnum():
            raise ImproperlyConfigured(f"{name}: {part!r} is not CODE=number")
        try:
            out[code] = int(value)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}: {part!r} is not CODE=number") from exc
        if out[code] < 0:
            raise ImproperlyConfigured(f"{name}: {part!r} must not be negative")
    return out


def env_codes(name: str, default: str, help: str) -> list[str]:
    """A comma-separated list of rule codes, code prefixes or 'A+B' combinations."""
    raw = env_str(name, default, help)
    items = [p.strip().upper() for p in raw.split(",") if p.strip()]
    for item in items:
        if not all(part.isalnum() for part in item.split("+")):
            raise ImproperlyConfigured(f"{name}: {item!r} is not a rule code, prefix or A+B combination")
    return items


# --- risk levels and warnings (docs/warnings.md) ---
ANXIN_RISK_WEIGHTS = env_points(
    "ANXIN_RISK_WEIGHTS",
    "WP01=40,PS01=30,WA04=20,WA02=18,WA03=15,WP04=15,WP06=15,EN01=15,EN04=15,LD01=15,"
    "WP02=12,WP05=12,WP08=12,WP09=12,PD01=12,EN03=12,EN02=10,WA01=10,WP03=10,WP07=8",
    "Risk score points of each rule's open finding (before severity, size and freshness); see docs/warnings.md.",
)
ANXIN_RISK_DEFAULT_WEIGHT = env_int(
    "ANXIN_RISK_DEFAULT_WEIGHT", 4, "Risk score points of a rule not listed in ANXIN_RISK_WEIGHTS.", maximum=100
)
ANXIN_RISK_SCORE_SCALE = env_int(
    "ANXIN_RISK_SCORE_SCALE",
    60,
    "Points at which the risk score reaches 63 of 100 (score = 100 × (1 − e^(−points/scale))).",
    minimum=1,
)
ANXIN_RISK_URGENT_WORKERS = env_int(
    "ANXIN_RISK_URGENT_WORKERS", 30, "Arrears (WP01) affecting at least this many workers is urgent.", minimum=1
)
ANXIN_RISK_URGENT_AMOUNT_YUAN = env_int(
    "ANXIN_RISK_URGENT_AMOUNT_YUAN", 500_000, "Arrears (WP01) of at least this many yuan is urgent.", minimum=1
)
ANXIN_RISK_FESTIVAL_DAYS = env_int(
    "ANXIN_RISK_FESTIVAL_DAYS",
    30,
    "Days before Spring Festival in which any arrears is urgent and scores weigh more.",
    maximum=90,
)
ANXIN_RISK_HIGH_COMBOS = env_codes(
    "ANXIN_RISK_HIGH_COMBOS",
    "WA02+WA04,EN01+EN04,EN01+EN02+EN03",
    "Combinations of rules that make a subject high risk when all hold at once (besides WP01 and strong LD01).",
)
ANXIN_RISK_MEDIUM_PREFIXES = env_codes(
    "ANXIN_RISK_MEDIUM_PREFIXES",
    "WA01,WA02,WA03,PD,WP,EN,PS",
    "Rule codes (or prefixes) that make a subject at least medium risk; other rules alone are low "
    "(WA04 and LD01 alone are low: see docs/warnings.md).",
)
ANXIN_WARNING_CLEAR_DAYS = env_int(
    "ANXIN_WARNING_CLEAR_DAYS",
    30,
    "A warning closes by itself when its subject has been below medium risk for this many days.",
    minimum=1,
)
ANXIN_WARNING_VERIFY_DAYS = env_points(
    "ANXIN_WARNING_VERIFY_DAYS",
    "URGENT=1,HIGH=3,MEDIUM=5",
    "Working days to verify a warning, by its level.",
)
if set(ANXIN_WARNING_VERIFY_DAYS) != {"URGENT", "HIGH", "MEDIUM"} or min(ANXIN_WARNING_VERIFY_DAYS.values()) < 1:
    raise ImproperlyConfigured("ANXIN_WARNING_VERIFY_DAYS must give URGENT, HIGH and MEDIUM, each at least 1")
ANXIN_WARNING_HANDLE_DAYS = env_int(
    "ANXIN_WARNING_HANDLE_DAYS", 15, "Working days to handle a warning once verified as true.", minimum=1
)
ANXIN_WARNING_ESCALATION = env_points(
    "ANXIN_WARNING_ESCALATION",
    "CITY=1,PROVINCE=5",
    "Escalation ladder: working days a deadline may be missed before the city, then the province (挂牌督办), takes it up.",
)
if set(ANXIN_WARNING_ESCALATION) != {"CITY", "PROVINCE"} or not (
    1 <= ANXIN_WARNING_ESCALATION["CITY"] <= ANXIN_WARNING_ESCALATION["PROVINCE"]
):
    raise ImproperlyConfigured("ANXIN_WARNING_ESCALATION must give CITY and PROVINCE with 1 <= CITY <= PROVINCE")
ANXIN_WARNING_UNFOUNDED_SUPPRESS_DAYS = env_int(
    "ANXIN_WARNING_UNFOUNDED_SUPPRESS_DAYS",
    90,
    "Days a warning verified 不属实 keeps its rules from raising another warning on the subject.",
    maximum=730,
)
ANXIN_WARNING_CLOSED_QUIET_DAYS = env_int(
    "ANXIN_WARNING_CLOSED_QUIET_DAYS",
    10,
    "Days after an official closes a warning in which the same findings do not raise a new one.",
    maximum=365,
)
ANXIN_WARNING_EVIDENCE_GROWTH_PCT = env_int(
    "ANXIN_WARNING_EVIDENCE_GROWTH_PCT",
    20,
    "A suppressed rule counts again when its workers or money at stake grow by more than this percentage.",
    maximum=1000,
)
ANXIN_WARNING_MAIL_FROM = env_str(
    "ANXIN_WARNING_MAIL_FROM", "anxin@localhost", "Sender address of warning notification e-mails."
)

# --- contract-performance evaluation (docs/evaluation.md) ---
ANXIN_EVALUATION_POINTS = env_points(
    "ANXIN_EVALUATION_POINTS",
    "WA01=10,WA02=10,PD01=10,DP01=10",
    "Points an open finding deducts from its sub-score, for rules that differ from ANXIN_EVALUATION_DEFAULT_POINTS.",
)
ANXIN_EVALUATION_DEFAULT_POINTS = env_int(
    "ANXIN_EVALUATION_DEFAULT_POINTS", 5, "Points an open finding deducts from its sub-score.", maximum=25
)
ANXIN_EVALUATION_ARREARS_CAP = env_int(
    "ANXIN_EVALUATION_ARREARS_CAP",
    59,
    "Highest total while any project of the contractor has arrears (WP01).",
    maximum=100,
)
