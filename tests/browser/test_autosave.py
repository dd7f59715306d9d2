"""Debian's Chromium: a save that failed never looks saved, and the edit goes in once the server is back."""

import pytest

from procurement.assessments.models import Answer
from tests.browser.test_assessment_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_failed_autosave_says_not_saved_retries_and_saves_when_the_server_is_back(
    page, live_server, assessment, personas, artifacts_dir
):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, personas["analyst"].username)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/sections/INT/")
    # htmx read its configuration (templates/base.html): it never copies a style attribute when it
    # settles a swap, which the CSP would block (it did, now and then, under load).
    assert page.evaluate("() => htmx.config.attributesToSettle") == ["class", "width", "height"]
    # The server answers 500 (as during a database restart) until the route is removed.
    failing = {"count": 0}

    def fail(route):
        failing["count"] += 1
        route.fulfill(status=500, body="Server Error (500)")

    page.route("**/sections/INT/", lambda route: fail(route) if route.request.method == "POST" else route.fallback())
    page.fill("input[name='q-INT-06']", "180")
    page.wait_for_selector("#save-status:has-text('Not saved: retrying')")
    page.locator(".card-footer").screenshot(path=str(artifacts_dir / "autosave-1-not-saved.png"))
    assert not Answer.objects.filter(assessment=assessment, question_code="INT-06").exists()
    # Leaving now would lose the edit: the page asks first.
    assert page.evaluate(
        "() => { const e = new Event('beforeunload', {cancelable: true}); "
        "window.dispatchEvent(e); return e.defaultPrevented; }"
    )

    page.unroute("**/sections/INT/")
    page.wait_for_function("() => document.getElementById('save-status').textContent.trim().startsWith('Saved')")
    assert failing["count"] >= 1
    assert Answer.objects.get(assessment=assessment, question_code="INT-06").value == 180
    assert not page.evaluate(
        "() => { const e = new Event('beforeunload', {cancelable: true}); "
        "window.dispatchEvent(e); return e.defaultPrevented; }"
    )


def test_when_retries_run_out_the_page_says_the_changes_are_kept_here(page, live_server, assessment, personas):
    log_in(page, live_server, personas["analyst"].username)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/sections/INT/")
    page.route("**/sections/INT/", lambda route: route.abort() if route.request.method == "POST" else route.fallback())
    page.clock.install()
    page.fill("input[name='q-INT-06']", "180")
    page.clock.run_for(2_000)  # autosave's typing delay
    # Each failure schedules the next try 1, 2, 4, 8 then 16 s later: the page's clock is moved
    # past each delay once that failure has been counted, instead of waiting 31 s.
    for failures in range(1, 7):
        page.wait_for_function("n => document.getElementById('section-form').dataset.saveFailures >= n", arg=failures)
        page.clock.run_for(17_000)
    page.wait_for_selector("#save-status:has-text('your changes are kept in this page')")
    assert page.input_value("input[name='q-INT-06']") == "180"


def test_save_pressed_while_an_autosave_is_on_its_way_waits_for_it_instead_of_conflicting(
    page, live_server, assessment, personas
):
    """Under load an autosave could reach the server just before the Save it raced with; the Save then
    carried the old revision and was refused as a conflict with one's own autosave."""
    log_in(page, live_server, personas["analyst"].username)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/sections/INT/")
    autosaves, saves, released = [], [], {"autosave": False}

    def hold(route):
        if route.request.method != "POST":
            route.fallback()
        elif route.request.headers.get("hx-request"):
            autosaves.append(route)
        elif released["autosave"]:
            route.fallback()
        else:
            saves.append(route)

    page.route("**/sections/INT/", hold)
    with page.expect_request(lambda r: r.method == "POST" and r.headers.get("hx-request") == "true"):
        page.fill("input[name='q-INT-06']", "180")
    page.click("button:has-text('Save'):not([name=next])", no_wait_after=True)
    # The autosave reaches the server first; any Save already sent follows it.
    released["autosave"] = True
    autosaves[0].fallback()
    for route in saves:
        route.fallback()
    page.wait_for_selector("text=Saved.")
    assert "saved this section meanwhile" not in page.content()
    assert Answer.objects.get(assessment=assessment, question_code="INT-06").value == 180


def test_an_autosave_after_the_session_ended_says_not_saved_and_keeps_the_leave_warning(
    page, live_server, assessment, personas
):
    """Found in review: the login page came back as a 200 and counted as saved."""
    log_in(page, live_server, personas["analyst"].username)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/sections/INT/")
    page.context.clear_cookies(name="sessionid")  # the session ends (expired, or signed out in another tab)
    page.fill("input[name='q-INT-06']", "180")
    page.wait_for_selector("#save-status :text('you may have been signed out')")
    assert page.locator("#save-status form").count() == 0  # the login page was not swapped in
    assert page.evaluate(
        "() => { const e = new Event('beforeunload', {cancelable: true}); "
        "window.dispatchEvent(e); return e.defaultPrevented; }"
    )
    assert not Answer.objects.filter(assessment=assessment, question_code="INT-06").exists()
