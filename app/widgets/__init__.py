"""Widgets that members paste into their own websites: lists of open needs shown in an iframe.

Imports nothing; the blueprint lives in ``blueprint.py`` and its views in ``routes.py``.
"""
