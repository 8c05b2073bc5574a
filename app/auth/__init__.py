"""Signing up, in and out, confirming addresses and resetting passwords.

Imports nothing, so that scheduler jobs and services can import this feature's rules without
loading its routes; the blueprint lives in ``blueprint.py`` and its views in ``routes.py``.
"""
