"""The ``news`` blueprint; ``routes`` attaches its views."""

from flask import Blueprint

bp = Blueprint("news", __name__)
