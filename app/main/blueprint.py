"""The ``main`` blueprint; ``routes`` attaches its views."""

from flask import Blueprint

bp = Blueprint("main", __name__)
