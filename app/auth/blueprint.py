"""The ``auth`` blueprint; ``routes`` attaches its views."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
