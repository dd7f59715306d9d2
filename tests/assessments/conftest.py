"""Assessment fixtures live in tests/conftest.py (the reports tests use them too)."""
