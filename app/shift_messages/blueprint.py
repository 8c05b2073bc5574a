"""The ``shift_messages`` blueprint; ``routes`` attaches its views."""

from flask import Blueprint

bp = Blueprint("shift_messages", __name__)
