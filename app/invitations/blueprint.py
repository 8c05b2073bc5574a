"""The ``invitations`` blueprint; ``routes`` attaches its views."""

from flask import Blueprint

bp = Blueprint("invitations", __name__)
