"""Extensions are created here unbound and bound to an app in the factory."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app
from flask import has_request_context
from flask import request
from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_login import current_user
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from app.core import sqlite as sqlite_transactions  # noqa: F401 - its engine listeners set SQLite up

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

# Models subclass `Model`: at run time Flask-SQLAlchemy's `db.Model` (table names, the session
# binding), for type checkers the declarative base it is built from, which they can read.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
cache = Cache()


def _is_frameable() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "is_frameable", False))


def select_locale() -> str:
    """Choose the language: the signed-in user's choice, then the cookie, then Polish; on a
    widget, the `lang` its snippet carries comes first.

    The JSON API is read by programs that keep no cookie and choose nothing: there the
    Accept-Language header they send decides first (its error messages are read by people)."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked_here = request.args.get("lang")
    if asked_here and asked_here in languages and _is_frameable():
        # A widget is shown on a member's own website, whose page language the snippet names.
        return asked_here
    if request.path.startswith("/api/"):
        asked = request.accept_languages.best_match(languages)
        if asked:
            return asked
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    cookie = request.cookies.get(current_app.config["LOCALE_COOKIE"])
    if cookie and cookie in languages:
        return cookie
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


babel = Babel()
