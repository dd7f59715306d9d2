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
    # Colour contrast (the crawl's check): text in looks already passed, then a new grey one.
    "/dark-text": PAGE.format(heading="Dark", image="<p style='color:#222'>Read me</p>"),
    "/dark-text-again": PAGE.format(heading="Again", image="<p style='color:#222'>And me</p>" * 3),
    "/grey-text": PAGE.format(heading="Grey", image="<p style='color:#222'>Fine</p><p style='color:#bbb'>Faint</p>"),
    "/grey-text-on-grey": PAGE.format(
        heading="Faint", image="<div style='background:#777'><p style='color:#222'>Dark on grey</p></div>"
    ),
    # What a look must not hide: the text of a form control, an element axe skips (inert) ahead of
    # a visible one of the same look, and a box out of the flow behind text that is not inside it.
    "/faint-input": PAGE.format(
        heading="Input", image="<label for=n>Name</label><input id=n value=Faint style='color:#bbb'>"
    ),
    "/faint-after-inert": PAGE.format(
        heading="Inert", image="<div inert><p style='color:#ccc'>Skipped</p></div><p style='color:#ccc'>Seen</p>"
    ),
    "/dark-over-a-grey-box": PAGE.format(
        heading="Box",
        image="<div style='position:relative'><div style='position:absolute;inset:0;background:#555'></div>"
        "<span style='position:relative;color:#222'>Dark on a box</span></div>",
    ),
    "/dark-span": PAGE.format(
        heading="Span", image="<div><span style='position:relative;color:#222'>Dark</span></div>"
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


def _axe_runs(monkeypatch, start: str) -> list[str]:
    """The pages of each axe run from now on whose expression starts with ``start``."""
    runs = []
    evaluate = Page.evaluate

    def counted(self, expression, *args, **kwargs):
        if expression.startswith(start):
            runs.append(self.url)
        return evaluate(self, expression, *args, **kwargs)

    monkeypatch.setattr(Page, "evaluate", counted)
    return runs


def test_a_document_like_one_that_passed_is_not_checked_again_and_a_different_one_is(site, monkeypatch):
    runs = _axe_runs(monkeypatch, "axe.run(")
    for path in ("/a-page", "/the-same-page-in-other-words", "/a-page-with-a-button-more"):
        site.goto(SITE + path)
        site.click("h1")
    if axe.EVERY_DOCUMENT:  # AXE_EVERY_DOCUMENT=1
        assert len(runs) == 3
    else:
        assert runs == [f"{SITE}/a-page", f"{SITE}/a-page-with-a-button-more"]


def test_the_crawls_contrast_check_reads_each_look_of_text_once_and_fails_a_new_faint_one(site, monkeypatch):
    """Colour contrast runs on the text whose look (colours, size, what lies behind) no element
    that passed had: none on a page of looks already seen, and a faint one fails by name."""
    runs = _axe_runs(monkeypatch, axe._CONTRAST_RUN)
    monkeypatch.setattr(axe, "_contrast_passed", set())
    for path in ("/dark-text", "/dark-text-again"):
        site.goto(SITE + path)
        assert axe.axe_violations(site, contrast=True) == []
    site.goto(SITE + "/grey-text")
    (faint,) = axe.axe_violations(site, contrast=True)
    assert faint["id"] == "color-contrast" and [n["html"] for n in faint["nodes"]] == [
        '<p style="color:#bbb">Faint</p>'
    ]
    # The same dark text on a grey box is a look of its own: checked, and it fails.
    site.goto(SITE + "/grey-text-on-grey")
    assert [v["id"] for v in axe.axe_violations(site, contrast=True)] == ["color-contrast"]
    if not axe.EVERY_DOCUMENT:
        # The first page's looks (its heading and its paragraph); none new on the second.
        assert runs == [f"{SITE}/dark-text", f"{SITE}/grey-text", f"{SITE}/grey-text-on-grey"]


@pytest.mark.parametrize(
    ("first", "faint"),
    [
        ("/dark-text", "/faint-input"),
        ("/dark-text", "/faint-after-inert"),
        ("/dark-span", "/dark-over-a-grey-box"),
    ],
    ids=["a-controls-text", "an-element-after-one-axe-skipped", "text-over-a-box-out-of-the-flow"],
)
def test_the_contrast_check_still_fails(site, monkeypatch, first, faint):
    monkeypatch.setattr(axe, "_contrast_passed", set())
    site.goto(SITE + first)
    assert axe.axe_violations(site, contrast=True) == []
    site.goto(SITE + faint)
    assert "color-contrast" in [v["id"] for v in axe.axe_violations(site, contrast=True)]
