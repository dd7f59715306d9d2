"""The automatic axe check of tests/browser/conftest.py fails a flow on a page that breaks a rule."""

import pytest

pytestmark = pytest.mark.browser

PAGE = "http://127.0.0.1:9/an-image-without-a-name"
BROKEN = "<!doctype html><html lang=en><title>t</title><main><h1>t</h1><img src=/x.png></main></html>"


def test_the_next_step_after_a_page_with_an_unnamed_image_fails_naming_the_rule(page):
    page.route(PAGE, lambda route: route.fulfill(body=BROKEN, content_type="text/html"))
    page.goto(PAGE)
    assert page.evaluate("() => typeof window.axe") == "object"  # loaded with the document
    with pytest.raises(AssertionError, match="image-alt"):
        page.click("h1")
