"""Click to PDF, end to end, the way the browser does it: `click_to_pdf_s` and `board_pack_s`.

A real gunicorn and a real task worker (`manage.py db_worker`, at nice 10 as production runs
it) on a throwaway SQLite copy of the demo. Each run clears the cached file, POSTs *Generate*
(or *Board pack*), then polls the status URL the answer names, waiting between polls exactly as
the page would (the htmx trigger in the answer: ``every 1s`` or ``load delay:Nms``), and stops
when the answer carries the download link. One run first warms the worker (fonts, templates);
then ``CLICK_RUNS`` runs each, p50 and p95. The breakdown comes from the database: the worker's
pickup (task enqueued → started) and the render (``render_ms``).

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


def main() -> dict:
    tmp = tempfile.mkdtemp(prefix="clicks-")
    db_path = os.path.join(tmp, "clicks.sqlite3")
    ids = prepare(db_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DATABASE_NAME": db_path, "BENCH_TASKS": "db"}
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
    result: dict = {"click_worker_interval_s": float(WORKER_INTERVAL), "click_runs": RUNS}
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
        cases = {
            "click_to_pdf": (
                f"/reports/{ids['assessment']}/generate/",
                re.compile(r'href="/reports/\d+/pdf/[0-9a-f]+/"'),
                "DELETE FROM reports_reportfile",
                "SELECT render_ms FROM reports_reportfile WHERE status='ready'",
                "procurement.reports.tasks.render_report",
            ),
            "board_pack": (
                "/portfolio/board-pack/generate/",
                re.compile(r'href="/portfolio/board-pack/[0-9a-f]+\.pdf"'),
                "DELETE FROM portfolio_boardpack",
                "SELECT render_ms FROM portfolio_boardpack WHERE status='ready'",
                "procurement.portfolio.tasks.render_board_pack",
            ),
        }
        for name, (generate, ready, clear, render_sql, task_path) in cases.items():
            samples: list[float] = []
            polls, renders, pickups = [], [], []
            for i in range(RUNS + 1):
                with db:
                    db.execute(clear)
                    db.execute("DELETE FROM django_tasks_database_dbtaskresult")
                took, n = click_until_ready(user, generate, ready)
                print(f"  {name} run {i}: {took:.2f} s, {n} polls", file=sys.stderr)
                (render_ms,) = db.execute(render_sql).fetchone()
                (pickup,) = db.execute(
                    "SELECT (julianday(started_at) - julianday(enqueued_at)) * 86400 "
                    "FROM django_tasks_database_dbtaskresult WHERE task_path = ?",
                    (task_path,),
                ).fetchone()
                if i == 0:
                    result[f"{name}_cold_s"] = round(took, 3)
                    continue
                samples.append(took)
                polls.append(n)
                renders.append(render_ms / 1000)
                pickups.append(pickup)
            result[f"{name}_s"] = round(_p95(samples), 3)
            result[f"{name}_p50_s"] = round(statistics.median(samples), 3)
            result[f"{name}_render_p50_s"] = round(statistics.median(renders), 3)
            result[f"{name}_pickup_p50_s"] = round(statistics.median(pickups), 3)
            result[f"{name}_polls_p50"] = statistics.median(polls)
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
