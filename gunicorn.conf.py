"""gunicorn settings for production (see README, "Production")."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = 30
# On TERM (a stop) or HUP (a reload, see docs/operations.md "Restarts") workers finish the
# requests they hold for up to this long before they are killed; give systemd more
# (TimeoutStopSec=40). Connections keep queueing on the listening socket meanwhile
# (backlog, gunicorn's default 2048), so a HUP reload refuses no one.
graceful_timeout = 30
# Recycle workers now and then. Each restart imports the app afresh (~1-2 s of CPU) while the
# other workers serve alone: at 2,000 a worker restarted about once a minute under make load.
# Web workers render no PDFs (db_worker does), so their memory grows slowly.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
# Peers gunicorn believes about X-Forwarded-Proto and friends: the TLS proxy's address.
# gunicorn never rewrites REMOTE_ADDR from X-Forwarded-For; the app reads the client's address
# itself (procurement/core/net.py), so behind the proxy also set DJANGO_TRUSTED_PROXY_COUNT=1
# (and DJANGO_TRUSTED_PROXIES to this same address), or logins and portal links are rate
# limited for everyone at once.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
# Request lines name vendor-link tokens (/portal/<token>/); this logger redacts them.
logger_class = "procurement.core.gunicorn_logging.RedactingLogger"
control_socket_disable = True  # gunicorn 27 otherwise creates a control socket in the home directory
