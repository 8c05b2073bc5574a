"""The ``admin`` blueprint; ``routes`` attaches its views."""

from flask import Blueprint

bp = Blueprint("admin", __name__)
