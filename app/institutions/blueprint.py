"""The ``institutions`` blueprint; ``routes`` attaches its views."""

from flask import Blueprint

bp = Blueprint("institutions", __name__)
