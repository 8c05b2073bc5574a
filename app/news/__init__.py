"""The coalition's news board: members' updates, the public page and its Atom feed.

Imports nothing, so that scheduler jobs can import this feature's rules without loading its
routes; the blueprint lives in ``blueprint.py`` and its views in ``routes.py``.
"""
