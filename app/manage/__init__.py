"""Staff pages for an institution's needs, shifts and applicants.

Imports nothing, so that scheduler jobs and services can import this feature's rules without
loading its routes; the blueprint lives in ``blueprint.py`` and its views in ``routes.py``.
"""
