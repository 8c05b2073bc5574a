"""The ``api`` blueprint; ``routes`` attaches its views."""

from flask import Blueprint

bp = Blueprint("api", __name__)
