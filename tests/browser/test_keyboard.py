"""Keyboard only, on the longest section page (SUP): the skip link, a focus ring on every stop,
the sticky Save bar never over the focused control (WCAG 2.2 SC 2.4.11), and N/A, a radio and
Save operated with keys alone. Screenshots of the focus land in test-artifacts/."""

import pytest

from procurement.assessments.models import Answer
from tests.browser.test_assessment_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where focus is, how it is drawn, and whether the sticky bar covers any of it.
FOCUS = """async () => {
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  const el = document.activeElement;
  const r = el.getBoundingClientRect();
  const bar = document.querySelector('.sticky-bottom');
  const b = bar ? bar.getBoundingClientRect() : null;
  const style = getComputedStyle(el);
  return {
    id: el.id, type: el.type || '', name: el.getAttribute('name') || '', tag: el.tagName,
    text: (el.textContent || '').trim().slice(0, 40),
    inBar: bar ? bar.contains(el) : false,
    covered: b !== null && !bar.contains(el) && r.bottom > b.top && r.top < b.bottom && r.height > 0,
    outline: style.outlineStyle !== 'none' ? parseFloat(style.outlineWidth) : 0,
    visible: r.width > 0 && r.height > 0,
  };
}"""


def tab(page, *, back: bool = False) -> dict:
    page.keyboard.press("Shift+Tab" if back else "Tab")
    return page.evaluate(FOCUS)


def test_a_keyboard_user_reaches_every_control_unhidden_and_answers_na_a_radio_and_saves(
    page, live_server, assessment, personas, artifacts_dir
):
    page.set_viewport_size({"width": 1280, "height": 720})
    log_in(page, live_server, "analyst")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/sections/SUP/")

    # 1. The first stop is the skip link; it jumps past the navigation and the section list.
    first = tab(page)
    assert first["text"].split() == ["Skip", "to", "the", "questions"]
    page.screenshot(path=str(artifacts_dir / "keyboard-1-skip-link.png"))
    page.keyboard.press("Enter")
    stop = tab(page)
    assert stop["id"].startswith(("in-SUP-01", "na-SUP-01")), stop

    # 2. Every stop to the end of the form: visibly ringed, and never under the Save bar.
    stops, covered = [stop], []
    while not (stop["inBar"] and stop["text"].startswith("Save and continue")):
        stop = tab(page)
        stops.append(stop)
        if stop["covered"]:
            covered.append(stop)
        assert stop["outline"] >= 2, f"no visible focus ring on {stop}"
        assert len(stops) < 400, "Tab never reached the Save bar"
    assert len(stops) > 60  # 15 questions with N/A boxes and reasons, and the provider table
    assert covered == [], f"focus hidden under the sticky Save bar at {covered}"

    # 3. N/A by keyboard: back to SUP-03's box from the top of the form, Space ticks it, Tab
    # goes on to its reason, which takes typing.
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/sections/SUP/")
    tab(page)
    page.keyboard.press("Enter")
    stop = tab(page)
    for _ in range(80):
        if stop["id"] == "na-SUP-03":
            break
        stop = tab(page)
    assert stop["id"] == "na-SUP-03" and not stop["covered"]
    page.keyboard.press("Space")
    assert page.is_checked("#na-SUP-03")
    page.screenshot(path=str(artifacts_dir / "keyboard-2-na-ticked.png"))
    stop = tab(page)
    assert stop["id"] == "nar-SUP-03" and not stop["covered"]
    page.keyboard.type("We run no inference on shared capacity")

    # 4. A radio group: Tab to the next one, an arrow key picks a choice.
    while stop["type"] != "radio":
        stop = tab(page)
    group = stop["name"]
    page.keyboard.press("ArrowDown")
    chosen = page.evaluate("(name) => document.querySelector(`input[name='${name}']:checked`).value", group)
    assert not page.evaluate(FOCUS)["covered"]
    page.screenshot(path=str(artifacts_dir / "keyboard-3-radio.png"))

    # 5. Save, reached by Tab, pressed with Enter.
    while not (stop["inBar"] and stop["text"] == "Save"):
        stop = tab(page)
    page.screenshot(path=str(artifacts_dir / "keyboard-4-save-focused.png"))
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Saved.")
    na = Answer.objects.get(assessment=assessment, question_code="SUP-03")
    assert na.na and na.na_reason == "We run no inference on shared capacity"
    assert Answer.objects.get(assessment=assessment, question_code=group.removeprefix("q-")).value == chosen
