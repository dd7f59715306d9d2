"""Non-text contrast (WCAG 2.2 SC 1.4.11), which axe does not measure: on the longest section
page, every visible input's outline is at least 3:1 against what it sits on."""

import pytest

from tests.browser.test_assessment_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each visible control's top border colour and the colour of the first opaque box behind it.
BORDERS = """() => [...document.querySelectorAll('#section-form input, #section-form select, #section-form textarea')]
  .filter((el) => el.type !== 'hidden' && el.getBoundingClientRect().width > 0)
  .map((el) => {
    let box = el.parentElement, bg = 'rgb(255, 255, 255)';
    while (box) {
      const c = getComputedStyle(box).backgroundColor;
      if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { bg = c; break; }
      box = box.parentElement;
    }
    return { name: el.name || el.id, border: getComputedStyle(el).borderTopColor, bg };
  })"""


def _luminance(css: str) -> float:
    r, g, b = (int(float(v)) / 255 for v in css[css.index("(") + 1 : css.index(")")].split(",")[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_helper_matches_the_wcag_figures():
    assert round(contrast("rgb(222, 226, 230)", "rgb(255, 255, 255)"), 2) == 1.3  # Bootstrap's #dee2e6
    assert round(contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 1) == 21.0


def test_every_input_outline_on_a_section_page_is_at_least_3_to_1(page, live_server, assessment, personas):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "analyst")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/sections/SUP/")

    controls = page.evaluate(BORDERS)

    assert len(controls) > 30
    faint = [(c["name"], c["border"], c["bg"]) for c in controls if contrast(c["border"], c["bg"]) < 3]
    assert faint == []
