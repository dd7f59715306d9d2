"""axe-core in the browser suite (docs/accessibility.md, "How it is tested").

axe-core comes from the axe-playwright-python package (it ships ``axe.min.js``). The app's
CSP stays in force: Playwright's ``page.evaluate`` runs through the DevTools protocol, which
page CSP does not govern, so the source is evaluated as an expression rather than added as a
``<script>`` tag (which the CSP would block). No context bypasses the CSP; pages are checked
as users get them.

Rules: the WCAG 2.0, 2.1 and 2.2 A and AA tags. A critical or serious violation fails.
"""

from __future__ import annotations

import json
import os

from axe_playwright_python.base import AXE_SCRIPT

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = {"critical", "serious"}

# The run's options: WCAG rules only, violations only (no passes: a smaller result to ship back).
OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}

# Marks a document axe has already checked, so the automatic check runs once per page load.
CHECKED_FLAG = "__axeChecked"

_UNSTICK = "(at) => document.querySelectorAll('.sticky-bottom').forEach((el) => { el.style.position = at; })"


# The automatic check on every page a flow test visits leaves out colour contrast, about 40 % of
# an axe run, and the stylesheets' second download (preload: axe fetches the page's CSS again
# for the orientation-lock rule, a quarter of what is left on a section page). The crawl
# (test_accessibility.py) checks both on every page, in every assessment state and error state,
# as every persona, with the same stylesheets; the flows add the states only a walk reaches.
# Likewise link-in-text-block, the other colour rule (a link in a sentence told apart by more
# than its colour): 13 % of what is left of a run.
WITHOUT_CONTRAST = {
    **OPTIONS,
    "rules": {"color-contrast": {"enabled": False}, "link-in-text-block": {"enabled": False}},
    "preload": False,
}


# What axe reads of a document, as a fingerprint: every element with its attributes, whether it
# holds text of its own, and the window's width. Left out: the text itself, numbers in links and
# form targets (/assessments/12/ and /assessments/13/ are alike), the CSRF token and the CSP nonce.
# Two documents with one fingerprint give axe the same elements, roles, names (present or empty),
# classes and styles, so the same result; a document whose fingerprint already passed in this run
# is not checked again (a quarter of the checks: the same page as another persona who gets the
# same controls, a page revisited in a flow). AXE_EVERY_DOCUMENT=1 checks every one.
_FINGERPRINT = """() => {
  const left_out = new Set(['nonce', 'integrity']);
  const numbered = new Set(['href', 'action', 'src', 'hx-get', 'hx-post', 'hx-target']);
  let a = 0x811c9dc5 | 0, b = 0x01000193 | 0;
  const add = (s) => {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      a = Math.imul(a ^ c, 16777619);
      b = Math.imul(b ^ c, 2246822507);
    }
  };
  add(String(window.innerWidth));
  for (const el of document.getElementsByTagName('*')) {
    add('<' + el.tagName);
    for (const attr of el.attributes) {
      if (left_out.has(attr.name) || (attr.name === 'value' && el.getAttribute('name') === 'csrfmiddlewaretoken')) {
        continue;
      }
      add(' ' + attr.name + '=' + (numbered.has(attr.name) ? attr.value.replace(/[0-9]+/g, '0') : attr.value));
    }
    for (const node of el.childNodes) {
      if (node.nodeType === 3 && node.data.trim()) { add('#'); break; }
    }
  }
  return (a >>> 0).toString(16) + (b >>> 0).toString(16);
}"""
_passed: set[tuple[str, str | None, bool]] = set()
EVERY_DOCUMENT = bool(os.environ.get("AXE_EVERY_DOCUMENT"))

