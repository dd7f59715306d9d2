"""make load: gunicorn (2 workers) + the task worker on 127.0.0.1, 20 simulated users for 60 s.

Mixed traffic: section pages, autosaves, the assessments list, report requests.
Loopback only; bounded in users, time and requests. Prints and returns
requests/s, p50/p99 latency and errors (5xx or failed connections).
"""

from __future__ import annotations

import http.client
import json
import math
import os
import random
import re
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
USERS = int(os.environ.get("LOAD_USERS", "20"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
MAX_REQUESTS = 200_000  # a hard bound whatever happens


def prepare(db_path: str) -> list[int]:
    """Migrate, seed the demo, and create one assessment per simulated user."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DATABASE_NAME": db_path}
    code = (
        "import django, json; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0); call_command('seed_demo', verbosity=0, stdout=open('/dev/null','w'))\n"
        "from procurement.assessments.models import Assessment\n"
        "from procurement.assessments.services import assessment_create\n"
        "src = Assessment.objects.filter(status='in_progress').first()\n"
        "def new(): return assessment_create(service=src.service, bank=src.bank_version.bank, by=src.created_by).pk\n"
        f"ids = [new() for _ in range({USERS})]\n"
        "print(json.dumps(ids))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)  # noqa: S603
    return json.loads(out.stdout.strip().splitlines()[-1])


class User:
    def __init__(self, port: int, assessment_id: int):
        self.port, self.assessment_id = port, assessment_id
        self.cookies: dict[str, str] = {}
        self.revision = 0

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        hdrs = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        data = None
        if body is not None:
            data = urlencode(body, doseq=True)
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
            hdrs["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            hdrs["Referer"] = f"http://127.0.0.1:{self.port}/"
        conn.request(method, path, body=data, headers=hdrs)
        response = conn.getresponse()
        payload = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return response.status, payload

    def login(self):
        self.request("GET", "/accounts/login/")
        status, _ = self.request("POST", "/accounts/login/", {"username": "analyst", "password": "demo-pass-2026"})
        if status != 302:
            raise RuntimeError(f"login failed: {status}")


def run_user(user: User, deadline: float, samples: list, errors: list, lock: threading.Lock, counter: list):
    actions = ["section"] * 4 + ["autosave"] * 4 + ["list"] * 2 + ["report"]
    rnd = random.Random(user.assessment_id)  # noqa: S311 - traffic mix, not security
    while time.monotonic() < deadline:
        with lock:
            if counter[0] >= MAX_REQUESTS:
                return
            counter[0] += 1
        action = rnd.choice(actions)
        started = time.perf_counter()
        try:
            if action == "section":
                status, body = user.request("GET", f"/assessments/{user.assessment_id}/sections/SUP/")
                match = re.search(rb'name="revision" value="(\d+)"', body)
                if match:
                    user.revision = int(match.group(1))
            elif action == "autosave":
                status, body = user.request(
                    "POST",
                    f"/assessments/{user.assessment_id}/sections/SUP/",
                    {"revision": user.revision, "q-SUP-05": rnd.choice([30, 90, 180, 365]), "q-SUP-01": "categories"},
                    {"HX-Request": "true"},
                )
                match = re.search(rb'name="revision" value="(\d+)"', body)
                if match:
                    user.revision = int(match.group(1))
            elif action == "list":
                status, _ = user.request("GET", "/assessments/?status=in_progress")
            else:
                status, _ = user.request("POST", f"/reports/{user.assessment_id}/generate/", {})
        except (OSError, http.client.HTTPException) as exc:
            with lock:
                errors.append(f"{action}: {type(exc).__name__}")
            continue
        elapsed = time.perf_counter() - started
        with lock:
            samples.append((action, elapsed, time.monotonic()))
            if status >= 500:
                errors.append(f"{action}: HTTP {status}")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _workers_cpu(master: int) -> float:
    """CPU seconds used so far by the gunicorn master's live children (its workers), from /proc;
    NaN where /proc is not there."""
    try:
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path("/proc", entry, "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == master:  # ppid
                total += int(fields[11]) + int(fields[12])  # utime + stime
        return total / ticks
    except (OSError, ValueError):
        return float("nan")


def main() -> dict:
    tmp = tempfile.mkdtemp(prefix="load-")
    db_path = os.path.join(tmp, "load.sqlite3")
    ids = prepare(db_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DATABASE_NAME": db_path}
    env["BENCH_TASKS"] = "db"
    venv_bin = Path(sys.executable).parent
    server = subprocess.Popen(  # noqa: S603
        [
            str(venv_bin / "gunicorn"),
            "-c",
            "gunicorn.conf.py",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "procurement.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(os.path.join(tmp, "gunicorn.log"), "w"),  # noqa: SIM115
    )
    # At nice 10, as production runs it (docs/operations.md, Deploy): PDF renders (~1 s of CPU
    # each) yield the cores to the web workers instead of taking one of the two from them.
    worker = subprocess.Popen(  # noqa: S603
        [
            shutil.which("nice") or "/usr/bin/nice",
            "-n",
            "10",
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-reload",
            "--interval",
            "0.5",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        users = [User(port, ids[i % len(ids)]) for i in range(USERS)]
        for u in users:
            u.login()
        samples: list = []
        errors: list = []
        lock = threading.Lock()
        counter = [0]
        client_cpu = time.process_time()
        workers_cpu = -_workers_cpu(server.pid)
        started = time.monotonic()
        deadline = started + SECONDS
        threads = [threading.Thread(target=run_user, args=(u, deadline, samples, errors, lock, counter)) for u in users]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=SECONDS + 60)
        duration = time.monotonic() - started
        client_cpu = time.process_time() - client_cpu
        workers_cpu += _workers_cpu(server.pid)
    finally:
        # CPU seconds of each side, from the children's rusage as each one is reaped
        # (gunicorn's master has reaped its workers by then).
        cpu = [_children_cpu()]
        server.terminate()
        server.wait(timeout=20)
        cpu.append(_children_cpu())
        worker.terminate()
        worker.wait(timeout=20)
        cpu.append(_children_cpu())
    times = sorted(e for _, e, _ in samples)
    result = {
        "http_users": USERS,
        "http_seconds": round(duration, 1),
        "http_requests": len(samples),
        "http_rps": round(len(samples) / duration, 1),
        "http_p50_ms": round(statistics.median(times) * 1000, 1) if times else None,
        "http_p99_ms": round(times[int(len(times) * 0.99) - 1] * 1000, 1) if times else None,
        "http_errors": len(errors),
    }
    if errors:
        result["http_error_examples"] = "; ".join(sorted(set(errors))[:5])
    # Per action: where the time goes (the run's p99 is the tail of the mix).
    for action in sorted({a for a, _, _ in samples}):
        own = sorted(e for a, e, _ in samples if a == action)
        result[f"{action}_n"] = len(own)
        result[f"{action}_p50_ms"] = round(statistics.median(own) * 1000, 1)
        result[f"{action}_p99_ms"] = round(own[max(int(len(own) * 0.99) - 1, 0)] * 1000, 1)
    # Is the tail a stall (a few slow windows) or spread over the run? p99 per 5-second window
    # of completions, and gunicorn's worker restarts (max_requests) from its log.
    windows: dict[int, list[float]] = {}
    for _, e, done in samples:
        windows.setdefault(int((done - started) // 5), []).append(e)
    p99s = sorted(sorted(w)[max(int(len(w) * 0.99) - 1, 0)] for w in windows.values() if len(w) >= 20)
    if p99s:
        result["window_p99_ms_median"] = round(statistics.median(p99s) * 1000, 1)
        result["window_p99_ms_worst"] = round(p99s[-1] * 1000, 1)
    log = Path(tmp, "gunicorn.log").read_text(errors="replace")
    result["gunicorn_worker_restarts"] = log.count("Autorestarting worker")
    # What the task worker was given meanwhile: each distinct record hash is one PDF render.
    with sqlite3.connect(db_path) as db:
        for status, count in db.execute("SELECT status, COUNT(*) FROM reports_reportfile GROUP BY status"):
            result[f"reports_{status}"] = count
    result["cpu_s_gunicorn"] = round(cpu[1] - cpu[0], 1)
    # The figure a shared host moves least: the web workers' CPU per request during the timed run
    # (cpu_s_gunicorn also holds the workers' start-up, ~1-2 s each, and the logins).
    if not math.isnan(workers_cpu):
        result["gunicorn_cpu_ms_per_request"] = round(workers_cpu * 1000 / max(len(samples), 1), 2)
    result["cpu_s_db_worker"] = round(cpu[2] - cpu[1], 1)
    result["cpu_s_load_client"] = round(client_cpu, 1)
    result["load_average"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return result


if __name__ == "__main__":
    figures = main()
    for key, value in figures.items():
        print(f"{key:<20} {value}")
    out = ROOT / "bench" / "load.json"
    out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\nwritten to {out.relative_to(ROOT)}")
