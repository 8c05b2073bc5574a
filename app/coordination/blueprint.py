"""The ``coordination`` blueprint; ``routes`` attaches its views."""

from flask import Blueprint

bp = Blueprint("coordination", __name__)
