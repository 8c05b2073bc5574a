"""The volunteer's side of matching: the offers waiting for an answer, accepted or declined.

Imports nothing, so that scheduler jobs and services can import this feature's rules without
loading its routes; the blueprint lives in ``blueprint.py`` and its views in ``routes.py``.
"""
