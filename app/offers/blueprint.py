"""The blueprint the volunteer's offers answer on: the ``proposals`` one.

The offers' URLs (``/offers/...``) and endpoint names (``proposals.my_offers``, ``proposals.offer``,
``proposals.accept_offer``, ``proposals.decline_offer``) are older than this package and are used
by e-mails already sent, so the views attach to the matching blueprint instead of a new one;
``create_app`` registers that blueprint once.
"""

from app.proposals.blueprint import bp

__all__ = ["bp"]
