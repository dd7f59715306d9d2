"""gunicorn's logger, with portal-link tokens taken out of the access and error logs.

gunicorn.conf.py names it as ``logger_class``. The access line keeps its usual shape:
``"GET /portal/<redacted>/ HTTP/1.1" 302``; ``/portal/a/<id>/...`` stays readable.
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from procurement.core.redaction import RedactTokensFilter


class RedactingLogger(Logger):
    def setup(self, cfg) -> None:
        super().setup(cfg)
        # setup() runs again on every reload (HUP); one filter per logger is enough.
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, RedactTokensFilter) for f in log.filters):
                log.addFilter(RedactTokensFilter())
