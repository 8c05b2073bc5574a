"""The ``manage`` blueprint; ``routes`` attaches its views."""

from flask import Blueprint

bp = Blueprint("manage", __name__)
