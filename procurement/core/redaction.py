"""Keep vendor-link tokens and calendar-feed secrets out of logs.

A portal link is ``/portal/<token>/``; whoever reads the token can answer the
questionnaire until it expires, and a dead one still names an invitation. Access logs
and Django's request log print paths, so every log record goes through ``redact``,
which replaces the path segment after ``/portal/`` unless it is one of the portal's
fixed routes (``a/<id>/...``, ``leave/``), which stay readable. A calendar feed is
``/portfolio/calendar/feed/<secret>.ics``: the segment after ``/calendar/feed/`` is
always the secret, so it is always replaced.

Only the standard library is imported here: gunicorn's logger class
(procurement/core/gunicorn_logging.py) and Django's LOGGING both load it.
"""

from __future__ import annotations

import logging
import re

REDACTED = "<redacted>"
# Fixed first segments under /portal/ (procurement/portal/urls.py); anything else is a token.
PORTAL_ROUTES = frozenset({"a", "leave"})

# "/portal/" or its percent-encoded form, then one path segment. A segment ends at "/",
# "?", "#", whitespace, a quote, or an encoded slash.
_TOKEN_PATH = re.compile(
    r"(?P<prefix>(?:/|%2[fF])portal(?:/|%2[fF]))(?P<segment>(?:(?!%2[fF])[^/?#\s\"'<>])+)",
)


# "/calendar/feed/" (or percent-encoded slashes), then the secret: every segment there is one.
_FEED_PATH = re.compile(
    r"(?P<prefix>(?:/|%2[fF])calendar(?:/|%2[fF])feed(?:/|%2[fF]))(?P<segment>(?:(?!%2[fF])[^/?#\s\"'<>])+)",
)


def _replace(match: re.Match) -> str:
    if match["segment"] in PORTAL_ROUTES:
        return match[0]
    return match["prefix"] + REDACTED


def redact(text: str) -> str:
    """``text`` with every portal-link token and calendar-feed secret replaced by ``<redacted>``."""
    if "portal" in text:
        text = _TOKEN_PATH.sub(_replace, text)
    if "feed" in text:
        text = _FEED_PATH.sub(lambda m: m["prefix"] + REDACTED, text)
    return text


def _redact_traceback(text: str) -> str:
    """Redact a formatted traceback, but leave its file names alone.

    A token can only be in the exception's message; ``File ".../procurement/portal/views.py"``
    lines would otherwise lose the module name.
    """
    return "\n".join(line if line.startswith('  File "') else redact(line) for line in text.split("\n"))


class RedactTokensFilter(logging.Filter):
    """A logging filter that rewrites a record's message (and traceback) with ``redact``.

    Attach it to handlers (Django's LOGGING) or to loggers that log directly
    (gunicorn's). It never drops a record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = _redact_traceback(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
