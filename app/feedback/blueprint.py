"""The ``feedback`` blueprint; ``routes`` attaches its views."""

from flask import Blueprint

bp = Blueprint("feedback", __name__)