# Colour contrast, the crawl's costliest rule (a third of the crawl's CPU), is run on the elements
# whose text looks like none that axe already passed in the run. How text looks, for contrast, is
# what axe's rule reads: its colour, size, weight and shadow, whether it is disabled, hidden from
# assistive technology or clipped to nothing, and what lies behind it: the backgrounds of the
# element and its ancestors up to the first opaque one, with every opacity, filter and blend
# above, and the background of any element out of the flow (absolute or fixed) that overlaps it.
# Elements that look like one axe passed give axe the same colours to compare, so the same
# result. Candidates are elements with text of their own and the form controls whose text axe
# reads (inputs that show a value, selects, text areas; not a select's options, which axe does not
# check). A look is learned only from an element axe reported as passing: one it skipped (inert,
# hidden) or could not decide teaches nothing.
# Not covered: overlap by an element in the flow (negative margins, transforms). The rest of the
# document is checked by every other rule as before. AXE_EVERY_DOCUMENT=1 checks every element.
_TEXT_LOOKS = r"""([scope, known]) => {
  const root = scope ? document.querySelector(scope) : document.body;
  const hash = (s) => {
    let a = 0x811c9dc5 | 0, b = 0x01000193 | 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      a = Math.imul(a ^ c, 16777619);
      b = Math.imul(b ^ c, 2246822507);
    }
    return (a >>> 0).toString(16) + (b >>> 0).toString(16);
  };
  const opaque = (c) => c.startsWith('rgb(') || /^rgba\(.*, 1\)$/.test(c);
  const paints = (s) => s.backgroundColor !== 'rgba(0, 0, 0, 0)' || s.backgroundImage !== 'none';
  const behind = new Map(), above = new Map();
  // Opacity, filters and blending of the element and every ancestor (only what is not the default).
  const overAll = (el) => {
    if (!el) return '';
    let r = above.get(el);
    if (r === undefined) {
      const s = getComputedStyle(el);
      const own = s.opacity !== '1' || s.filter !== 'none' || s.mixBlendMode !== 'normal';
      r = (own ? [s.opacity, s.filter, s.mixBlendMode].join(' ') + ';' : '') + overAll(el.parentElement);
      above.set(el, r);
    }
    return r;
  };
  // The backgrounds behind the element's text, up to the first opaque one.
  const backgrounds = (el) => {
    if (!el) return 'canvas';
    let r = behind.get(el);
    if (r === undefined) {
      const s = getComputedStyle(el);
      const own = paints(s) ? [s.backgroundColor, s.backgroundImage].join(' ') + '>' : '';
      r = own + (s.backgroundImage !== 'none' || opaque(s.backgroundColor) ? '' : backgrounds(el.parentElement));
      behind.set(el, r);
    }
    return r;
  };
  // Painted elements out of the flow, which may lie behind text that is not inside them.
  const floating = [];
  for (const el of document.body.getElementsByTagName('*')) {
    const s = getComputedStyle(el);
    if ((s.position === 'absolute' || s.position === 'fixed') && paints(s)) {
      const box = el.getBoundingClientRect();
      if (box.width > 1 && box.height > 1) {
        floating.push([el, box, [s.backgroundColor, s.backgroundImage, s.zIndex].join(' ')]);
      }
    }
  }
  const meet = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const overlaps = (el, box) => floating
    .filter(([f, b]) => !f.contains(el) && !el.contains(f) && meet(b, box))
    .map(([, , look]) => look).join(';');
  const control = 'input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=range])'
    + ':not([type=color]):not([type=image]):not([type=file]), select, textarea';
  const seen = new Set(known), fresh = [], looks = new Map();
  if (root) {
    for (const el of [root, ...root.getElementsByTagName('*')]) {
      if (el.closest('select') && el.tagName !== 'SELECT') continue;  // options: axe reads the select's text
      let text = el.matches(control);
      for (const node of text ? [] : el.childNodes) {
        if (node.nodeType === 3 && node.data.trim()) { text = true; break; }
      }
      if (!text) continue;
      const s = getComputedStyle(el);
      const box = el.getBoundingClientRect();
      const look = hash([
        el.tagName, el.type || '', s.color, s.fontSize, s.fontWeight, s.textShadow, s.webkitTextStrokeColor,
        s.visibility, s.clip, s.clipPath, box.width > 1 && box.height > 1,
        !!el.closest(':disabled, [aria-disabled="true"]'), !!el.closest('[aria-hidden="true"]'),
        backgrounds(el), overAll(el), overlaps(el, box),
      ].join('|'));
      if (!seen.has(look)) { fresh.push(el); looks.set(el, look); }
    }
  }
  window.__axeContrastFresh = fresh;
  window.__axeContrastLooks = looks;
  return fresh.length;
}"""
# axe's colour contrast on those elements: its violations, and the looks of the elements it passed.
_CONTRAST_RUN = """async (options) => {
  const looks = window.__axeContrastLooks;
  const result = await axe.run({include: window.__axeContrastFresh}, options);
  const passed = new Set();
  for (const node of result.passes.flatMap((rule) => rule.nodes)) {
    if (looks.has(node.element)) passed.add(looks.get(node.element));
  }
  for (const node of result.violations.flatMap((rule) => rule.nodes)) delete node.element;
  return {violations: result.violations, passed: [...passed]};
}"""
_contrast_passed: set[str] = set()
# The crawl's run: every WCAG rule but contrast, which runs on its own on the fresh elements.
BUT_CONTRAST = {**OPTIONS, "rules": {"color-contrast": {"enabled": False}}}
CONTRAST_ONLY = {
    "runOnly": {"type": "rule", "values": ["color-contrast"]},
    "resultTypes": ["violations", "passes"],
    "elementRef": True,
}


