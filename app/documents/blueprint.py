"""The ``documents`` blueprint; ``routes`` attaches its views."""

from flask import Blueprint

bp = Blueprint("documents", __name__)
