"""Screen-reader pass with Orca: drives Chromium with key presses and records what Orca speaks.

Run by scripts/orca-pass.sh inside its own X display and D-Bus session; not part of `make test`.
Standard library only: it runs with Debian's /usr/bin/python3, beside Orca.

Each step presses keys (xdotool, as a keyboard would) and then waits for a condition in Orca's
speech log: a line matching what the step expects, or, for steps that expect nothing in particular,
until Orca has finished speaking (no new line for QUIET seconds). The transcript keeps every line
Orca spoke for each step, so a reader can judge what a user hears.
"""

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

QUIET = 1.0  # seconds without a new speech line that count as "Orca has finished speaking"
LINE = re.compile(r"^(\S+) SPEECH OUTPUT: '(.*)'")


class Speech:
    """Orca's speech log, read line by line as Orca writes it (flushed per line)."""

    def __init__(self, path: Path):
        self.path = path
        self.seen = 0

    def lines(self) -> list[str]:
        try:
            raw = self.path.read_text(encoding="utf-8", errors="replace").splitlines()
        except FileNotFoundError:
            return []
        return [m.group(2) for m in map(LINE.match, raw) if m]

    def wait(self, expect: str | None = None, timeout: float = 20.0) -> tuple[list[str], bool]:
        """New lines since the last call; with `expect`, wait until one matches it, else until quiet."""
        start = self.seen
        deadline = time.monotonic() + timeout
        last_count, last_change = start, time.monotonic()
        found = expect is None
        while time.monotonic() < deadline:
            lines = self.lines()
            new = lines[start:]
            if expect is not None and not found and any(re.search(expect, line) for line in new):
                found = True
                last_change = time.monotonic()
            if len(lines) != last_count:
                last_count, last_change = len(lines), time.monotonic()
            if found and len(lines) > start and time.monotonic() - last_change >= QUIET:
                break
            time.sleep(0.05)
        lines = self.lines()
        self.seen = len(lines)
        return lines[start:], found


def xdotool(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True)  # noqa: S603,S607


class Pass:
    def __init__(self, speech: Speech, out: Path):
        self.speech = speech
        self.out = out
        self.current_mode = "Browse mode"
        out.write_text("", encoding="utf-8")

    def write(self, text: str) -> None:
        with self.out.open("a", encoding="utf-8") as f:
            f.write(text + "\n")

    def page(self, title: str) -> None:
        self.write(f"\n## {title}\n")

    def step(self, what: str, keys=(), text: str | None = None, expect: str | None = None, timeout=20.0):
        self.speech.wait(timeout=0.3)  # drop anything still being spoken from the step before
        for key in keys:
            xdotool("key", "--clearmodifiers", key)
            time.sleep(0.05)
        if text is not None:
            xdotool("type", "--delay", "15", text)
        lines, found = self.speech.wait(expect, timeout)
        for line in lines:
            if line in ("Browse mode", "Focus mode"):
                self.current_mode = line
            elif re.match(r"^Page has |^Finished loading ", line):
                self.current_mode = "Browse mode"
        pressed = " ".join(keys) + (f' type "{text}"' if text is not None else "")
        mark = "" if found else f"  **(expected /{expect}/ not heard within {timeout:.0f} s)**"
        self.write(f"- **{what}** (`{pressed or 'no key'}`){mark}")
        for line in lines:
            self.write(f"  - “{line}”")
        if not lines:
            self.write("  - (nothing spoken)")
        print(f"{what}: {' | '.join(lines)}", flush=True)
        return lines

    def go(self, url: str, title: str) -> None:
        """Open a URL from the address bar (Ctrl+L), as a keyboard user would."""
        for _ in range(3):
            self.speech.wait(timeout=2)  # let the last page finish speaking (and loading)
            xdotool("key", "--clearmodifiers", "ctrl+l")
            if self.speech.wait(expect="Address and search bar", timeout=5)[1]:
                break
        else:
            raise SystemExit("Ctrl+L never reached the address bar")
        xdotool("type", "--delay", "5", url)
        xdotool("key", "Delete")  # drop the address bar's inline completion
        lines = self.step(f"Open {url}", keys=["Return"], expect=r"^Page has |Leave site")
        if any("Leave site" in line for line in lines):
            self.step("Leave the page anyway", keys=["Return"], expect=r"^Page has ")

    def mode(self, wanted: str) -> None:
        """Put Orca in "Browse mode" or "Focus mode"; Orca+A toggles between them.

        Orca announces a switch it makes by itself (Tab into a text box: "Focus mode") and a toggle, but
        not the return to browse mode when a page loads, so the current mode is tracked here.
        """
        if self.current_mode != wanted:
            self.step(f"{wanted} (Orca+A)", keys=["Insert+a"], expect=wanted, timeout=5)

    def until(self, what: str, key: str, expect: str, tries: int = 12) -> None:
        """Press `key` until Orca says something matching `expect`, recording each press."""
        for _ in range(tries):
            lines = self.step(what, keys=[key], timeout=5)
            if any(re.search(expect, line) for line in lines):
                return
        self.write(f"  **(/{expect}/ not reached after {tries} presses)**")


