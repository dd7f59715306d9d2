"""`migrate` on an empty database, as a first deploy runs it (a subprocess, its own SQLite file).

Runs once: PostgreSQL's share builds its test database through the same migrations."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_migrate_runs_on_an_empty_database(tmp_path):
    """The red team's deploy broke at `migrate`: a database check read a table not yet created."""
    env = {"DJANGO_DEBUG": "1", "DATABASE_NAME": str(tmp_path / "fresh.sqlite3"), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
