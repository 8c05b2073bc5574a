"""The ``widgets`` blueprint; ``routes`` attaches its views."""

from flask import Blueprint

bp = Blueprint("widgets", __name__)