def section_page(p: Pass, portal: bool, skip_link: bool = False) -> None:
    """The same walk on the staff page and in the portal: both render section_fields.html.

    Structural navigation (H, R) is used right after the page loads; after that the walk moves by Tab
    only: in this setup Orca 43 stopped answering F, K and B once it had switched between focus and
    browse mode by itself (its debug log says "No handler" for the key).
    """
    p.until("Tab from the top of the page to the section list", "Tab", r"answered", tries=16)
    p.step("Tab", keys=["Tab"], timeout=5)
    if skip_link:
        p.step("Top of the page (Ctrl+Home)", keys=["ctrl+Home"], expect="Skip", timeout=5)
        p.step("Enter on the skip link", keys=["Return"], timeout=5)
        p.step("Tab after the skip link", keys=["Tab"], timeout=5)
    p.mode("Browse mode")
    p.step("Top of the page (Ctrl+Home), then next heading (H)", keys=["ctrl+Home", "h"], expect="heading", timeout=5)
    p.step("Next heading (H)", keys=["h"], timeout=5)
    p.step("Top of the page again (Ctrl+Home)", keys=["ctrl+Home"], timeout=5)
    lines = p.step("Next radio button (R): SUP-01", keys=["r"], expect="radio", timeout=5)
    if not any("radio" in line for line in lines):
        p.write("  **(no radio button reached; the walk stops here)**")
        return
    p.step("Space selects it; autosave follows (live region)", keys=["space"], expect=r"Saved|Not saved")
    p.step("Tab to the answer-basis select", keys=["Tab"], expect="rests on|combo", timeout=5)
    p.step("Tab to the N/A box", keys=["Tab"], expect="Not applicable|check box", timeout=5)
    p.step("Space ticks N/A, no reason yet; autosave (live region)", keys=["space"], expect=r"Saved|attention")
    p.step("Tab to the reason box", keys=["Tab"], expect="Why it does not apply|entry", timeout=5)
    p.until("Tab on to SUP-02's choices", "Tab", r"radio", tries=4)
    p.until("Tab on to SUP-03's number box", "Tab", r"spin|SUP-03|share of the serving", tries=8)
    p.step("Type 40; autosave (live region)", text="40", expect=r"Saved|attention|Not saved", timeout=20)
    if portal:
        return
    p.mode("Browse mode")
    p.step("End of the page (Ctrl+End)", keys=["ctrl+End"], timeout=5)
    p.until("Shift+Tab back to Save", "shift+Tab", r"^Save push button", tries=6)
    p.step(
        "Enter on Save, with SUP-01 ticked N/A and no reason",
        keys=["Return"],
        expect=r"Some answers need attention",
        timeout=25,
    )
    p.step("Tab from the error summary", keys=["Tab"], timeout=5)
    p.step("Enter on the error link", keys=["Return"], timeout=5)
    p.step("Shift+Tab", keys=["shift+Tab"], timeout=5)
    p.step("Tab", keys=["Tab"], timeout=5)


def staff_section(p: Pass, base: str, assessment: int) -> None:
    p.page(f"Staff section page: SUP of A-{assessment}, as the analyst")
    # Straight from the login form to the section page: on the home page, Ctrl+L lost the address bar to the
    # page more than once, and the URL went to the page as browse-mode keys.
    p.go(f"{base}/accounts/login/?next=/assessments/{assessment}/sections/SUP/", "Log in")
    p.step("Username", keys=["Tab", "shift+Tab"], expect="Username")
    p.step("Type the username", text="analyst", timeout=3)
    p.step("Password field", keys=["Tab"], expect="Password")
    p.step("Type the password and press Enter", text="demo-pass-2026\n", expect=r"^Page has ")
    section_page(p, portal=False)


def portal_section(p: Pass, base: str, portal_url: str, assessment: int) -> None:
    p.page(f"Vendor portal: the SUP section of A-{assessment}, through the vendor's link (no account)")
    p.go(portal_url, "Your questionnaire")
    p.step("Next heading (H)", keys=["h"], expect="heading", timeout=5)
    p.go(f"{base}/portal/a/{assessment}/sections/SUP/", "SUP")
    section_page(p, portal=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--speech-log", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--base", required=True)
    parser.add_argument("--portal-url", required=True)
    parser.add_argument("--assessment", type=int, default=1)
    parser.add_argument("--only", choices=["portal", "staff"], help="walk one of the two pages only")
    args = parser.parse_args()
    speech = Speech(args.speech_log)
    p = Pass(speech, args.out)
    p.write("# What Orca spoke\n")
    p.write(f"Each step: what was done, the keys pressed, then every line Orca spoke. DISPLAY={os.environ['DISPLAY']}")
    lines, found = speech.wait(expect=r"Finished loading|Page has|Username", timeout=60)
    p.write("\n## Start\n")
    for line in lines:
        p.write(f"  - “{line}”")
    if not found:
        print("Orca did not announce the first page", file=sys.stderr)
        return 1
    if args.only != "staff":
        portal_section(p, args.base, args.portal_url, args.assessment)
    if args.only != "portal":
        staff_section(p, args.base, args.assessment)
    return 0


if __name__ == "__main__":
    sys.exit(main())
