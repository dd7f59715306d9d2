"""Click to PDF, end to end, the way the browser does it: `click_to_pdf_s`,
`click_to_pdf_after_edit_s` and `board_pack_s`.

A real gunicorn and a real task worker (`manage.py db_worker`, at nice 10 as production runs
it) on a throwaway SQLite copy of the demo. Each run clears the cached files and the task queue,
changes the record through the page (an internal comment on an answer of the 120-question demo
draft), then POSTs *Generate* (or *Board pack*), polls the status URL the answer names, waiting
between polls exactly as the page would (the htmx trigger in the answer: ``every 1s`` or
``load delay:Nms``), and stops when the answer carries the download link:

- ``click_to_pdf``: the click comes after the quiet period that follows the change
  (``CLICK_QUIET_SECONDS``, 2 here, 60 in production) and the worker's render ahead of it; the
  clock starts at the click. ``*_ahead_p50_s``: from the change until that render was stored.
- ``click_to_pdf_after_edit``: the click comes right after the change, so the record's hash is
  new and the PDF renders on the click (the render ahead is not due yet).
- ``board_pack``: no change first; the cached pack is cleared.

One run first warms the worker (fonts, templates); then ``CLICK_RUNS`` runs each, p50 and p95.
The breakdown comes from the database: the worker's pickup (task enqueued → started) and the
render (``render_ms``).

    python bench/clicks.py                      # as make bench runs it
    CLICK_WORKER_INTERVAL=1 python bench/clicks.py   # the worker's default interval
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import User  # noqa: E402

RUNS = int(os.environ.get("CLICK_RUNS", "10"))
WORKER_INTERVAL = os.environ.get("CLICK_WORKER_INTERVAL", "0.1")
QUIET = os.environ.get("CLICK_QUIET_SECONDS", "2")
POLL = re.compile(r'hx-get="(?P<url>[^"]+)"\s+hx-trigger="(?:every (?P<every>[\d.]+)s|load delay:(?P<delay>\d+)ms)"')


def prepare(db_path: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DATABASE_NAME": db_path}
    code = (
        "import django, json; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0); call_command('seed_demo', verbosity=0, stdout=open('/dev/null','w'))\n"
        "from procurement.assessments.models import Assessment\n"
        "a = Assessment.objects.filter(service__name='Frontier API', status='submitted').get()\n"
        "print(json.dumps({'assessment': a.pk}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)  # noqa: S603
    return json.loads(out.stdout.strip().splitlines()[-1])


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(round(0.95 * len(ordered)) - 1, 0)]


def click_until_ready(user: User, generate: str, ready: re.Pattern) -> tuple[float, int]:
    """Seconds from the click to the download link, and the polls it took."""
    started = time.perf_counter()
    status, body = user.request("POST", generate, {}, {"HX-Request": "true"})
    polls = 0
    while True:
        text = body.decode()
        if status != 200:
            raise RuntimeError(f"HTTP {status} after {polls} polls")
        if ready.search(text):
            return time.perf_counter() - started, polls
        if "could not be generated" in text:
            raise RuntimeError(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()[:200])
        match = POLL.search(text)
        if match is None:
            raise RuntimeError(f"no poll in {text[:200]!r}")
        wait = float(match["every"]) if match["every"] else int(match["delay"]) / 1000
        time.sleep(wait)
        polls += 1
        status, body = user.request("GET", match["url"].replace("&amp;", "&"), None, {"HX-Request": "true"})
        if time.perf_counter() - started > 180:
            raise RuntimeError("not ready after 180 s")


def _settle(db: sqlite3.Connection) -> None:
    """Wait until the worker runs no task (a render ahead left from the run before), so a run
    starts with an idle worker."""
    for _ in range(3600):
        with db:
            (running,) = db.execute(
                "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"
            ).fetchone()
        if not running:
            return
        time.sleep(0.05)


def main() -> dict:
    tmp = tempfile.mkdtemp(prefix="clicks-")
    db_path = os.path.join(tmp, "clicks.sqlite3")
    ids = prepare(db_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DATABASE_NAME": db_path, "BENCH_TASKS": "db"}
    # The quiet period after an edit before a draft is rendered ahead (60 s in production): short
    # here so each run of `click_to_pdf` waits seconds, not a minute; the click is timed after it.
    env["REPORT_PRERENDER_QUIET_SECONDS"] = QUIET
    env["MEDIA_ROOT"] = os.path.join(tmp, "media")
    venv_bin = Path(sys.executable).parent
    gunicorn = [str(venv_bin / "gunicorn"), "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "-w", "2"]
    server = subprocess.Popen(  # noqa: S603
        [*gunicorn, "procurement.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker_cmd = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
    worker_cmd += ["--interval", WORKER_INTERVAL]
    worker = subprocess.Popen(  # noqa: S603
        [shutil.which("nice") or "/usr/bin/nice", "-n", "10", *worker_cmd],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    result: dict = {"click_worker_interval_s": float(WORKER_INTERVAL), "click_runs": RUNS, "click_quiet_s": int(QUIET)}
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        user = User(port, ids["assessment"])
        user.login()
        db = sqlite3.connect(db_path, timeout=30)
        assessment = ids["assessment"]
        report_ready = re.compile(r'href="/reports/\d+/pdf/[0-9a-f]+/"')

        def edit() -> None:
            """A change to the record through the page: an internal comment on one answer."""
            status, _ = user.request(
                "POST", f"/assessments/{assessment}/questions/SUP-05/comments/", {"body": "Checked with the vendor."}
            )
            if status != 302:
                raise RuntimeError(f"comment: HTTP {status}")

        def edit_then_quiet() -> float:
            """The edit, then the quiet period and the worker's render ahead of the click: seconds
            from the edit until that render is stored (and no render is left waiting)."""
            started = time.perf_counter()
            edit()
            while time.perf_counter() - started < 180:
                with db:
                    (ready,) = db.execute("SELECT count(*) FROM reports_reportfile WHERE status='ready'").fetchone()
                    (waiting,) = db.execute(
                        "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING')"
                    ).fetchone()
                if ready and not waiting:
                    return time.perf_counter() - started
                time.sleep(0.05)
            raise RuntimeError("no render ahead of the click after 180 s")

        # (generate URL, ready pattern, table, task, what happens before the click)
        cases = {
            # A draft left alone after its last change: rendered ahead, the click finds it ready.
            "click_to_pdf": (
                f"/reports/{assessment}/generate/",
                report_ready,
                "reports_reportfile",
                None,  # no task on the click
                edit_then_quiet,
            ),
            # A click right after a change: the record's hash is new, so it renders on the click.
            "click_to_pdf_after_edit": (
                f"/reports/{assessment}/generate/",
                report_ready,
                "reports_reportfile",
                "procurement.reports.tasks.render_report",
                edit,
            ),
            "board_pack": (
                "/portfolio/board-pack/generate/",
                re.compile(r'href="/portfolio/board-pack/[0-9a-f]+\.pdf"'),
                "portfolio_boardpack",
                "procurement.portfolio.tasks.render_board_pack",
                None,
            ),
        }
        for name, (generate, ready, table, task_path, before) in cases.items():
            samples: list[float] = []
            polls, renders, pickups, aheads = [], [], [], []
            for i in range(RUNS + 1):
                _settle(db)
                with db:
                    db.execute(f"DELETE FROM {table}")  # noqa: S608 - a name from the list above
                    db.execute("DELETE FROM django_tasks_database_dbtaskresult")
                ahead = before() if before else None
                took, n = click_until_ready(user, generate, ready)
                print(f"  {name} run {i}: {took:.2f} s, {n} polls", file=sys.stderr)
                (render_ms,) = db.execute(f"SELECT render_ms FROM {table} WHERE status='ready'").fetchone()  # noqa: S608
                (pickup,) = db.execute(
                    "SELECT (julianday(started_at) - julianday(enqueued_at)) * 86400 "
                    "FROM django_tasks_database_dbtaskresult WHERE task_path = ? ORDER BY enqueued_at DESC",
                    (task_path,),
                ).fetchone() or (None,)
                if i == 0:
                    result[f"{name}_cold_s"] = round(took, 3)
                    continue
                samples.append(took)
                polls.append(n)
                renders.append(render_ms / 1000)
                if pickup is not None:
                    pickups.append(pickup)
                if ahead is not None:
                    aheads.append(ahead)
            result[f"{name}_s"] = round(_p95(samples), 3)
            result[f"{name}_p50_s"] = round(statistics.median(samples), 3)
            result[f"{name}_render_p50_s"] = round(statistics.median(renders), 3)
            if pickups:
                result[f"{name}_pickup_p50_s"] = round(statistics.median(pickups), 3)
            result[f"{name}_polls_p50"] = statistics.median(polls)
            if aheads:
                # From the edit until the render ahead was stored: the quiet period, the pickup, the render.
                result[f"{name}_ahead_p50_s"] = round(statistics.median(aheads), 3)
            else:
                # What the click costs beyond the render itself: the request, the pickup, the polling.
                overhead = [t - r for t, r in zip(samples, renders, strict=True)]
                result[f"{name}_overhead_p50_s"] = round(statistics.median(overhead), 3)
        db.close()
    finally:
        server.terminate()
        worker.terminate()
        server.wait(timeout=20)
        worker.wait(timeout=20)
        shutil.rmtree(tmp, ignore_errors=True)
    result["click_load_average"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return result


if __name__ == "__main__":
    figures = main()
    for key, value in figures.items():
        print(f"{key:<32} {value}")
