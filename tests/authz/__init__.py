"""Per-feature authorisation tables, merged by tests/auth/test_authorization.py."""
