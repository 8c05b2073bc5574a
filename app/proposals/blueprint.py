"""The ``proposals`` blueprint; ``routes`` attaches its views."""

from flask import Blueprint

bp = Blueprint("proposals", __name__)
