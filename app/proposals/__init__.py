from flask import Blueprint

bp = Blueprint("proposals", __name__)

from app.proposals import routes  # noqa: E402,F401
