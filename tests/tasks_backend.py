"""A task backend for browser tests: renders wait for a worker, every other task runs at once.

Browser tests run against a live server outside a test transaction, so every commit hook runs.
With the suite's inline backend each decision (seed_demo makes three) rendered its PDF inside the
request: 1-2 s of WeasyPrint a time that no flow looked at. Here a render is queued and left, as in
production before a worker picks it up; the outbox's drain (mail) and the rest still run inline."""

from __future__ import annotations

from django.tasks.backends.dummy import DummyBackend
from django.tasks.backends.immediate import ImmediateBackend

RENDERS = {
    "procurement.reports.tasks.render_report",
    "procurement.reports.tasks.prerender_report",
    "procurement.portfolio.tasks.render_board_pack",
}


class RendersWaitBackend(ImmediateBackend):
    def __init__(self, alias, params):
        super().__init__(alias, params)
        self._queue = DummyBackend(alias, params)

    def enqueue(self, task, args, kwargs):
        if task.module_path in RENDERS:
            return self._queue.enqueue(task, args, kwargs)
        return super().enqueue(task, args, kwargs)
