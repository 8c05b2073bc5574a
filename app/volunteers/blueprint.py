"""The ``volunteers`` blueprint; ``routes`` attaches its views."""

from flask import Blueprint

bp = Blueprint("volunteers", __name__)
