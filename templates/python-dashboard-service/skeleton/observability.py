"""Metrics and structured logs for the dashboard.

main.py calls start() when the process starts, before Streamlit serves any session, so an idle
pod is scraped and logs JSON too. Streamlit re-runs app.py on every interaction but imports this
module only once per process, so the metrics are registered once.
"""

import json
import logging
import os
import sys
import threading
from datetime import datetime, timezone

from prometheus_client import Counter, Histogram, start_http_server

SERVICE_NAME = os.environ.get("SERVICE_NAME", "${{ values.name }}")
METRICS_PORT = int(os.environ.get("METRICS_PORT", "${{ values.metricsPort }}"))

PAGE_VIEWS = Counter(
    "dashboard_page_views",
    "Page views, counted once per browser session and page.",
    ["page"],
)
INTERACTIONS = Counter(
    "dashboard_interactions",
    "Changes made by users to the dashboard's widgets.",
    ["widget"],
)
RENDER_SECONDS = Histogram(
    "dashboard_render_seconds",
    "Time to run the page script once.",
    ["page"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

# Fields that callers may attach with `extra=` and that are written to the log line.
_EXTRA_FIELDS = ("page", "widget", "value")

_lock = threading.Lock()
_started = False


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (RFC 3339), level, logger, message, service."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "service": SERVICE_NAME,
        }
        for field in _EXTRA_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: int = logging.INFO) -> None:
    """Send the app's logs and Streamlit's own logs to stdout as JSON lines."""
    formatter = JsonFormatter()
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    # Streamlit gives its loggers handlers of their own; give them the JSON format too.
    for name in list(logging.root.manager.loggerDict):
        if name == "streamlit" or name.startswith("streamlit."):
            for existing in logging.getLogger(name).handlers:
                existing.setFormatter(formatter)


def use_json_for_streamlit(streamlit_logger) -> None:
    """Keep Streamlit's own log lines JSON.

    Streamlit gives each of its loggers a handler of its own and resets that handler's format
    (`setup_formatter`) whenever it reads its configuration, after configure_logging has run.
    """
    formatter = JsonFormatter()
    streamlit_setup_formatter = streamlit_logger.setup_formatter

    def setup_formatter(logger: logging.Logger) -> None:
        streamlit_setup_formatter(logger)
        for handler in logger.handlers:
            handler.setFormatter(formatter)

    streamlit_logger.setup_formatter = setup_formatter
    streamlit_logger.update_formatter()


def start() -> None:
    """Configure logging and serve /metrics on METRICS_PORT, once per process."""
    global _started
    with _lock:
        if _started:
            return
        configure_logging()
        start_http_server(METRICS_PORT)
        _started = True
    logging.getLogger(__name__).info("metrics served on port %d at /metrics", METRICS_PORT)
