"""The automatic axe check of tests/browser/conftest.py: it fails a flow on a page that breaks a
rule, and does not check again a document like one that passed (tests/browser/axe.py)."""

import pytest
from playwright.sync_api import Page

from tests.browser import axe

pytestmark = pytest.mark.browser

SITE = "http://127.0.0.1:9"
PAGE = "<!doctype html><html lang=en><title>t</title><main><h1>{heading}</h1>{image}</main></html>"
PAGES = {
    "/an-image-without-a-name": PAGE.format(heading="Broken", image="<img src=/x.png>"),
    "/a-page": PAGE.format(heading="A page", image="<img src=/x.png alt='A chart'>"),
    "/the-same-page-in-other-words": PAGE.format(heading="Other words", image="<img src=/x.png alt='A chart'>"),
    "/a-page-with-a-button-more": PAGE.format(
        heading="More", image="<img src=/x.png alt='A chart'><button>Go</button>"
    ),
}


@pytest.fixture
def site(page):
    def serve(route):
        body = PAGES.get(route.request.url[len(SITE) :])
        route.fulfill(body=body or "", status=200 if body else 404, content_type="text/html")

    page.route(f"{SITE}/*", serve)
    return page


def test_the_next_step_after_a_page_with_an_unnamed_image_fails_naming_the_rule(site):
    site.goto(f"{SITE}/an-image-without-a-name")
    assert site.evaluate("() => typeof window.axe") == "object"  # loaded with the document
    with pytest.raises(AssertionError, match="image-alt"):
        site.click("h1")


def test_a_document_like_one_that_passed_is_not_checked_again_and_a_different_one_is(site, monkeypatch):
    runs = []
    evaluate = Page.evaluate

    def counted(self, expression, *args, **kwargs):
        if expression.startswith("axe.run("):
            runs.append(self.url)
        return evaluate(self, expression, *args, **kwargs)

    monkeypatch.setattr(Page, "evaluate", counted)
    for path in ("/a-page", "/the-same-page-in-other-words", "/a-page-with-a-button-more"):
        site.goto(SITE + path)
        site.click("h1")
    if axe.EVERY_DOCUMENT:  # AXE_EVERY_DOCUMENT=1
        assert len(runs) == 3
    else:
        assert runs == [f"{SITE}/a-page", f"{SITE}/a-page-with-a-button-more"]
