"""Configuration classes; every value that differs between machines comes from the environment."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEFAULT_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - refused by ProductionConfig


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


class Config:
    # Where the process keeps its files: the SQLite scheduler lock and the file cache. Processes
    # that share it share one scheduler and one cache, so two checkouts (or a test run beside a
    # `make run`) each need their own.
    INSTANCE_PATH = os.environ.get("INSTANCE_PATH") or str(BASE_DIR / "instance")
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'okik.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # On SQLite, how long a transaction waits for the one writer ahead of it before the page says
    # the database is unavailable (app/core/sqlite.py); the web server and the scheduler
    # take turns writing to the same file.
    SQLITE_BUSY_TIMEOUT_SECONDS = _float("SQLITE_BUSY_TIMEOUT_SECONDS", 20.0)

    # Languages: Polish is the default, English the second locale.
    LANGUAGES = ("pl", "en")
    BABEL_DEFAULT_LOCALE = "pl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Warsaw"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LOCALE_COOKIE = "okik_lang"

    # Who may show the needs widgets in an iframe (CSP frame-ancestors sources, space-separated):
    # any site by default, since every member pastes them into its own; every other page refuses.
    WIDGET_FRAME_ANCESTORS = os.environ.get("WIDGET_FRAME_ANCESTORS", "*")

    # E-mail: printed to the log unless MAIL_SERVER is set, then sent over SMTP.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Giełda Wolontariatu OKIK <no-reply@okik.example.org>"
    )
    # Absolute links in e-mails need the public address of the site.
    SERVER_NAME_FOR_EMAIL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")
    # The identifier in every e-mail's List-Id header (RFC 2919): a name under a domain we own.
    MAIL_LIST_ID = os.environ.get("MAIL_LIST_ID", "gielda.okik.example.org")

    # Accounts.
    EMAIL_CONFIRM_MAX_AGE = _int("EMAIL_CONFIRM_MAX_AGE", 3 * 24 * 3600)
    PASSWORD_RESET_MAX_AGE = _int("PASSWORD_RESET_MAX_AGE", 3600)
    PASSWORD_MIN_LENGTH = 10

    # Rate limits (Flask-Limiter); in production a shared store such as Redis.
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    # Failed sign-ins to one account, from whatever addresses: stops guessing spread over many.
    LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "20 per 10 minutes")
    # How many reverse proxies in front of the app may be believed about the client's address
    # (X-Forwarded-For, as nginx appends it). 0: the connection's address is the client's, and
    # the header, which anyone can send, is ignored. Rate limits count per client address.
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
    REGISTER_RATE_LIMIT = os.environ.get("REGISTER_RATE_LIMIT", "5 per minute;30 per hour")
    RESET_RATE_LIMIT = os.environ.get("RESET_RATE_LIMIT", "5 per minute;20 per hour")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # "Zapamiętaj mnie" lasts this long; older sign-ins are forgotten on the server too.
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    # No page takes files: a request body over 1 MiB is refused with 413 before any form is read.
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 1024 * 1024)

    # Matching: offers hold their place this long. A run is executed by a `flask matching-worker`
    # process (app/proposals/worker.py); with MATCHING_SYNC the request that queued it takes it
    # through the same claim and execution at once (tests).
    OFFER_TTL_HOURS = _int("OFFER_TTL_HOURS", 72)
    # Volunteers check themselves in with a shift's code from this many minutes before it starts
    # until it ends.
    CHECK_IN_OPENS_MINUTES = _int("CHECK_IN_OPENS_MINUTES", 30)
    # Messages one person may send to the volunteers of needs and shifts per Warsaw day.
    SHIFT_MESSAGES_PER_DAY = _int("SHIFT_MESSAGES_PER_DAY", 20)
    MATCHING_SYNC = _bool("MATCHING_SYNC")
    # A place freed on a full shift is offered to the first person waiting for this long (but
    # never past the shift's start).
    WAITLIST_OFFER_HOURS = _int("WAITLIST_OFFER_HOURS", 12)
    # The coalition's limits that protect volunteers (0: none); a need may override each one
    # (app/services/limits.py): the least rest between two shifts of one person, in hours; the
    # most days in a row with a shift; how many days before a shift its sign-up opens.
    LIMIT_MIN_REST_HOURS = _int("LIMIT_MIN_REST_HOURS", 0)
    LIMIT_MAX_DAYS_IN_ROW = _int("LIMIT_MAX_DAYS_IN_ROW", 0)
    LIMIT_SIGNUP_OPENS_DAYS = _int("LIMIT_SIGNUP_OPENS_DAYS", 0)
    # Seconds: how often a worker executing a run writes its heartbeat; after how long without
    # one the run is declared failed (its worker died); the idle worker's pause between looks at
    # the queue; and its pause after the database failed to answer.
    MATCHING_HEARTBEAT_SECONDS = _float("MATCHING_HEARTBEAT_SECONDS", 5.0)
    MATCHING_STALE_SECONDS = _float("MATCHING_STALE_SECONDS", 90.0)
    MATCHING_POLL_SECONDS = _float("MATCHING_POLL_SECONDS", 2.0)
    MATCHING_RETRY_SECONDS = _float("MATCHING_RETRY_SECONDS", 10.0)

    # Korpus Solidarności: hours a month and months in a row; "reduced" applies under 15, over 65
    # or with a disability.
    KORPUS_THRESHOLDS = {
        "standard": {"hours": 16, "months": 12},
        "reduced": {"hours": 6, "months": 6},
        "standard_ages": (15, 65),
    }

    # Demo data may be loaded only where this is true.
    ALLOW_DEMO_DATA = False
    SCHEDULER_TIMEZONE = "Europe/Warsaw"
    # Scheduler timing in seconds: how often the outbox is delivered, the pause after a first
    # failed attempt (doubling after each further one), and how often a standby scheduler checks
    # whether the active one is gone. The defaults suit production; tests shorten them.
    OUTBOX_INTERVAL_SECONDS = _int("OUTBOX_INTERVAL_SECONDS", 30)
    OUTBOX_RETRY_SECONDS = _int("OUTBOX_RETRY_SECONDS", 60)
    SCHEDULER_STANDBY_SECONDS = _int("SCHEDULER_STANDBY_SECONDS", 30)
    # A message claimed for sending but never marked sent for this long is sent again (with the
    # same Message-ID): its sender stopped between SMTP's answer and the mark.
    OUTBOX_CLAIM_TIMEOUT_SECONDS = _int("OUTBOX_CLAIM_TIMEOUT_SECONDS", 300)

    # The active scheduler's heartbeat job writes a row this often; /healthz and the outbox page
    # call the scheduler late after three missed beats. After a failure (the database locked or
    # away) the scheduler rests this long before it reads its job table or starts again.
    SCHEDULER_HEARTBEAT_SECONDS = _int("SCHEDULER_HEARTBEAT_SECONDS", 60)
    SCHEDULER_RESTART_SECONDS = _int("SCHEDULER_RESTART_SECONDS", 10)

    # The needs search keeps its rendered results this long (app/services/search_cache.py); any
    # change to needs or shifts makes them stale at once. Web and scheduler processes must share
    # the store: a directory here, Redis in production.
    CACHE_TYPE = os.environ.get("CACHE_TYPE", "FileSystemCache")
    # Unset: "cache" in the instance folder.
    CACHE_DIR = os.environ.get("CACHE_DIR") or None
    CACHE_KEY_PREFIX = "okik:"
    CACHE_DEFAULT_TIMEOUT = 60
    SEARCH_CACHE_SECONDS = _int("SEARCH_CACHE_SECONDS", 60)


class DevelopmentConfig(Config):
    DEBUG = False
    ALLOW_DEMO_DATA = True


class TestConfig(Config):
    TESTING = True
    MATCHING_SYNC = True
    SECRET_KEY = "test-secret-key"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    ALLOW_DEMO_DATA = True
    CACHE_TYPE = "NullCache"  # tests that check the cache turn it on themselves
    CACHE_NO_NULL_WARNING = True
    MAIL_SERVER = None
    SERVER_NAME_FOR_EMAIL = "http://127.0.0.1:5000"


class ProductionConfig(Config):
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    # Several gunicorn workers must share rate-limit counters.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    CACHE_TYPE = os.environ.get("CACHE_TYPE", "RedisCache")
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL", "redis://127.0.0.1:6379/1")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def check(cls) -> None:
        """Refuse to run with a secret that anyone reading the source knows."""
        key = os.environ.get("SECRET_KEY", "")
        if not key or key == DEFAULT_SECRET_KEY or len(key) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters in "
                "production (for example: python -c 'import secrets; print(secrets.token_hex(32))')."
            )


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """Pick the configuration named by APP_ENV (development when unset)."""
    name = os.environ.get("APP_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError as exc:
        raise RuntimeError(f"APP_ENV={name!r} is not one of {sorted(CONFIGS)}") from exc
