"""The application factory: a list of named steps that build the app."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from config import Config
from config import ProductionConfig
from config import config_from_env

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
    register_waitlists(app)
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

    from app.core.ids import MAX_ID

    class DatabaseId(IntegerConverter):
        def __init__(self, map, *args, **kwargs) -> None:
            kwargs.setdefault("max", MAX_ID)
            super().__init__(map, *args, **kwargs)

    app.url_map.converters["int"] = DatabaseId


def configure_logging(app: Flask) -> None:
    from app.core.logging import configure_logging as setup

    setup(app)


def configure_extensions(app: Flask) -> None:
    from app.core.sqlite import engine_options
    from app.extensions import cache
    from app.extensions import csrf
    from app.extensions import db
    from app.extensions import limiter
    from app.extensions import migrate
    from app.services import search_cache  # noqa: F401 - its session listeners keep the cache honest

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
    from app.extensions import babel
    from app.extensions import select_locale
    from app.extensions import select_timezone

    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    from app.core import i18n

    i18n.install(app)


def configure_login(app: Flask) -> None:
    from app.auth.access import init_login

    init_login(app)


#: Each feature package and the URL prefix of its blueprint, in the order they are registered.
FEATURES: tuple[tuple[str, str | None], ...] = (
    ("main", None),
    ("auth", None),
    ("dashboard", None),
    ("account", "/account"),
    ("institutions", "/institutions"),
    ("coordination", "/coordination"),
    ("admin", "/admin"),
    ("needs", "/needs"),
    ("calendar", "/calendar"),
    ("api", "/api/v1"),
    ("manage", "/manage"),
    ("volunteers", None),
    ("proposals", None),
    ("offers", None),  # its views attach to the proposals blueprint (app/offers/blueprint.py)
    ("notifications", None),
    ("hours", "/hours"),
    ("documents", None),
    ("reports", "/reports"),
    ("news", "/news"),
    ("widgets", "/widget"),
    ("qualifications", "/qualifications"),
    ("checkin", "/checkin"),
    ("shift_messages", "/messages"),
    ("feedback", "/feedback"),
    ("invitations", None),
)


def register_blueprints(app: Flask) -> None:
    from importlib import import_module

    for name, _prefix in FEATURES:
        import_module(f"app.{name}.routes")  # attaches the feature's views to its blueprint
    for name, prefix in FEATURES:
        bp = import_module(f"app.{name}.blueprint").bp
        if bp.name not in app.blueprints:  # a feature may answer on another feature's blueprint
            app.register_blueprint(bp, url_prefix=prefix)


def register_error_handlers(app: Flask) -> None:
    from app.core.errors import init_error_handlers

    init_error_handlers(app)


def register_template_helpers(app: Flask) -> None:
    from app.core.templating import init_templating

    init_templating(app)


def register_security_headers(app: Flask) -> None:
    from app.core.security import init_security_headers

    init_security_headers(app)


def register_waitlists(app: Flask) -> None:
    """After a request whose committed changes freed places, offer them to the people waiting
    (app/services/freed_places.py says why only then)."""
    import logging

    from app.extensions import db
    from app.services.waitlist import advance_freed

    @app.after_request
    def move_waiting_lists(response):
        try:
            advance_freed()
        except Exception:  # noqa: BLE001 - the request itself is done; the sweep catches up
            logging.getLogger(__name__).exception("Moving a waiting list failed")
            db.session.rollback()
        return response


def register_cli(app: Flask) -> None:
    from app.core.cli import init_cli

    init_cli(app)
