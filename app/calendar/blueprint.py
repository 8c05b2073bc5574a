"""The ``calendar`` blueprint; ``routes`` attaches its views."""

from flask import Blueprint

bp = Blueprint("calendar", __name__)
