"""The application factory: a list of named steps that build the app."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from config import Config, ProductionConfig, config_from_env

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_class: type[Config] | None = None) -> Flask:
    config_class = config_class or config_from_env()
    if issubclass(config_class, ProductionConfig):
        config_class.check()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
        instance_path=str(Path(config_class.INSTANCE_PATH).resolve()),
    )
    app.config.from_object(config_class)
    app.config["CACHE_DIR"] = app.config.get("CACHE_DIR") or str(Path(app.instance_path) / "cache")
    configure_proxy(app)
    configure_url_converters(app)
    configure_logging(app)
    configure_extensions(app)
    configure_i18n(app)
    configure_login(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_security_headers(app)
    register_cli(app)
    return app


def configure_proxy(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies the client is the address the outermost of them
    saw; a header added by the client itself is never believed, so nobody picks their own limit."""
    trusted = int(app.config.get("TRUSTED_PROXIES") or 0)
    if trusted > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted)  # type: ignore[method-assign]


def configure_url_converters(app: Flask) -> None:
    """Integer ids in URLs stop at the database's integer range, so a huge id is a 404, not a 500."""
    from werkzeug.routing import IntegerConverter

    class DatabaseId(IntegerConverter):
        def __init__(self, map, *args, **kwargs) -> None:
            kwargs.setdefault("max", 2**31 - 1)
            super().__init__(map, *args, **kwargs)

    app.url_map.converters["int"] = DatabaseId


def configure_logging(app: Flask) -> None:
    from app.logging_setup import configure_logging as setup

    setup(app)


def configure_extensions(app: Flask) -> None:
    from app.extensions import cache, csrf, db, limiter, migrate
    from app.services import search_cache  # noqa: F401 - its session listeners keep the cache honest
    from app.sqlite_transactions import engine_options

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"],
        app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        app.config["SQLITE_BUSY_TIMEOUT_SECONDS"],
    )
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    cache.init_app(app)


def configure_i18n(app: Flask) -> None:
    from app.extensions import babel, select_locale, select_timezone

    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)


def configure_login(app: Flask) -> None:
    from app.auth.session import init_login

    init_login(app)


def register_blueprints(app: Flask) -> None:
    from app.account import bp as account_bp
    from app.admin import bp as admin_bp
    from app.api import bp as api_bp
    from app.auth import bp as auth_bp
    from app.calendar import bp as calendar_bp
    from app.coordination import bp as coordination_bp
    from app.dashboard import bp as dashboard_bp
    from app.documents import bp as documents_bp
    from app.hours import bp as hours_bp
    from app.institutions import bp as institutions_bp
    from app.main import bp as main_bp
    from app.manage import bp as manage_bp
    from app.needs import bp as needs_bp
    from app.notifications import bp as notifications_bp
    from app.proposals import bp as proposals_bp
    from app.reports import bp as reports_bp
    from app.volunteers import bp as volunteers_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(account_bp, url_prefix="/account")
    app.register_blueprint(institutions_bp, url_prefix="/institutions")
    app.register_blueprint(coordination_bp, url_prefix="/coordination")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(needs_bp, url_prefix="/needs")
    app.register_blueprint(calendar_bp, url_prefix="/calendar")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(manage_bp, url_prefix="/manage")
    app.register_blueprint(volunteers_bp)
    app.register_blueprint(proposals_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(hours_bp, url_prefix="/hours")
    app.register_blueprint(documents_bp)
    app.register_blueprint(reports_bp, url_prefix="/reports")


def register_error_handlers(app: Flask) -> None:
    from app.errors import init_error_handlers

    init_error_handlers(app)


def register_template_helpers(app: Flask) -> None:
    from app.templating import init_templating

    init_templating(app)


def register_security_headers(app: Flask) -> None:
    from app.security import init_security_headers

    init_security_headers(app)


def register_cli(app: Flask) -> None:
    from app.cli import init_cli

    init_cli(app)
