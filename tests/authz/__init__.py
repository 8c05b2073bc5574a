"""Per-feature authorisation tables, merged by tests/test_authorization.py."""
