"""The ``qualifications`` blueprint; ``routes`` attaches its views."""

from flask import Blueprint

bp = Blueprint("qualifications", __name__)
