"""The ``dashboard`` blueprint; ``routes`` attaches its views."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__)
