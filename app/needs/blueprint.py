"""The ``needs`` blueprint; ``routes`` attaches its views."""

from flask import Blueprint

bp = Blueprint("needs", __name__)
