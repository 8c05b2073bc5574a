"""Data the database is filled with: the reference data every deployment needs, and the demo."""
