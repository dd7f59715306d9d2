"""Report fixtures (decided) live in tests/conftest.py; the browser tests use them too."""
