"""The ``hours`` blueprint; ``routes`` attaches its views."""

from flask import Blueprint

bp = Blueprint("hours", __name__)
