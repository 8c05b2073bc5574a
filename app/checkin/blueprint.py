"""The ``checkin`` blueprint; ``routes`` attaches its views."""

from flask import Blueprint

bp = Blueprint("checkin", __name__)
