"""The ``reports`` blueprint; ``routes`` attaches its views."""

from flask import Blueprint

bp = Blueprint("reports", __name__)
