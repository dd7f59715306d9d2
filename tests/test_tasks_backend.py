from django.tasks import Task
from django.utils.module_loading import import_string

from tests.tasks_backend import RENDERS


def test_every_render_the_browser_tests_leave_for_a_worker_is_a_task():
    """A renamed render task would otherwise be run inline again, silently."""
    for path in RENDERS:
        assert isinstance(import_string(path), Task), path
