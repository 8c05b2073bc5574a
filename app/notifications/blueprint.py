"""The ``notifications`` blueprint; ``routes`` attaches its views."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)