def axe_violations(page, *, context: str | None = None, contrast: bool = True) -> list[dict]:
    """The critical and serious WCAG violations axe finds on the page as it is now (all the
    WCAG rules, or all but colour contrast); none when a document like it passed (_FINGERPRINT)."""
    fingerprint = "" if EVERY_DOCUMENT else page.evaluate(_FINGERPRINT)
    if fingerprint and ((fingerprint, context, True) in _passed or (fingerprint, context, contrast) in _passed):
        page.evaluate(f"() => {{ window.{CHECKED_FLAG} = true; }}")
        return []
    if not page.evaluate("() => typeof window.axe === 'object'"):  # a context without load_with_every_document
        page.evaluate(AXE_SCRIPT)
    target = json.dumps(context) if context else "document"
    # The section pages' Save bar is sticky: it lies over whatever is at the bottom of the window,
    # and axe, which scrolls controls into view to measure them, counts each control it measures
    # there as an obscured target. The bar is measured in its place at the end of the form
    # instead (that focus is never hidden under it is test_keyboard.py's job), then put back.
    page.evaluate(_UNSTICK, "static")
    try:
        options = WITHOUT_CONTRAST if not contrast else OPTIONS if EVERY_DOCUMENT else BUT_CONTRAST
        violations = page.evaluate(f"axe.run({target}, {json.dumps(options)})")["violations"]
        if options is BUT_CONTRAST:
            violations += _contrast_violations(page, context)
    finally:
        page.evaluate(_UNSTICK, "")
    page.evaluate(f"() => {{ window.{CHECKED_FLAG} = true; }}")
    found = [v for v in violations if v.get("impact") in FAILING_IMPACTS]
    if fingerprint and not found:
        _passed.add((fingerprint, context, contrast))
    return found


def _contrast_violations(page, context: str | None) -> list[dict]:
    """axe's colour contrast on the elements whose text looks like none that passed (_TEXT_LOOKS)."""
    if not page.evaluate(_TEXT_LOOKS, [context, sorted(_contrast_passed)]):
        return []
    result = page.evaluate(_CONTRAST_RUN, CONTRAST_ONLY)
    if not result["violations"]:
        _contrast_passed.update(result["passed"])
    return result["violations"]


def describe(violations: list[dict], url: str = "") -> str:
    """One line per violation and node: the rule, its impact, the element and axe's reason."""
    lines = [f"axe: {len(violations)} critical or serious WCAG violation(s) on {url}"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{v['helpUrl'].split('?')[0]}]")
        for node in v["nodes"][:8]:
            reason = "; ".join(item["message"] for key in ("any", "all", "none") for item in node.get(key, []))
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            if reason:
                lines.append(f"      {reason[:300]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


def assert_no_axe_violations(page, *, context: str | None = None) -> None:
    """Fails with a readable list when axe finds a critical or serious WCAG A/AA violation."""
    violations = axe_violations(page, context=context)
    assert not violations, describe(violations, page.url)


def load_with_every_document(context) -> None:
    """axe-core is evaluated in each new document of the context before the page's own scripts
    (as Playwright's init scripts are, outside the page's CSP): sent to the browser once per
    context instead of once per page checked, which cost 50-180 ms a page."""
    context.add_init_script(AXE_SCRIPT)
