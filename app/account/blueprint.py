"""The ``account`` blueprint; ``routes`` attaches its views."""

from flask import Blueprint

bp = Blueprint("account", __name__)
